"""Which response plan is in force: the municipality's file (NEDBRUD_PLAN) or the seed's default."""

from __future__ import annotations

from pathlib import Path

from domain.plan import Plan, PlanInvalid, load_plan

DEFAULT_PLAN = Path(__file__).resolve().parents[1] / "plans" / "indsatsplan-it-nedbrud.toml"


def read_plan(path: Path | None = None) -> Plan:
    """Read and check a plan file; a broken one stops the service with the field it breaks."""
    path = path or DEFAULT_PLAN
    try:
        return load_plan(path.read_bytes())
    except PlanInvalid as exc:
        raise SystemExit(f"plan file {path}: {exc}") from None
