"""Paper records on the in-memory log: written in the incident's mode, found again by a retry,
entered into the journal one by one or in bulk, each answered on its own."""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.errors import AlreadyEnteredInJournal, ModeMismatch, RecordVoided
from domain.manual_record import RecordStatus
from service.log.events import RecordedEvent
from service.write.commands import EnterInJournal, EnterManyInJournal, VoidRecord
from service.write.errors import UnitNotAllowed
from service.write.idempotency import event_id_for
from service.write.records import record_id_for
from tests.app.conftest import LEADER, OTHER_UNIT, STAFF, House, ctx, declare, receipt
from tests.app.paper import morning_help
from tests.domain.people import ANNE, THU_18_00

pytestmark = pytest.mark.anyio


def entered(record_id: UUID, reference: str = "EPJ-1") -> EnterInJournal:
    return EnterInJournal(record_id, reference, ANNE, THU_18_00)


async def paper(app: House, incident_id: UUID) -> UUID:
    """Aase's morning help, written on paper by a carer of her unit: the record's id."""
    answer = await app.cases.record_care_delivery(morning_help(incident_id), ctx(STAFF))
    return UUID(str(answer.body["record_id"]))


async def test_a_paper_record_is_its_own_stream_correlated_with_its_incident(app: House) -> None:
    incident_id = await declare(app)
    answer = await app.cases.record_care_delivery(morning_help(incident_id), ctx(STAFF, "k-1"))
    written = receipt(answer)
    assert written.stream_id == record_id_for(event_id_for(STAFF, "k-1"))
    assert written.version == 1
    assert answer.location == f"/v1/manual-records/{written.stream_id}"
    record, history = await app.records.load(written.stream_id)
    assert record.status is RecordStatus.PENDING
    assert history[0].correlation_id == incident_id
    assert history[0].type == "care-delivered"


async def test_the_citizens_name_is_sealed_and_forgetting_them_erases_it(app: House) -> None:
    record_id = await paper(app, await declare(app))
    (stored,) = await app.store.read_stream(record_id)
    assert b"Aase" not in (stored.sealed or b"")
    assert "Aase" not in repr(stored.payload)
    assert b"Aase Testesen" in ((await app.streams.open([stored]))[0].sealed or b"")
    assert await app.keys.forget("cit_aase")
    (erased,) = await app.streams.open([stored])
    assert erased.erased


async def test_a_retried_post_finds_the_same_record(app: House) -> None:
    incident_id = await declare(app)
    retry = ctx(STAFF, "k-morgenhjaelp", "morning help")
    first = await app.cases.record_care_delivery(morning_help(incident_id), retry)
    again = await app.cases.record_care_delivery(morning_help(incident_id), retry)
    assert receipt(again) == receipt(first)
    assert (again.replayed, again.body["record_id"]) == (True, first.body["record_id"])
    assert len(await app.store.read_correlated_of_type(incident_id, "manual-record")) == 1


async def test_a_drills_paper_stays_in_the_drill(app: House) -> None:
    incident_id = await declare(app, mode="exercise")
    with pytest.raises(ModeMismatch):
        await app.cases.record_care_delivery(morning_help(incident_id, mode="actual"), ctx())
    record_id = await paper(app, incident_id)
    (stored,) = await app.store.read_stream(record_id)
    assert stored.mode == "exercise"


async def test_a_key_of_another_unit_may_not_write_or_enter_its_paper(app: House) -> None:
    incident_id = await declare(app)
    with pytest.raises(UnitNotAllowed):
        await app.cases.record_care_delivery(morning_help(incident_id), ctx(OTHER_UNIT))
    record_id = await paper(app, incident_id)
    with pytest.raises(UnitNotAllowed):
        await app.cases.mark_entered_in_journal(entered(record_id), ctx(OTHER_UNIT))
    assert (await app.records.load(record_id))[0].status is RecordStatus.PENDING


async def test_a_record_entered_in_the_journal_is_not_entered_twice(app: House) -> None:
    record = await paper(app, await declare(app))
    answer = await app.cases.mark_entered_in_journal(entered(record), ctx(STAFF))
    assert receipt(answer).version == 2
    with pytest.raises(AlreadyEnteredInJournal):
        await app.cases.mark_entered_in_journal(entered(record, "EPJ-2"), ctx(STAFF))
    loaded, _ = await app.records.load(record)
    assert loaded.status is RecordStatus.ENTERED
    assert loaded.journal_reference == "EPJ-1"


async def test_a_bulk_entry_answers_each_record_on_its_own(app: House) -> None:
    incident_id = await declare(app)
    records = [await paper(app, incident_id) for _ in range(3)]
    await app.cases.void_record(VoidRecord(records[1], "Dobbelt", ANNE, THU_18_00), ctx(LEADER))
    bulk = EnterManyInJournal(tuple(records), "EPJ-1", ANNE, THU_18_00)
    answer = await app.cases.enter_many_in_journal(bulk, ctx(STAFF))
    outcomes = [r.outcome for r in answer.results]
    assert [r.record_id for r in answer.results] == records
    assert [type(o).__name__ for o in outcomes] == ["Receipt", "RecordVoided", "Receipt"]
    assert isinstance(outcomes[1], RecordVoided)
    statuses = [(await app.records.load(r))[0].status for r in records]
    assert statuses == [RecordStatus.ENTERED, RecordStatus.VOIDED, RecordStatus.ENTERED]
    newest: list[RecordedEvent] = await app.store.read_all(await app.store.head() - 3)
    assert [e.type for e in newest] == ["record-voided", "entered-in-journal", "entered-in-journal"]


async def test_a_bulk_entry_sent_again_answers_the_records_it_entered_as_duplicates(
    app: House,
) -> None:
    incident_id = await declare(app)
    records = tuple([await paper(app, incident_id) for _ in range(2)])
    bulk = EnterManyInJournal(records, "EPJ-1", ANNE, THU_18_00)
    first = await app.cases.enter_many_in_journal(bulk, ctx(STAFF, "k-bulk", "both"))
    again = await app.cases.enter_many_in_journal(bulk, ctx(STAFF, "k-bulk", "both"))
    assert (again.replayed, [r.duplicate for r in again.results]) == (True, [True, True])
    assert [r.outcome for r in again.results] == [r.outcome for r in first.results]
    assert [e.type for e in await app.store.read_all(await app.store.head() - 2)] == [
        "entered-in-journal",
        "entered-in-journal",
    ]
