"""A staff key for one botilbud acts for that botilbud only: it cannot write or read another
unit's paper records, and its worklist, readiness and timelines show its own unit's."""

from __future__ import annotations

import asyncpg
import pytest

from service.access.auth import Role, create_key
from tests.api.outage import Client, care, declare, dispensing, log_size

pytestmark = pytest.mark.anyio

OURS, THEIRS = "botilbud-solsikken", "botilbud-rosen"
ENTERED = {"by": {"id": "emp-1042"}, "entered_at": "2026-03-06T09:30:00+01:00"}
PRINT = {
    "printed_at": "2026-03-05T08:00:00+01:00",
    "by": {"id": "emp-1042"},
    "list_as_of": "2026-03-05T07:00:00+01:00",
}


@pytest.fixture
async def solsikken(pool: asyncpg.Pool) -> dict[str, str]:
    key = await create_key(pool, Role.STAFF, "Solsikken", units=[OURS])
    return {"Authorization": f"Bearer {key}"}


async def test_a_unit_key_cannot_write_another_units_paper_records(
    client: Client, pool: asyncpg.Pool, solsikken: dict[str, str]
) -> None:
    incident = await declare(client, None)
    url = f"/v1/incidents/{incident}"
    own = await client.post(
        f"{url}/medication-dispensings", json=dispensing(unit=OURS), headers=solsikken
    )
    assert own.status_code == 201
    before = await log_size(pool)
    for path, body in (
        (f"{url}/medication-dispensings", dispensing(unit=THEIRS)),
        (f"{url}/care-deliveries", care(unit=THEIRS)),
        (f"/v1/units/{THEIRS}/medication-list-prints", PRINT),
    ):
        refused = await client.post(path, json=body, headers=solsikken)
        assert refused.status_code == 403
        assert refused.json()["type"] == "/problems/unit-not-allowed"
    assert await log_size(pool) == before


async def test_a_unit_key_cannot_enter_void_or_read_another_units_record(
    client: Client, pool: asyncpg.Pool, solsikken: dict[str, str]
) -> None:
    incident = await declare(client, None)
    theirs = await client.post(f"/v1/incidents/{incident}/care-deliveries", json=care(unit=THEIRS))
    record = theirs.json()["record_id"]
    before = await log_size(pool)
    assert (
        await client.post(
            f"/v1/manual-records/{record}/journal-entry", json=ENTERED, headers=solsikken
        )
    ).status_code == 403
    void = {"by": {"id": "emp-1042"}, "reason": "x", "occurred_at": "2026-03-05T21:00:00+01:00"}
    assert (
        await client.post(f"/v1/manual-records/{record}/void", json=void, headers=solsikken)
    ).status_code == 403
    assert (await client.get(f"/v1/manual-records/{record}", headers=solsikken)).status_code == 403
    assert await log_size(pool) == before
    assert (await client.get(f"/v1/manual-records/{record}")).status_code == 200  # all units


async def test_a_unit_keys_worklist_readiness_and_timeline_show_its_own_unit(
    client: Client, solsikken: dict[str, str]
) -> None:
    incident = await declare(client, None)
    url = f"/v1/incidents/{incident}"
    own = await client.post(f"{url}/care-deliveries", json=care(unit=OURS))
    theirs = await client.post(f"{url}/care-deliveries", json=care(unit=THEIRS))
    await client.post(f"/v1/units/{THEIRS}/medication-list-prints", json=PRINT)
    printed = await client.post(f"/v1/units/{OURS}/medication-list-prints", json=PRINT)
    after = max(theirs.json()["position"], printed.json()["position"])
    worklist = await client.get(
        "/v1/back-entry", headers=solsikken, params={"incident": incident, "after_position": after}
    )
    assert [i["record_id"] for i in worklist.json()] == [own.json()["record_id"]]
    assert worklist.headers["x-total-count"] == "1"
    other = await client.get("/v1/back-entry", headers=solsikken, params={"unit": THEIRS})
    assert other.status_code == 403
    units = await client.get("/v1/readiness", headers=solsikken, params={"after_position": after})
    assert {u["unit"] for u in units.json()} == {OURS}
    timeline = (await client.get(f"{url}/timeline", headers=solsikken)).json()
    streams = {e["stream_id"] for e in timeline}
    assert own.json()["record_id"] in streams
    assert theirs.json()["record_id"] not in streams
