"""The write use cases are called with a command and a context, no HTTP request: the same
answers the API gives (a retry under the same key gets the first receipt again, a key for
another unit is refused, a time in the future by the context's clock is refused by name).

Each runs over PostgreSQL (`FirstAnswers`) and over the in-memory log (`MemoryAnswers`), so the
Idempotency-Key's contract holds for both answer books and the fast tests (`tests/app`) can
trust the one in memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest

from domain.base import Person
from domain.manual_record import CareStatus, Medication
from service.access.auth import Principal, Role
from service.log.codec import Codec
from service.log.memory import MemoryAnswers, MemoryEventStore, MemoryKeys
from service.log.store import EventStore
from service.log.streams import Streams
from service.log.vault import Vault
from service.runtime.plan_file import read_plan
from service.write import commands
from service.write.citizens import CitizenRefs
from service.write.errors import FieldRefused, IdempotencyKeyReused, UnitNotAllowed
from service.write.idempotency import FirstAnswers
from service.write.use_cases import Context, UseCases
from tests.apps import SEALING_KEY

pytestmark = pytest.mark.anyio

ANNE = Person(id="emp-1042", name="Anne Testesen")
LEADER = Principal(uuid4(), Role.LEADER, None)


REFS = CitizenRefs(b"synthetic-test-pseudonym-key-01")


@pytest.fixture
async def cases(store_database: str | None) -> AsyncIterator[UseCases]:
    """The use cases over PostgreSQL and over memory (`store_database`: None)."""
    if store_database is None:
        memory = MemoryEventStore()
        streams = Streams(memory, Codec(), Vault(MemoryKeys(), SEALING_KEY))
        yield UseCases.over(streams, read_plan(), REFS, MemoryAnswers(memory), memory)
        return
    pool = await asyncpg.create_pool(store_database, min_size=1, max_size=8)
    store = EventStore(pool)
    try:
        streams = Streams(store, Codec(), Vault(pool, SEALING_KEY))
        yield UseCases.over(streams, read_plan(), REFS, FirstAnswers(pool), store)
    finally:
        await store.close()
        await pool.close()


def declaring(
    title: str = "Nexus svarer ikke", at: datetime | None = None
) -> commands.DeclareIncident:
    return commands.DeclareIncident(
        title=title,
        description=None,
        detected_via="employee",
        reported_by=ANNE,
        affected_systems=("nexus",),
        affected_units=("botilbud-a",),
        occurred_at=at or datetime.now(UTC) - timedelta(minutes=5),
    )


def keyed(key: str, body: object, principal: Principal = LEADER) -> Context:
    return Context(principal, key, ("POST", "/v1/incidents", body))


async def test_a_retry_under_the_same_key_gets_the_first_receipt_again(cases: UseCases) -> None:
    key, cmd = f"k-{uuid4()}", declaring()
    first = await cases.declare_incident(cmd, keyed(key, "body"))
    again = await cases.declare_incident(cmd, keyed(key, "body"))
    assert first.status == 201
    assert not first.replayed
    assert first.location == f"/v1/incidents/{first.body['incident_id']}"
    assert again.replayed
    assert again.body == first.body
    with pytest.raises(IdempotencyKeyReused):
        await cases.declare_incident(declaring("Andet"), keyed(key, "another body"))


async def test_a_key_for_another_unit_may_not_record_its_paper(cases: UseCases) -> None:
    declared = await cases.declare_incident(declaring(), Context(LEADER))
    staff = Principal(uuid4(), Role.STAFF, ("botilbud-b",))
    dispensing = commands.DispenseMedication(
        incident_id=UUID(str(declared.body["incident_id"])),
        unit="botilbud-a",
        citizen=commands.NamedCitizen(cpr="010170-0000", name="Aase Testesen"),
        medication=Medication("Paracetamol", "1 g"),
        by=ANNE,
        dispensed_at=datetime.now(UTC) - timedelta(minutes=1),
    )
    with pytest.raises(UnitNotAllowed):
        await cases.record_dispensing(dispensing, Context(staff))
    given = await cases.record_dispensing(dispensing, Context(LEADER))
    assert given.location == f"/v1/manual-records/{given.body['record_id']}"


async def test_a_time_after_the_contexts_clock_is_refused_by_its_field(cases: UseCases) -> None:
    then = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
    with pytest.raises(FieldRefused) as refused:
        await cases.declare_incident(
            declaring(at=then + timedelta(hours=1)), Context(LEADER, clock=lambda: then)
        )
    assert refused.value.field == "occurred_at"
    declared = await cases.declare_incident(declaring(at=then), Context(LEADER, clock=lambda: then))
    assert declared.status == 201


async def test_the_same_request_sent_twice_at_once_is_written_once(cases: UseCases) -> None:
    key, cmd = f"k-{uuid4()}", declaring()
    answers = await asyncio.gather(*(cases.declare_incident(cmd, keyed(key, "b")) for _ in "ab"))
    assert sorted(a.replayed for a in answers) == [False, True]
    assert answers[0].body == answers[1].body
    incident_id = UUID(str(answers[0].body["incident_id"]))
    assert len((await cases.incidents.load(incident_id))[1]) == 1


async def test_a_step_retried_after_it_was_taken_gets_its_first_receipt(cases: UseCases) -> None:
    declared = await cases.declare_incident(declaring(), Context(LEADER))
    incident_id = UUID(str(declared.body["incident_id"]))
    restore = commands.RecordStep(
        incident_id,
        lambda _: lambda incident: incident.restore("nexus", ANNE, datetime.now(UTC)),
        datetime.now(UTC),
    )
    key = f"k-{uuid4()}"
    first = await cases.record_incident_step(restore, keyed(key, "restore nexus"))
    again = await cases.record_incident_step(restore, keyed(key, "restore nexus"))
    assert (again.replayed, again.body) == (True, first.body)
    with pytest.raises(IdempotencyKeyReused):
        await cases.record_incident_step(restore, keyed(key, "restore fmk"))
    assert (await cases.incidents.load(incident_id))[0].version == 2


async def test_a_bulk_entry_retried_answers_each_record_with_its_first_receipt(
    cases: UseCases,
) -> None:
    declared = await cases.declare_incident(declaring(), Context(LEADER))
    incident_id = UUID(str(declared.body["incident_id"]))
    care = commands.DeliverCare(
        incident_id=incident_id,
        unit="botilbud-a",
        citizen=commands.NamedCitizen(ref="cit_test"),
        service="Morgenhjælp",
        status=CareStatus.DELIVERED,
        by=ANNE,
        occurred_at=datetime.now(UTC) - timedelta(minutes=1),
    )
    made = [await cases.record_care_delivery(care, Context(LEADER)) for _ in range(2)]
    ids = tuple(UUID(str(m.body["record_id"])) for m in made)
    entry = commands.EnterManyInJournal(ids, "EPJ", ANNE, datetime.now(UTC))
    key = f"k-{uuid4()}"
    first = await cases.enter_many_in_journal(entry, keyed(key, "both"))
    again = await cases.enter_many_in_journal(entry, keyed(key, "both"))
    assert [(r.record_id, r.duplicate) for r in first.results] == [(i, False) for i in ids]
    assert (again.replayed, [r.duplicate for r in again.results]) == (True, [True, True])
    assert [r.outcome for r in again.results] == [r.outcome for r in first.results]
    with pytest.raises(IdempotencyKeyReused):
        await cases.enter_many_in_journal(entry, keyed(key, "another body"))
