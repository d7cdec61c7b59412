"""No dose is given twice by mistake: a dispensing for an occurrence already given is 409 unless
the repeat is confirmed with a reason, and of dispensings sent at once exactly one is stored. And
the incident closes only when no vital occurrence is overdue, or a leader waives it."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from service.access.auth import Role, create_key
from service.write.records import MAX_REPEATS
from tests.api.outage import Client, step
from tests.api.rounds_setup import dose, outage_with_a_list, rounds_at

pytestmark = pytest.mark.anyio


async def test_a_second_dose_for_an_occurrence_given_is_refused_unless_confirmed_with_a_reason(
    client: Client,
) -> None:
    outage = await outage_with_a_list(client)
    path = f"/v1/incidents/{outage.incident}/medication-dispensings"
    first = await client.post(path, json=dose(outage))  # matched by time: 08:05
    assert first.status_code == 201, first.text
    again = await client.post(path, json=dose(outage, at="2026-03-05T08:15:00+01:00"))
    assert again.status_code == 409, again.text
    problem = again.json()
    assert problem["type"].endswith("already-given")
    assert problem["given_record_id"] == first.json()["record_id"]
    assert "07:05:00+00:00" in problem["detail"]
    assert problem["given_at"] == "2026-03-05T07:05:00Z"  # when, for a screen to say in words
    no_reason = await client.post(path, json=dose(outage, confirm_repeat=True))
    assert no_reason.status_code == 422
    assert no_reason.json()["type"].endswith("repeat-needs-reason")
    confirmed = await client.post(
        path, json=dose(outage, confirm_repeat=True, reason="Kastede dosis op")
    )
    assert confirmed.status_code == 201, confirmed.text
    shown = await rounds_at(client, outage)
    assert shown["counts"]["given"] == 1


@pytest.mark.parametrize("writers", [2, 10])
async def test_concurrent_dispensings_for_one_occurrence_store_exactly_one(
    client: Client, writers: int
) -> None:
    outage = await outage_with_a_list(client)
    occurrence = (await rounds_at(client, outage))["occurrences"][0]["occurrence_id"]
    path = f"/v1/incidents/{outage.incident}/medication-dispensings"
    answers = await asyncio.gather(
        *(client.post(path, json=dose(outage, occurrence_id=occurrence)) for _ in range(writers))
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * (writers - 1), [a.text for a in answers]
    (stored,) = (a.json()["position"] for a in answers if a.status_code == 201)
    records = await client.get(  # read once the worklist holds the one stored
        "/v1/back-entry", params={"incident": outage.incident, "after_position": stored}
    )
    assert len(records.json()) == 1


async def test_closing_with_a_vital_dose_overdue_needs_a_leaders_waiver(
    client: Client, keys: dict[Role, str]
) -> None:
    outage = await outage_with_a_list(client)
    events = f"/v1/incidents/{outage.incident}/events"
    restored = step("system-restored", at="2026-03-05T09:00:00+01:00", system="nexus")
    assert (await client.post(events, json=restored)).status_code == 201
    closing = step("incident-closed", at="2026-03-05T09:10:00+01:00")
    refused = await client.post(events, json=closing)
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"].endswith("vital-needs-unaccounted")
    waived = {**closing, "waiver_reason": "Aase indlagt kl. 7.45"}
    not_leader = await client.post(events, json=waived)
    assert not_leader.status_code == 422
    leader = {"Authorization": f"Bearer {keys[Role.LEADER]}"}
    closed = await client.post(events, json=waived, headers=leader)
    assert closed.status_code == 201, closed.text


async def test_closing_once_the_vital_dose_is_given_needs_no_waiver(client: Client) -> None:
    outage = await outage_with_a_list(client)
    given = await client.post(
        f"/v1/incidents/{outage.incident}/medication-dispensings", json=dose(outage)
    )
    assert given.status_code == 201
    events = f"/v1/incidents/{outage.incident}/events"
    restored = step("system-restored", at="2026-03-05T09:00:00+01:00", system="nexus")
    assert (await client.post(events, json=restored)).status_code == 201
    entry = {"by": {"id": "emp-1042"}, "entered_at": "2026-03-05T09:05:00+01:00"}
    record = given.json()["record_id"]
    assert (
        await client.post(f"/v1/manual-records/{record}/journal-entry", json=entry)
    ).status_code == 201
    closing = step("incident-closed", at="2026-03-05T09:10:00+01:00")
    closed = await client.post(events, json=closing)
    assert closed.status_code == 201, closed.text


async def test_another_units_key_cannot_take_the_dose_slots_of_an_occurrence_it_does_not_have(
    client: Client, pool: asyncpg.Pool
) -> None:
    """A dose names an occurrence of another unit's rounds (its id is computable from the
    unit, the citizen_ref and the item): it is a record of its own, so the other unit's carer
    can still record the dose given, however many times the key tries."""
    theirs = await outage_with_a_list(client)
    ours = await outage_with_a_list(client)
    occurrence = (await rounds_at(client, theirs))["occurrences"][0]["occurrence_id"]
    key = await create_key(pool, Role.STAFF, "ours", units=[ours.unit])
    foreign = {"Authorization": f"Bearer {key}"}
    path = f"/v1/incidents/{theirs.incident}/medication-dispensings"
    for n in range(MAX_REPEATS + 1):
        squat = dose(ours, at="2026-03-05T13:00:00+01:00", occurrence_id=occurrence,
                     confirm_repeat=True, reason=f"r{n}")  # fmt: skip
        answer = await client.post(path, json=squat, headers=foreign)
        assert answer.status_code == 201, answer.text
    given = await client.post(path, json=dose(theirs, occurrence_id=occurrence))
    assert given.status_code == 201, given.text
    assert (await rounds_at(client, theirs))["counts"]["given"] == 1
