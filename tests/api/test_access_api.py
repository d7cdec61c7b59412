"""Who may do what: the role matrix is declared once and holds for every operation and role; keys
are made, listed and revoked with `nedbrud keys`, and a revoked key fails at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from service.access.auth import Role
from service.access.matrix import MATRIX
from tests.api.outage import Client

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = json.loads((ROOT / "openapi" / "openapi.json").read_text(encoding="utf-8"))
SOME_ID = "00000000-0000-4000-8000-000000000000"


def operations() -> dict[str, tuple[str, str]]:
    """operationId -> (method, a concrete path) for everything under /v1."""
    found = {}
    for path, methods in OPENAPI["paths"].items():
        if not path.startswith("/v1"):
            continue
        concrete = (
            path.replace("{incident_id}", SOME_ID)
            .replace("{record_id}", SOME_ID)
            .replace("{key_id}", SOME_ID)
            .replace("{unit}", "botilbud-solsikken")
            .replace("{webhook_id}", SOME_ID)
        )
        for method, spec in methods.items():
            found[spec["operationId"]] = (method.upper(), concrete)
    return found


def test_every_operation_of_the_api_is_in_the_role_matrix() -> None:
    assert set(operations()) == set(MATRIX)


CASES = [(op, role) for op in sorted(MATRIX) for role in Role]


@pytest.mark.parametrize(("operation", "role"), CASES, ids=[f"{o}-{r}" for o, r in CASES])
async def test_each_role_may_call_exactly_the_operations_the_matrix_allows(
    client: Client, keys: dict[Role, str], operation: str, role: Role
) -> None:
    method, path = operations()[operation]
    headers = {"Authorization": f"Bearer {keys[role]}"}
    kwargs: dict[str, Any] = {"headers": headers}
    if method == "POST":
        kwargs["json"] = {}
    if operation == "streamSituation":
        kwargs["params"] = {"after_position": 10**12}  # refused before any stream starts
    response = await client.request(method, path, **kwargs)
    allowed = role is Role.ADMIN or role in MATRIX[operation]
    if allowed:
        assert response.status_code not in (401, 403), response.text
    else:
        assert response.status_code == 403, response.text
        assert response.json()["type"] == "/problems/forbidden"


def nedbrud(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=os.environ | {"DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


async def test_a_key_made_listed_and_revoked_with_the_cli_fails_at_once(
    client: Client, database_url: str
) -> None:
    made = nedbrud(
        database_url,
        "keys",
        "create",
        "--role",
        "staff",
        "--unit",
        "botilbud-solsikken",
        "--label",
        "Solsikken vagttelefon",
    )
    assert made.returncode == 0, made.stderr
    created = json.loads(made.stdout)
    assert created["key"].startswith("nbd_")
    listed = nedbrud(database_url, "keys", "list")
    line = next(x for x in listed.stdout.splitlines() if created["key_id"] in x)
    assert "staff" in line
    assert "botilbud-solsikken" in line
    assert created["key"] not in listed.stdout  # only its hash is kept
    headers = {"Authorization": f"Bearer {created['key']}"}
    assert (await client.get("/v1/situation", headers=headers)).status_code == 200
    revoked = nedbrud(database_url, "keys", "revoke", created["key_id"])
    assert revoked.returncode == 0, revoked.stderr
    after = await client.get("/v1/situation", headers=headers)
    assert after.status_code == 401
    assert nedbrud(database_url, "keys", "revoke", created["key_id"]).returncode == 1
