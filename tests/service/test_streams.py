"""Writes decide on the stream as it stands now, even where the writer keeps the aggregate of its
last write: another server process's steps in between are seen, and a citizen's data are never
kept in memory between requests. Writes at the same moment about one citizen share one key."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import asyncpg
import pytest

from domain.base import Person
from domain.errors import AlreadyRestored
from domain.incident import DetectedVia, Incident
from domain.manual_record import CareStatus, Citizen, ManualRecord
from service.log.codec import Codec
from service.log.events import RecordedEvent
from service.log.store import EventStore
from service.log.streams import Streams, WriteContext
from service.log.vault import Vault, forget, key_id_of
from service.runtime.plan_file import read_plan
from service.write.incidents import IncidentService
from service.write.records import ManualRecordService, record_id_for
from tests.apps import SEALING_KEY

pytestmark = pytest.mark.anyio

ANNE = Person(id="emp-1042", name="Anne Testesen")
START = datetime(2026, 3, 5, 13, 30, tzinfo=UTC)


def ctx() -> WriteContext:
    return WriteContext(uuid4(), source="test")


def nexus_down() -> Incident:
    return Incident(
        id=uuid4(),
        title="Nexus nede",
        description=None,
        detected_via=DetectedVia.EMPLOYEE,
        reported_by=ANNE,
        affected_systems=("nexus",),
        affected_units=("botilbud-a",),
        occurred_at=START,
    )


def care(
    record_id: UUID, incident_id: UUID, citizen_ref: str, citizen: Citizen | None = None
) -> ManualRecord:
    """A visit delivered on paper in botilbud A."""
    return ManualRecord.deliver_care(
        id=record_id,
        incident_id=incident_id,
        unit="botilbud-a",
        citizen_ref=citizen_ref,
        citizen=citizen,
        service="Personlig pleje, morgen",
        status=CareStatus.DELIVERED,
        note="Hjælp givet efter papirlisten",
        by=ANNE,
        occurred_at=START + timedelta(minutes=10),
    )


def instance(pool: asyncpg.Pool) -> tuple[Streams, IncidentService]:
    """One server process's view of the shared database."""
    streams = Streams(EventStore(pool), Codec(), Vault(pool, SEALING_KEY))
    return streams, IncidentService(streams, read_plan())


async def test_a_step_taken_by_another_process_is_seen_by_the_next_write(
    pool: asyncpg.Pool,
) -> None:
    _, first = instance(pool)
    _, second = instance(pool)
    incident = nexus_down()
    at = START + timedelta(minutes=5)
    await first.declare(incident, ctx())
    await first.act(incident.id, lambda i: i.add_note("Printet liste", ANNE, at), ctx())

    await second.act(incident.id, lambda i: i.restore("nexus", ANNE, at), ctx())

    # If-Match: the version the caller read. Refused (412) if the first process decided on
    # what it kept from its own last write.
    receipt = await first.act(
        incident.id,
        lambda i: i.verify_restoration("botilbud-a", "nexus", ANNE, at),
        ctx(),
        if_match=3,
    )
    assert receipt.version == 4
    with pytest.raises(AlreadyRestored):
        await first.act(incident.id, lambda i: i.restore("nexus", ANNE, at), ctx())
    assert [e.type for e in await first.history(incident.id)] == [
        "incident-detected",
        "note-added",
        "system-restored",
        "restoration-verified",
    ]


async def test_a_read_while_a_write_decides_sees_what_is_committed_and_replays_nothing(
    pool: asyncpg.Pool,
) -> None:
    """A read of an incident while a write to it has decided but not yet committed shows the
    incident as committed (not the decision in flight), without taking the writer's kept
    aggregate; the next read shows the write, and neither replays the stream from its start."""
    streams, incidents = instance(pool)
    incident = nexus_down()
    await incidents.declare(incident, ctx())
    at = START + timedelta(minutes=5)
    await incidents.act(incident.id, lambda i: i.add_note("Printet liste", ANNE, at), ctx())
    assert (await streams.current(incident.id, Incident)).version == 2
    decided, go_on = asyncio.Event(), asyncio.Event()

    async def restore_slowly(i: Incident) -> None:
        i.restore("nexus", ANNE, at)
        decided.set()
        await go_on.wait()

    writing = asyncio.create_task(streams.act(incident.id, Incident, restore_slowly, ctx()))
    await decided.wait()
    replayed_from_start: list[UUID] = []
    read_streams = streams.store.read_streams

    async def counting(
        wanted: list[tuple[UUID, int]],
    ) -> dict[tuple[UUID, int], list[RecordedEvent]]:
        replayed_from_start.extend(s for s, after in wanted if after == 0)
        return await read_streams(wanted)

    streams._reads._fetch = counting  # the statements it sends, sent as before
    during = await streams.current(incident.id, Incident)
    assert during.version == 2
    assert during.systems_restored == []
    go_on.set()
    receipt = await writing
    after = await streams.current(incident.id, Incident)
    assert after.version == receipt.version == 3
    assert after.systems_restored == ["nexus"]
    assert replayed_from_start == []


async def test_a_paper_record_is_not_kept_in_memory_after_its_write(pool: asyncpg.Pool) -> None:
    streams, incidents = instance(pool)
    incident = nexus_down()
    await incidents.declare(incident, ctx())
    write = ctx()

    await ManualRecordService(streams).record(
        incident.id, lambda record_id: care(record_id, incident.id, "cit-test-0001"), write
    )

    kept = set(streams._latest)  # what this process holds between requests
    assert incident.id in kept
    assert record_id_for(write.event_id) not in kept


async def test_records_about_one_citizen_written_at_once_share_one_key_and_are_forgotten_together(
    pool: asyncpg.Pool,
) -> None:
    """Sixty paper records about twenty citizens, written at the same moment by two server
    processes: each citizen's records are sealed under one key, so forgetting the citizen erases
    every one of them, and nobody else's."""
    (one, incidents), (two, _) = instance(pool), instance(pool)
    incident = nexus_down()
    await incidents.declare(incident, ctx())
    citizens = [f"cit-{uuid4().hex[:12]}" for _ in range(20)]

    async def paper(streams: Streams, citizen_ref: str) -> UUID:
        write = ctx()
        await ManualRecordService(streams).record(
            incident.id,
            lambda record_id: care(record_id, incident.id, citizen_ref, Citizen(name="Testborger")),
            write,
        )
        return record_id_for(write.event_id)

    writes = [(one if n % 2 else two, citizens[n % 20]) for n in range(60)]
    ids = await asyncio.gather(*(paper(streams, ref) for streams, ref in writes))

    store = EventStore(pool)
    key_ids: dict[str, set[bytes | None]] = {}
    for record_id, (_, ref) in zip(ids, writes, strict=True):
        (event,) = await store.read_stream(record_id)
        assert event.sealed is not None
        key_ids.setdefault(ref, set()).add(key_id_of(event.sealed))
    assert all(len(keys) == 1 for keys in key_ids.values())
    assert len(set().union(*key_ids.values())) == 20

    assert await forget(pool, citizens[0])
    for record_id, (_, ref) in zip(ids, writes, strict=True):
        record, history = await ManualRecordService(one).load(record_id)
        assert history[0].erased == (ref == citizens[0])
        assert record.citizen_ref == ref
