"""An incident on the in-memory log: declared, stepped through the plan, corrected and closed,
each write answered with its receipt or refused with the rule it breaks."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Mapping
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from domain.errors import (
    AlreadyRestored,
    IncidentClosed,
    ManualRecordsPending,
    SystemsStillDown,
    UnknownEvent,
    WaiverNeedsLeader,
)
from domain.incident import Incident
from service.access.matrix import NotYoursToCorrect
from service.log.events import WrongExpectedVersion
from service.log.streams import StreamNotFound
from service.write.commands import CloseIncident, CorrectEvent
from service.write.errors import FieldRefused, IdempotencyKeyReused
from tests.app.conftest import (
    IT,
    LEADER,
    NOW,
    OTHER_UNIT,
    STAFF,
    House,
    ctx,
    declare,
    declaring,
    receipt,
    step,
)
from tests.app.paper import morning_help
from tests.domain.people import IT_BO, LEADER_LIS, THU_16_00, THU_18_00, restore_all

pytestmark = pytest.mark.anyio
WAIVER = "Indtastes i morgen"


def restore(system: str) -> Callable[[Incident], None]:
    return lambda incident: incident.restore(system, IT_BO, THU_16_00)


def note(text: str) -> Callable[[Incident], None]:
    return lambda incident: incident.add_note(text, IT_BO, THU_16_00)


def closing(incident_id: UUID, waiver: str | None = None) -> CloseIncident:
    return CloseIncident(incident_id, LEADER_LIS, THU_18_00, waiver)


async def test_declaring_an_incident_gives_the_receipt_of_its_first_event(app: House) -> None:
    answer = await app.cases.declare_incident(declaring(), ctx())
    incident_id = UUID(str(answer.body["incident_id"]))
    declared = receipt(answer)
    assert (declared.stream_id, declared.version, declared.position) == (incident_id, 1, 1)
    assert (answer.status, answer.location) == (201, f"/v1/incidents/{incident_id}")
    (first,) = await app.store.read_all()
    assert declared.hash == first.hash.hex()
    assert first.type == "incident-detected"
    assert first.correlation_id == incident_id
    loaded, _ = await app.incidents.load(incident_id)
    assert loaded.systems_down == ["nexus", "fmk"]


async def test_an_outage_said_to_start_after_the_clock_is_refused_by_its_field(
    app: House,
) -> None:
    later = dataclasses.replace(declaring(), occurred_at=NOW + timedelta(hours=1))
    with pytest.raises(FieldRefused) as refused:
        await app.cases.declare_incident(later, ctx())
    assert refused.value.field == "occurred_at"
    assert await app.store.head() == 0


async def test_a_step_of_the_plan_is_the_next_version_of_the_incident(app: House) -> None:
    incident_id = await declare(app)
    answer = await app.cases.record_incident_step(
        step(incident_id, restore("nexus"), THU_16_00), ctx(IT)
    )
    assert receipt(answer).version == 2
    loaded, history = await app.incidents.load(incident_id)
    assert loaded.systems_down == ["fmk"]
    assert [e.type for e in history] == ["incident-detected", "system-restored"]


async def test_a_step_that_breaks_a_rule_stores_nothing(app: House) -> None:
    incident_id = await declare(app)
    await app.cases.record_incident_step(step(incident_id, restore("nexus"), THU_16_00), ctx(IT))
    with pytest.raises(AlreadyRestored):
        await app.cases.record_incident_step(
            step(incident_id, restore("nexus"), THU_18_00), ctx(IT)
        )
    assert await app.store.head() == 2


async def test_a_step_on_a_version_someone_else_moved_past_is_a_conflict(app: House) -> None:
    incident_id = await declare(app)
    await app.cases.record_incident_step(step(incident_id, restore("nexus"), THU_16_00), ctx(IT))
    with pytest.raises(WrongExpectedVersion) as conflict:
        await app.cases.record_incident_step(
            step(incident_id, restore("fmk"), THU_16_00, expected_version=1), ctx(IT)
        )
    assert (conflict.value.expected, conflict.value.actual) == (1, 2)
    assert (await app.incidents.load(incident_id))[0].systems_down == ["fmk"]


async def test_steps_sent_at_the_same_moment_each_land_on_the_one_before(app: House) -> None:
    incident_id = await declare(app)
    notes = [
        app.cases.record_incident_step(step(incident_id, note(f"note {n}"), THU_16_00), ctx(IT))
        for n in range(5)
    ]
    answers = await asyncio.gather(*notes)
    assert sorted(receipt(a).version for a in answers) == [2, 3, 4, 5, 6]


async def test_a_request_sent_again_is_answered_with_its_first_receipt(app: House) -> None:
    incident_id = await declare(app)
    retry = ctx(IT, "k-note", "Nexus svarer ikke")
    noted = step(incident_id, note("Nexus svarer ikke"), THU_16_00)
    first = await app.cases.record_incident_step(noted, retry)
    again = await app.cases.record_incident_step(noted, retry)
    assert receipt(again) == receipt(first)
    assert (first.replayed, again.replayed) == (False, True)
    assert len(await app.store.read_stream(incident_id)) == 2


async def test_an_idempotency_key_sent_again_with_another_step_is_refused(app: House) -> None:
    incident_id = await declare(app)
    await app.cases.record_incident_step(
        step(incident_id, restore("nexus"), THU_16_00), ctx(IT, "k-restore", "nexus")
    )
    with pytest.raises(IdempotencyKeyReused):
        await app.cases.record_incident_step(
            step(incident_id, restore("fmk"), THU_16_00), ctx(IT, "k-restore", "fmk")
        )
    assert (await app.incidents.load(incident_id))[0].systems_down == ["fmk"]


async def test_closing_while_a_system_is_down_is_refused(app: House) -> None:
    incident_id = await declare(app)
    with pytest.raises(SystemsStillDown):
        await app.cases.record_incident_step(closing(incident_id), ctx(LEADER))


async def test_closing_with_unentered_paper_records_needs_a_leaders_waiver(app: House) -> None:
    incident_id = await declare(app)
    await app.cases.record_care_delivery(morning_help(incident_id), ctx(STAFF))
    await app.cases.record_incident_step(step(incident_id, restore_all, THU_18_00), ctx(IT))
    with pytest.raises(ManualRecordsPending):
        await app.cases.record_incident_step(closing(incident_id), ctx(LEADER))
    with pytest.raises(WaiverNeedsLeader):  # an IT key may close, not waive
        await app.cases.record_incident_step(closing(incident_id, WAIVER), ctx(IT))
    answer = await app.cases.record_incident_step(closing(incident_id, WAIVER), ctx(LEADER))
    closed, _ = await app.incidents.load(incident_id)
    assert closed.is_closed
    assert receipt(answer).version == closed.version
    with pytest.raises(IncidentClosed):
        await app.cases.record_incident_step(
            step(incident_id, note("efter lukning"), THU_18_00), ctx(IT)
        )


async def test_the_timeline_holds_the_incident_and_its_paper_in_commit_order(app: House) -> None:
    incident_id = await declare(app)
    paper = await app.cases.record_care_delivery(morning_help(incident_id), ctx(STAFF))
    await app.cases.record_incident_step(step(incident_id, restore("nexus"), THU_16_00), ctx(IT))
    timeline = await app.incidents.timeline(incident_id)
    assert [e.type for e in timeline] == ["incident-detected", "care-delivered", "system-restored"]
    assert b"Aase Testesen" in (timeline[1].sealed or b"")
    with pytest.raises(StreamNotFound):
        await app.incidents.timeline(receipt(paper).stream_id)


def correcting(
    incident_id: UUID, event_id: UUID, reason: str, fields: Mapping[str, object]
) -> CorrectEvent:
    """A leader's correction of one of the incident's events (a paper record's)."""
    return CorrectEvent(incident_id, event_id, reason, dict(fields), LEADER_LIS, THU_16_00)


async def test_a_paper_records_correction_is_sealed_under_its_citizens_key(app: House) -> None:
    incident_id = await declare(app)
    paper = receipt(await app.cases.record_care_delivery(morning_help(incident_id), ctx(STAFF)))
    fix = {"occurred_at": "2026-03-05T13:40:00Z"}
    await app.cases.record_incident_step(
        correcting(incident_id, paper.event_id, "Forkert tidspunkt", fix), ctx(STAFF)
    )
    correction = (await app.store.read_stream(incident_id))[-1]
    assert correction.type == "event-corrected"
    assert correction.payload["record_id"] == str(paper.stream_id)
    assert b"Forkert tidspunkt" not in (correction.sealed or b"")
    assert await app.keys.forget("cit_aase")
    (erased,) = await app.streams.open([correction])
    assert erased.erased


async def test_a_key_of_another_unit_may_not_correct_its_paper(app: House) -> None:
    incident_id = await declare(app)
    paper = receipt(await app.cases.record_care_delivery(morning_help(incident_id), ctx(STAFF)))
    with pytest.raises(NotYoursToCorrect):
        await app.cases.record_incident_step(
            correcting(incident_id, paper.event_id, "Fejl", {}), ctx(OTHER_UNIT)
        )
    with pytest.raises(UnknownEvent):
        await app.cases.record_incident_step(
            correcting(incident_id, uuid4(), "Fejl", {}), ctx(STAFF)
        )
    assert len(await app.store.read_stream(incident_id)) == 1
