"""The disclosure matrix: every GET operation of openapi.json, asked by every role with no
units, its own unit and another unit, with no purpose and each purpose, of one log seeded with a
canary in each sealed field. A canary shows only where API.md's "Who sees what" allows it, and
every citizen whose sealed data show has an access-log row written by that request. After
`forget`, none of that citizen's canaries shows anywhere. The canaries never reach a plain column,
a projection, a log line or /metrics."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from service.access.auth import Role, create_key, hash_key
from service.log.codec import KINDS, Codec, sealed_paths
from service.log.vault import Vault, forget
from tests.api.outage import Client
from tests.api.seeded import UNIT_A, UNIT_B, Canary, Seed, seed_log
from tests.api.sse import first_chunks
from tests.apps import SEALING_KEY
from tests.pdf_pages import as_digits, page_texts

pytestmark = pytest.mark.anyio

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
STREAM = "/v1/situation/stream"
SCOPES: dict[str, list[str] | None] = {
    "no units": None,
    "own unit": [UNIT_A],
    "other unit": ["botilbud-andet"],
}
PURPOSES = (None, "treatment", "back-entry", "audit")

# The rule, written out again here rather than imported: the test must not share the code's bugs.
RECORD_ROLES = {Role.STAFF, Role.LEADER, Role.AUDITOR, Role.ADMIN}
ROLE_PURPOSES = {
    Role.STAFF: {"treatment", "back-entry"},
    Role.LEADER: {"treatment", "back-entry"},
    Role.AUDITOR: {"audit"},
    Role.ADMIN: {"treatment", "back-entry", "audit"},
}


@dataclass(frozen=True)
class Call:
    path: str
    params: dict[str, Any]
    headers: dict[str, str] | None = None


# How to ask each GET operation of the seeded log. An operation missing here fails the test.
CALLS: dict[str, Callable[[Seed], list[Call]]] = {
    "/v1/incidents": lambda s: [Call("/v1/incidents", {"status": "all"})],
    "/v1/incidents/{incident_id}": lambda s: [Call(f"/v1/incidents/{s.incident}", {})],
    "/v1/incidents/{incident_id}/timeline": lambda s: [
        Call(f"/v1/incidents/{s.incident}/timeline", {}),
        Call(f"/v1/incidents/{s.incident}/timeline", {"format": "csv"}),
        Call(f"/v1/incidents/{s.records['A']}/timeline", {}),
        Call(f"/v1/incidents/{s.unit_stream}/timeline", {}),
    ],
    "/v1/manual-records/{record_id}": lambda s: [
        Call(f"/v1/manual-records/{r}", {}) for r in s.records.values()
    ],
    "/v1/readiness": lambda s: [Call("/v1/readiness", {})],
    "/v1/units/{unit}/emergency-list": lambda s: [
        Call(f"/v1/units/{unit}/emergency-list", {}) for unit in (UNIT_A, UNIT_B)
    ],
    "/v1/incidents/{incident_id}/rounds": lambda s: [
        Call(
            f"/v1/incidents/{s.incident}/rounds",
            {"unit": unit, "at": "2026-03-05T20:00:00+01:00"},
        )
        for unit in (UNIT_A, UNIT_B)
    ],
    "/v1/incidents/{incident_id}/report": lambda s: [
        Call(f"/v1/incidents/{s.incident}/report", {}),
        Call(f"/v1/incidents/{s.records['A']}/report", {}),
    ],
    "/v1/reports/summary": lambda s: [Call("/v1/reports/summary", {})],
    "/v1/situation/report": lambda s: [Call("/v1/situation/report", {"since_position": s.start})],
    "/v1/contacts/now": lambda s: [Call("/v1/contacts/now", {})],
    "/v1/plan": lambda s: [Call("/v1/plan", {})],
    "/v1/plan/action-cards": lambda s: [
        Call("/v1/plan/action-cards", {}),
        Call("/v1/plan/action-cards", {"format": "html"}),
    ],
    "/v1/units/{unit}/paper-kit": lambda s: [
        Call(f"/v1/units/{unit}/paper-kit", {"incident": s.incident}) for unit in (UNIT_A, UNIT_B)
    ],
    "/v1/situation": lambda s: [Call("/v1/situation", {"include": "closed"})],
    STREAM: lambda s: [Call(STREAM, {}, {"last-event-id": str(s.start)})],
    "/v1/access-log": lambda s: [
        Call("/v1/access-log", {"citizen_ref": ref}) for ref in s.citizens.values()
    ],
    "/v1/back-entry": lambda s: [Call("/v1/back-entry", {"incident": s.incident})],
    "/v1/back-entry/fhir": lambda s: [Call("/v1/back-entry/fhir", {"incident": s.incident})],
    "/v1/events": lambda s: [Call("/v1/events", {"after_position": s.start, "limit": 500})],
    "/v1/audit/verify": lambda s: [Call("/v1/audit/verify", {})],
    "/health/live": lambda s: [Call("/health/live", {})],
    "/health/ready": lambda s: [Call("/health/ready", {})],
    "/metrics": lambda s: [Call("/metrics", {})],
    "/v1/keys": lambda s: [Call("/v1/keys", {})],
    "/v1/keys/me": lambda s: [Call("/v1/keys/me", {})],
    "/v1/webhooks": lambda s: [Call("/v1/webhooks", {})],
    "/v1/webhooks/{webhook_id}/deliveries": lambda s: [
        Call(f"/v1/webhooks/{s.incident}/deliveries", {})  # no such webhook: 404 or 403
    ],
}
# The operations that may show sealed data at all (each by the rule); the rest show none ever.
PERSONAL = {
    "/v1/incidents/{incident_id}/timeline",
    "/v1/units/{unit}/emergency-list",
    "/v1/incidents/{incident_id}/rounds",
    "/v1/manual-records/{record_id}",
    "/v1/back-entry",
    "/v1/back-entry/fhir",
    "/v1/units/{unit}/paper-kit",
}


def answer_text(answer: Any) -> str:
    """What an answer says: a PDF's text as printed (CPR numbers also as ten digits)."""
    if answer.headers.get("content-type") == "application/pdf":
        return as_digits("\n".join(page_texts(answer.content)))
    return str(answer.text)


