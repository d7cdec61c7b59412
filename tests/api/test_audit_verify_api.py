"""GET /v1/audit/verify: an auditor recomputes the hash chain over HTTP and sees where it breaks."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.access.auth import Role, create_key
from service.app import create_app
from tests.api.outage import NEXUS_DOWN, step
from tests.apps import settings_for

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["chain only", "with checkpoints"])
async def own_log(
    fresh_database_url: str, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[AsyncTestClient[Litestar], str]]:
    """A client on a database of its own (the test breaks its log), with an auditor's key; the
    service writes a signed checkpoint every 50 ms or none at all."""
    pool = await asyncpg.create_pool(fresh_database_url, min_size=1, max_size=2)
    try:
        keys = {role: await create_key(pool, role, f"test {role}") for role in Role}
    finally:
        await pool.close()
    signing = request.param == "with checkpoints"
    data_dir = Path(tempfile.mkdtemp(prefix="nedbrud-checkpoints-"))
    settings = settings_for(
        fresh_database_url, data_dir=data_dir, checkpoint_interval_s=0.05 if signing else 0
    )
    app = create_app(settings)
    try:
        async with AsyncTestClient(app=app) as client:
            client.headers["Authorization"] = f"Bearer {keys[Role.STAFF]}"
            yield client, keys[Role.AUDITOR]
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


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


async def test_a_removed_tail_is_found_only_against_the_signed_checkpoint(
    own_log: tuple[AsyncTestClient[Litestar], str], fresh_database_url: str
) -> None:
    client, auditor = own_log
    incident = (await client.post("/v1/incidents", json=NEXUS_DOWN)).json()["incident_id"]
    for system in ("nexus", "fmk"):
        restored = step("system-restored", system=system)
        assert (await client.post(f"/v1/incidents/{incident}/events", json=restored)).is_success
    as_auditor = {"Authorization": f"Bearer {auditor}"}
    signing = client.app.state.checkpoint_signer is not None
    folder = client.app.state.checkpoint_dir
    for _ in range(200):  # the service signs the head within 50 ms
        if not signing or (folder / "checkpoint-000000000000003.json").exists():
            break
        await asyncio.sleep(0.05)

    conn = await asyncpg.connect(fresh_database_url)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")  # bypass triggers
            await conn.execute("DELETE FROM events WHERE position = 3")
    finally:
        await conn.close()
    after = (await client.get("/v1/audit/verify", headers=as_auditor)).json()
    if signing:
        assert after == {"ok": False, "checked": 2, "first_bad_position": 3}
    else:  # what a chain alone cannot see: the reason checkpoints exist
        assert after == {"ok": True, "checked": 2}
