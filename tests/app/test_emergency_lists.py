"""The emergency list (nødliste) and the rounds on the in-memory log: versions kept, the current
one read, a dose given on its slot and never twice by mistake, and the closing gate for vital
needs."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from domain.emergency_list import ListCitizen
from domain.errors import WaiverNeedsLeader
from domain.occurrences import dose_slot
from domain.rounds_errors import AlreadyGiven, RepeatNeedsReason, VitalNeedsUnaccounted
from service.write import commands as c
from service.write.emergency_lists import list_stream_id
from service.write.use_cases import Answer
from tests.app.conftest import IT, LEADER, STAFF, House, ctx, declare, receipt, step
from tests.app.paper import dose
from tests.domain.nodliste import AASE, CARLA, CITIZENS, THU, UNIT, local, occ
from tests.domain.people import ANNE, LEADER_LIS, restore_all

pytestmark = pytest.mark.anyio

AS_OF = local(date(2026, 3, 1), 6)
AASE_AT_18 = local(THU, 18, 5)
THU_22_00 = local(THU, 22)


def keeping(list_as_of: datetime, citizens: tuple[ListCitizen, ...]) -> c.KeepEmergencyList:
    """A new version of Solsikken's list, its citizens named by their refs."""
    given = tuple(
        c.ListCitizenGiven(
            c.NamedCitizen(ref=e.citizen_ref, name=e.citizen.name if e.citizen else None),
            e.vital_needs,
            e.items,
        )
        for e in citizens
    )
    return c.KeepEmergencyList(UNIT, list_as_of, ANNE, given)


async def outage(app: House) -> UUID:
    """Solsikken keeps its list; then Nexus and FMK go down: the incident's id."""
    await app.cases.keep_emergency_list(keeping(AS_OF, CITIZENS), ctx(STAFF))
    return await declare(app)


def closing(incident_id: UUID, waiver: str | None = None) -> c.CloseIncident:
    return c.CloseIncident(incident_id, LEADER_LIS, THU_22_00, waiver)


async def test_each_keeping_of_the_list_is_its_next_version(app: House) -> None:
    first = await app.cases.keep_emergency_list(keeping(AS_OF, CITIZENS), ctx(STAFF))
    later = datetime(2026, 3, 4, 8, tzinfo=UTC)
    answer = await app.cases.keep_emergency_list(keeping(later, CITIZENS[:2]), ctx(STAFF))
    assert (first.body["list_version"], answer.body["list_version"]) == (1, 2)
    assert receipt(answer).stream_id == list_stream_id(UNIT)
    current = await app.lists.current(UNIT)
    assert current is not None
    assert current.version.list_version == 2
    assert [c.citizen_ref for c in current.version.citizens] == [AASE, "cit_bent"]
    heads = await app.lists.heads()
    assert (heads[UNIT].list_version, heads[UNIT].list_as_of) == (2, later)
    assert await app.lists.current("botilbud-uden-liste") is None


async def test_a_dose_given_takes_the_first_dose_slot_of_its_occurrence(app: House) -> None:
    incident_id = await outage(app)
    answer = await app.cases.record_dispensing(dose(incident_id, AASE_AT_18), ctx(STAFF))
    assert receipt(answer).stream_id == dose_slot(occ(AASE, "insulin-aften", THU, "18:00"), 1)
    assert answer.body["record_id"] == str(receipt(answer).stream_id)


async def test_the_same_dose_again_is_refused_as_already_given(app: House) -> None:
    incident_id = await outage(app)
    await app.cases.record_dispensing(dose(incident_id, AASE_AT_18), ctx(STAFF))
    with pytest.raises(AlreadyGiven):
        await app.cases.record_dispensing(dose(incident_id, AASE_AT_18), ctx(STAFF))
    with pytest.raises(RepeatNeedsReason):
        await app.cases.record_dispensing(
            dose(incident_id, AASE_AT_18, confirm_repeat=True), ctx(STAFF)
        )
    repeat = dose(incident_id, AASE_AT_18, confirm_repeat=True, reason="Kastede op")
    answer = await app.cases.record_dispensing(repeat, ctx(STAFF))
    assert receipt(answer).stream_id == dose_slot(occ(AASE, "insulin-aften", THU, "18:00"), 2)


async def test_two_carers_giving_the_same_dose_at_once_are_told_it_is_given(app: House) -> None:
    incident_id = await outage(app)
    outcomes = await asyncio.gather(
        *(app.cases.record_dispensing(dose(incident_id, AASE_AT_18), ctx(STAFF)) for _ in range(2)),
        return_exceptions=True,
    )
    seen = [receipt(o) if isinstance(o, Answer) else o for o in outcomes]
    assert sorted(type(o).__name__ for o in seen) == ["AlreadyGiven", "Receipt"]


async def test_closing_with_a_vital_dose_overdue_needs_a_leaders_waiver(app: House) -> None:
    incident_id = await outage(app)
    await app.cases.record_incident_step(step(incident_id, restore_all, THU_22_00), ctx(IT))
    with pytest.raises(VitalNeedsUnaccounted):
        await app.cases.record_incident_step(closing(incident_id), ctx(LEADER))
    with pytest.raises(WaiverNeedsLeader):
        await app.cases.record_incident_step(closing(incident_id, "Ringet til lægen"), ctx(IT))
    await app.cases.record_incident_step(closing(incident_id, "Ringet til lægen"), ctx(LEADER))
    assert (await app.incidents.load(incident_id))[0].is_closed


async def test_an_outage_whose_vital_doses_were_given_and_entered_closes_as_is(app: House) -> None:
    incident_id = await outage(app)
    carla_at_20 = local(THU, 20, 5)
    given = [
        await app.cases.record_dispensing(cmd, ctx(STAFF))
        for cmd in [
            dose(incident_id, AASE_AT_18, "NovoRapid", AASE),
            dose(incident_id, carla_at_20, "Keppra", CARLA),
        ]
    ]
    await app.cases.record_incident_step(step(incident_id, restore_all, THU_22_00), ctx(IT))
    for answer in given:
        entry = c.EnterInJournal(receipt(answer).stream_id, "EPJ", ANNE, THU_22_00)
        await app.cases.mark_entered_in_journal(entry, ctx(STAFF))
    await app.cases.record_incident_step(closing(incident_id), ctx(LEADER))
    closed, history = await app.incidents.load(incident_id)
    assert closed.is_closed
    assert history[-1].payload["pending_records"] == 0