def spec_get_paths() -> set[str]:
    paths = json.loads(SPEC.read_text(encoding="utf-8"))["paths"]
    return {path for path, operations in paths.items() if "get" in operations}


def allowed(canary: Canary, role: Role, units: list[str] | None, purpose: str | None) -> bool:
    if canary.unit is not None and (
        role not in RECORD_ROLES or (units is not None and canary.unit not in units)
    ):
        return False
    return canary.in_summary or purpose in ROLE_PURPOSES.get(role, set())


@dataclass(frozen=True)
class Asker:
    role: Role
    scope: str
    key: str
    key_id: str

    @property
    def units(self) -> list[str] | None:
        return SCOPES[self.scope]


async def run_matrix(
    client: Client, pool: asyncpg.Pool, seed: Seed, askers: list[Asker]
) -> tuple[list[str], set[str], Counter[int]]:
    """Every call by every asker for every purpose: the violations, the canaries seen, and the
    answers by status."""
    violations: list[str] = []
    seen: set[str] = set()
    statuses: Counter[int] = Counter()
    for asker in askers:
        auth = {"Authorization": f"Bearer {asker.key}"}
        for purpose in PURPOSES:
            for operation, calls in CALLS.items():
                for call in calls(seed):
                    params = call.params | ({"purpose": purpose} if purpose else {})
                    headers = auth | (call.headers or {})
                    before = await pool.fetchval("SELECT coalesce(max(id), 0) FROM access_log")
                    if operation == STREAM:
                        asked = Call(call.path, params, call.headers)
                        status, text = await first_chunks(client, asked.path, asked.params, headers)
                    else:
                        answer = await client.get(call.path, params=params, headers=headers)
                        status, text = answer.status_code, answer_text(answer)
                    statuses[status] += 1
                    if operation == STREAM and status == 200:
                        assert "event: incident" in text, text  # the stream did say something
                    where = f"{asker.role}/{asker.scope}/{purpose} {call.path} {call.params}"
                    violations += [
                        f"{where}: the record {m.text} of {m.unit}"
                        for m in seed.markers
                        if m.text in text
                        and status != 404  # the id asked for, echoed: "nothing with id ..."
                        and not allowed(m, asker.role, asker.units, purpose)
                    ]
                    shown = [c for c in seed.canaries if c.text in text]
                    if not shown:
                        continue
                    logged = {
                        r["citizen_ref"]
                        for r in await pool.fetch(
                            "SELECT citizen_ref FROM access_log WHERE id > $1 AND key_id = $2 "
                            "AND purpose = $3",
                            before,
                            asker.key_id,
                            purpose,
                        )
                    }
                    for canary in shown:
                        seen.add(canary.text)
                        if operation not in PERSONAL or status != 200:
                            violations.append(f"{where}: {canary} on a path that shows none")
                        elif not allowed(canary, asker.role, asker.units, purpose):
                            violations.append(f"{where}: {canary}")
                        elif (
                            not canary.in_summary
                            and canary.citizen is not None
                            and canary.citizen not in logged
                        ):
                            violations.append(f"{where}: {canary} shown without an access-log row")
    return violations, seen, statuses


