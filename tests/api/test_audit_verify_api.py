"""GET /v1/audit/verify: an auditor recomputes the hash chain over HTTP and sees where it breaks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.auth import Role, create_key
from tests.api.outage import NEXUS_DOWN, step
from tests.apps import settings_for

pytestmark = pytest.mark.anyio


@pytest.fixture
async def own_log(fresh_database_url: str) -> AsyncIterator[tuple[AsyncTestClient[Litestar], str]]:
    """A client on a database of its own (the test breaks its log), with an auditor's key."""
    pool = await asyncpg.create_pool(fresh_database_url, min_size=1, max_size=2)
    try:
        keys = {role: await create_key(pool, role, f"test {role}") for role in Role}
    finally:
        await pool.close()
    app = create_app(settings_for(fresh_database_url))
    async with AsyncTestClient(app=app) as client:
        client.headers["Authorization"] = f"Bearer {keys[Role.STAFF]}"
        yield client, keys[Role.AUDITOR]


async def test_an_auditor_sees_the_chain_hold_then_break_where_a_row_was_altered(
    own_log: tuple[AsyncTestClient[Litestar], str], fresh_database_url: str
) -> None:
    client, auditor = own_log
    incident = (await client.post("/v1/incidents", json=NEXUS_DOWN)).json()["incident_id"]
    for system in ("nexus", "fmk"):
        restored = step("system-restored", system=system)
        assert (await client.post(f"/v1/incidents/{incident}/events", json=restored)).is_success
    as_auditor = {"Authorization": f"Bearer {auditor}"}

    held = await client.get("/v1/audit/verify", headers=as_auditor)
    assert held.status_code == 200
    assert held.json() == {"ok": True, "checked": 3}
    assert (await client.get("/v1/audit/verify")).status_code == 403  # staff may not

    conn = await asyncpg.connect(fresh_database_url)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")  # bypass triggers
            await conn.execute(
                "UPDATE events SET occurred_at = occurred_at + interval '1 hour' WHERE position = 2"
            )
    finally:
        await conn.close()
    broken = await client.get("/v1/audit/verify", headers=as_auditor)
    assert broken.json() == {"ok": False, "checked": 1, "first_bad_position": 2}
