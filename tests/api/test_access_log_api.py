"""Citizens' names and CPR numbers are shown only for a purpose the role may have, and every
response that shows them writes the access log first; without the log, nothing is shown."""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
import pytest

from service.access.auth import Role
from tests.api.outage import CPR_DIGITS, Client, declare, dispensing

pytestmark = pytest.mark.anyio


def as_(keys: dict[Role, str], role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys[role]}"}


async def paper(client: Client) -> tuple[str, str, str, int]:
    incident = await declare(client)
    made = await client.post(f"/v1/incidents/{incident}/medication-dispensings", json=dispensing())
    body = made.json()
    return incident, body["record_id"], body["citizen_ref"], body["position"]


async def log_rows(pool: asyncpg.Pool, citizen_ref: str) -> int:
    return int(
        await pool.fetchval("SELECT count(*) FROM access_log WHERE citizen_ref = $1", citizen_ref)
    )


async def test_n_reads_of_a_citizens_identity_write_exactly_n_access_log_rows(
    client: Client, pool: asyncpg.Pool, keys: dict[Role, str]
) -> None:
    incident, record, ref, position = await paper(client)
    before = await log_rows(pool, ref)  # the same synthetic citizen may have been read before
    plain = await client.get(f"/v1/manual-records/{record}")
    assert CPR_DIGITS not in plain.text
    assert "citizen_name" not in plain.json()
    assert await log_rows(pool, ref) == before
    for _ in range(3):
        shown = await client.get(f"/v1/manual-records/{record}", params={"purpose": "treatment"})
        assert shown.json()["citizen_cpr"] == CPR_DIGITS
        assert shown.json()["citizen_name"] == "Synthetic Borger"
    worklist = await client.get(
        "/v1/back-entry",
        params={"incident": incident, "purpose": "back-entry", "after_position": position},
    )
    assert worklist.json()[0]["citizen_name"] == "Synthetic Borger"
    assert await log_rows(pool, ref) == before + 4
    audit = await client.get(
        "/v1/access-log", params={"citizen_ref": ref}, headers=as_(keys, Role.AUDITOR)
    )
    assert [(a["purpose"], a["role"], a["endpoint"]) for a in audit.json()[before:]] == [
        ("treatment", "staff", "GET /v1/manual-records/{record_id}")
    ] * 3 + [("back-entry", "staff", "GET /v1/back-entry")]
    assert CPR_DIGITS not in audit.text


@pytest.mark.parametrize(
    ("role", "purpose", "slug"),
    [
        (Role.IT, "treatment", "forbidden"),  # IT does not read paper records at all
        (Role.AUDITOR, "treatment", "purpose-not-allowed"),
        (Role.STAFF, "audit", "purpose-not-allowed"),
    ],
)
async def test_a_purpose_the_role_may_not_have_shows_nothing(
    client: Client,
    pool: asyncpg.Pool,
    keys: dict[Role, str],
    role: Role,
    purpose: str,
    slug: str,
) -> None:
    _, record, ref, _ = await paper(client)
    before = await log_rows(pool, ref)
    refused = await client.get(
        f"/v1/manual-records/{record}", params={"purpose": purpose}, headers=as_(keys, role)
    )
    assert refused.status_code == 403
    assert refused.json()["type"] == f"/problems/{slug}"
    assert CPR_DIGITS not in refused.text
    assert await log_rows(pool, ref) == before


@pytest.fixture
def unwritable_access_log(database_url: str) -> Iterator[None]:
    import asyncio

    async def alter(sql: str) -> None:
        conn = await asyncpg.connect(database_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(
        alter("ALTER TABLE access_log ADD CONSTRAINT closed_for_test CHECK (false) NOT VALID")
    )
    try:
        yield
    finally:
        asyncio.run(alter("ALTER TABLE access_log DROP CONSTRAINT closed_for_test"))


async def test_without_an_access_log_the_read_fails_and_discloses_nothing(
    client: Client, unwritable_access_log: None, caplog: pytest.LogCaptureFixture
) -> None:
    incident, record, _, position = await paper(client)
    reads: tuple[tuple[str, dict[str, str | int]], ...] = (
        (f"/v1/manual-records/{record}", {"purpose": "treatment"}),
        (
            "/v1/back-entry",
            {"incident": incident, "purpose": "back-entry", "after_position": position},
        ),
    )
    for path, params in reads:
        response = await client.get(path, params=params)
        assert response.status_code == 503
        assert response.json()["type"] == "/problems/access-log-unavailable"
        assert CPR_DIGITS not in response.text
        assert "Synthetic Borger" not in response.text
    # And it says so where the operator looks: an error, not a quiet "database unavailable".
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert any("access log cannot be written" in r.getMessage() for r in errors)
