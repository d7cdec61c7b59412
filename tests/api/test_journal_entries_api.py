"""Efterregistrering at scale: hundreds of paper records entered into the journal in one request,
each answered on its own as its own journal-entry would be, in a few commits."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import pytest

from service.access.auth import Role, create_key
from tests.api.outage import Client, care, declare, dispensing, log_size, record_dispensing

pytestmark = pytest.mark.anyio

BULK = "/v1/manual-records/journal-entries"
ENTERED = {"by": {"id": "emp-1042"}, "entered_at": "2026-03-06T09:30:00+01:00"}
OURS, THEIRS = "botilbud-solsikken", "botilbud-rosen"


async def many_records(client: Client, incident: str, n: int, **fields: Any) -> list[str]:
    """`n` dispensings of the outage, posted fifty at a time."""
    ids: list[str] = []
    for start in range(0, n, 50):
        answers = await asyncio.gather(
            *(
                client.post(
                    f"/v1/incidents/{incident}/medication-dispensings",
                    json=dispensing(
                        dispensed_at=f"2026-03-05T{16 + i // 60:02d}:{i % 60:02d}:00+01:00",
                        **fields,
                    ),
                )
                for i in range(start, min(start + 50, n))
            )
        )
        assert all(a.status_code == 201 for a in answers), answers[0].text
        ids += [a.json()["record_id"] for a in answers]
    return ids


async def entered_events(pool: asyncpg.Pool, ids: list[str]) -> dict[str, int]:
    rows = await pool.fetch(
        "SELECT stream_id::text AS id, count(*) AS n FROM events "
        "WHERE type = 'entered-in-journal' AND stream_id = ANY($1::uuid[]) GROUP BY stream_id",
        ids,
    )
    return {r["id"]: r["n"] for r in rows}


async def test_three_hundred_records_are_entered_in_one_request_in_a_few_commits(
    client: Client, pool: asyncpg.Pool
) -> None:
    incident = await declare(client)
    ids = await many_records(client, incident, 300)
    stats = client.app.state.store.stats
    before = stats.transactions
    answer = await client.post(
        BULK, json={"record_ids": ids, **ENTERED, "journal_reference": "EPJ-77"}
    )
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["record_id"] for r in results] == ids  # in the order asked
    assert {r["status"] for r in results} == {"accepted"}
    commits = stats.transactions - before
    assert commits <= 6, commits  # group commit: not one transaction per record
    assert await entered_events(pool, ids) == dict.fromkeys(ids, 1)
    last = max(r["receipt"]["position"] for r in results)
    params = {"incident": incident, "status": "entered", "limit": 1, "after_position": last}
    worklist = await client.get("/v1/back-entry", params=params)
    assert worklist.headers["X-Total-Count"] == "300"
    assert worklist.json()[0]["journal_reference"] == "EPJ-77"


async def test_more_than_500_records_in_one_request_is_refused_naming_the_field(
    client: Client, pool: asyncpg.Pool
) -> None:
    before = await log_size(pool)
    ids = [str(uuid.uuid4()) for _ in range(501)]
    refused = await client.post(BULK, json={"record_ids": ids, **ENTERED})
    assert refused.status_code == 422
    assert "record_ids" in {e["field"] for e in refused.json()["errors"]}
    said = await client.post(
        BULK, json={"record_ids": ids, **ENTERED}, headers={"Accept-Language": "da"}
    )
    assert "De valgte registreringer" in said.json()["detail"]
    twice = await client.post(BULK, json={"record_ids": [ids[0], ids[0]], **ENTERED})
    assert twice.status_code == 422
    assert twice.json()["errors"][0]["field"] == "record_ids"
    assert await log_size(pool) == before


async def test_each_record_is_answered_on_its_own_and_a_refusal_holds_up_none(
    client: Client, pool: asyncpg.Pool
) -> None:
    incident = await declare(client)
    fresh, entered, voided = [await record_dispensing(client, incident) for _ in range(3)]
    assert (
        await client.post(f"/v1/manual-records/{entered}/journal-entry", json=ENTERED)
    ).is_success
    void = {"by": {"id": "emp-1042"}, "reason": "fejl", "occurred_at": "2026-03-05T21:00:00+01:00"}
    assert (await client.post(f"/v1/manual-records/{voided}/void", json=void)).is_success
    unknown = str(uuid.uuid4())
    asked = [entered, fresh, unknown, voided, incident]
    answer = await client.post(
        BULK, json={"record_ids": asked, **ENTERED}, headers={"Accept-Language": "da"}
    )
    assert answer.status_code == 200, answer.text
    got = [
        (r["status"], r["http_status"], (r.get("problem") or {}).get("type"))
        for r in answer.json()["results"]
    ]
    assert got == [
        ("refused", 422, "/problems/already-entered-in-journal"),
        ("accepted", 201, None),
        ("refused", 404, "/problems/not-found"),
        ("refused", 422, "/problems/record-voided"),
        ("refused", 404, "/problems/not-found"),  # an incident is no paper record
    ]
    assert answer.json()["results"][0]["problem"]["title"] == "Allerede indtastet i journal"
    assert await entered_events(pool, asked) == {entered: 1, fresh: 1}


async def test_a_unit_key_enters_its_own_units_records_and_learns_nothing_of_another_units(
    client: Client, pool: asyncpg.Pool
) -> None:
    key = await create_key(pool, Role.STAFF, "Solsikken", units=[OURS])
    solsikken = {"Authorization": f"Bearer {key}"}
    incident = await declare(client, None)
    ours = await record_dispensing(client, incident, unit=OURS)
    made = await client.post(f"/v1/incidents/{incident}/care-deliveries", json=care(unit=THEIRS))
    theirs, unknown = made.json()["record_id"], str(uuid.uuid4())
    answer = await client.post(
        BULK, json={"record_ids": [theirs, ours, unknown], **ENTERED}, headers=solsikken
    )
    first, own, none = answer.json()["results"]
    assert own["status"] == "accepted"
    assert (first["status"], first["http_status"]) == (none["status"], none["http_status"])
    assert first["problem"]["detail"] == none["problem"]["detail"].replace(unknown, theirs)
    assert THEIRS not in answer.text  # not even which unit it is of
    assert await entered_events(pool, [ours, theirs]) == {ours: 1}


async def test_the_same_key_and_body_get_the_first_answers_and_another_body_is_a_conflict(
    client: Client, pool: asyncpg.Pool
) -> None:
    incident = await declare(client)
    ids = [await record_dispensing(client, incident) for _ in range(3)]
    body = {"record_ids": ids[:2], **ENTERED}
    key = {"Idempotency-Key": f"bulk-{uuid.uuid4()}"}
    first = await client.post(BULK, json=body, headers=key)
    assert [r["status"] for r in first.json()["results"]] == ["accepted", "accepted"]
    size = await log_size(pool)
    again = await client.post(BULK, json=body, headers=key)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert [r["status"] for r in again.json()["results"]] == ["duplicate", "duplicate"]
    assert [r["receipt"] for r in again.json()["results"]] == [
        r["receipt"] for r in first.json()["results"]
    ]
    for other in ({**body, "record_ids": ids[2:]}, {**body, "journal_reference": "X-1"}):
        conflict = await client.post(BULK, json=other, headers=key)
        assert conflict.status_code == 409
        assert conflict.json()["type"] == "/problems/idempotency-key-reused"
    assert await log_size(pool) == size
    assert await entered_events(pool, ids) == {ids[0]: 1, ids[1]: 1}


async def test_a_record_entered_alone_while_in_a_bulk_request_is_entered_once(
    client: Client, pool: asyncpg.Pool
) -> None:
    incident = await declare(client)
    ids = await many_records(client, incident, 20)
    *singles, together = await asyncio.gather(
        *(client.post(f"/v1/manual-records/{i}/journal-entry", json=ENTERED) for i in ids[:5]),
        client.post(BULK, json={"record_ids": ids, **ENTERED}),
    )
    results = together.json()["results"]
    for single, result in zip(singles, results[:5], strict=True):
        # Whichever came first entered it; the other was told it already was.
        assert sorted([single.status_code, result["http_status"]]) == [201, 422]
    assert {r["status"] for r in results[5:]} == {"accepted"}
    assert await entered_events(pool, ids) == dict.fromkeys(ids, 1)