async def make_askers(pool: asyncpg.Pool) -> list[Asker]:
    askers = []
    for role in Role:
        for scope, units in SCOPES.items():
            key = await create_key(pool, role, f"matrix {role} {scope}", units=units)
            key_id = await pool.fetchval(
                "SELECT key_id::text FROM api_keys WHERE key_hash = $1", hash_key(key)
            )
            askers.append(Asker(role, scope, key, key_id))
    return askers


async def assert_the_seed_covers_every_sealed_field(pool: asyncpg.Pool, seed: Seed) -> None:
    """Every event type is in the seed, and each sealed field of each seeded event is a canary."""
    from service.log.chain import ROW_COLUMNS
    from service.log.events import RecordedEvent

    rows = await pool.fetch(f"SELECT {ROW_COLUMNS} FROM events WHERE position > $1", seed.start)
    events = await Vault(pool, SEALING_KEY).open([RecordedEvent.from_row(r) for r in rows])
    wanted = {name for kind in KINDS for name in kind.event_types}
    assert wanted <= {e.type for e in events}, "seed every new event type in tests/api/seeded.py"
    codec, texts = Codec(), [c.text for c in seed.canaries]
    for event in events:
        data = codec.data(event)
        cls = codec.kinds[event.stream_type].event_types[event.type]
        for path in sealed_paths(cls):
            node: Any = data
            for part in path.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if node is not None:
                assert any(t in json.dumps(node) for t in texts), (event.type, path, node)


async def test_who_sees_what_on_every_get_operation(
    client: Client, pool: asyncpg.Pool, keys: dict[Role, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert set(CALLS) == spec_get_paths(), "say in CALLS how to ask the new GET operation"
    client.headers["Authorization"] = f"Bearer {keys[Role.ADMIN]}"
    seed = await seed_log(client, pool)
    await assert_the_seed_covers_every_sealed_field(pool, seed)
    askers = await make_askers(pool)
    violations, seen, statuses = await run_matrix(client, pool, seed, askers)
    calls = sum(len(calls(seed)) for calls in CALLS.values())
    print(
        f"disclosure matrix: {len(CALLS)} GET operations ({calls} calls) x {len(askers)} keys "
        f"x {len(PURPOSES)} purposes = {calls * len(askers) * len(PURPOSES)} requests; "
        f"{dict(statuses)}"
    )
    assert violations == []
    tracked = {c.text for c in seed.canaries if c.unit is not None or c.citizen is not None}
    incident_own = {c.text for c in seed.canaries if c.unit is None and "printed" not in c.text}
    assert tracked | incident_own <= seen, "a canary the rule allows somewhere showed nowhere"

    # Nothing sealed went anywhere but the sealed column: not the events' plain columns, not a
    # projection, not the idempotency records, not a log line, not the metrics.
    tables = await pool.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'events'"
    )
    everything = "SELECT coalesce(string_agg(to_jsonb(t)::text, ''), '') FROM {} t"
    dumps = [
        str(
            await pool.fetchval(
                everything.format("(SELECT * FROM events)").replace(
                    "to_jsonb(t)", "(to_jsonb(t) - 'sealed')"
                )
            )
        )
    ] + [str(await pool.fetchval(everything.format(f'"{t["tablename"]}"'))) for t in tables]
    metrics = (await client.get("/metrics")).text
    for canary in seed.canaries:
        for text in (*dumps, caplog.text, metrics):
            assert canary.text not in text, canary

    # Forgetting citizen X erases X's every canary, the correction's included, for every key.
    assert await forget(pool, seed.citizens["X"])
    violations, seen, _ = await run_matrix(client, pool, seed, askers)
    assert violations == []
    assert not {c.text for c in seed.of("X")} & seen
    assert {c.text for c in seed.of("Y")} <= seen  # the other citizen is untouched
