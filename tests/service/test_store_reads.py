"""Contract of the event store, reading back: what was appended comes back as it was sent, with
the position, version and chained hash its receipt promised, by stream, by position, by
correlation and by id; on PostgreSQL and in memory alike (`store`)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest

from service.log.chain import GENESIS, canonical_bytes, chain_hash
from service.log.eventlog import EventLog
from service.log.events import AppendRequest, NewEvent, RecordedEvent, WrongExpectedVersion

pytestmark = pytest.mark.anyio

AT = datetime(2026, 3, 5, 13, 30, tzinfo=UTC)
COPENHAGEN = timezone(timedelta(hours=1))


def note(text: str, **fields: object) -> NewEvent:
    event = NewEvent(uuid4(), "note-added", {"text": text}, AT, actor="emp-1042", source="test")
    return dataclasses.replace(event, **fields)  # type: ignore[arg-type]


async def append(store: EventLog, stream: UUID, expected: int | None, *events: NewEvent) -> None:
    await store.append(AppendRequest(stream, "incident", expected, events))


async def test_an_event_reads_back_as_it_was_sent(store: EventLog) -> None:
    stream, correlation, cause = uuid4(), uuid4(), uuid4()
    sent = note(
        "Nexus svarer ikke",
        payload={"text": "Nexus svarer ikke", "systems": ["nexus"], "n": 3, "none": None},
        occurred_at=datetime(2026, 3, 5, 14, 30, 0, 123456, tzinfo=COPENHAGEN),
        sealed=b"\x00sealed part",
        correlation_id=correlation,
        causation_id=cause,
        mode="exercise",
    )
    (receipt,) = await store.append(AppendRequest(stream, "incident", 0, (sent,)))
    (read,) = await store.read_stream(stream)
    assert (read.event_id, read.stream_id, read.stream_type, read.type) == (
        sent.event_id,
        stream,
        "incident",
        "note-added",
    )
    assert read.payload == {"text": "Nexus svarer ikke", "systems": ["nexus"], "n": 3, "none": None}
    assert read.sealed == b"\x00sealed part"
    assert read.occurred_at == AT + timedelta(microseconds=123456)
    assert read.occurred_at.utcoffset() == timedelta(0)
    assert (read.actor, read.source, read.mode) == ("emp-1042", "test", "exercise")
    assert (read.correlation_id, read.causation_id) == (correlation, cause)
    assert read.content_digest == sent.content_digest(stream, "incident")
    assert read.receipt() == receipt


async def test_each_hash_chains_onto_the_one_before_over_the_rows_canonical_bytes(
    store: EventLog,
) -> None:
    stream = uuid4()
    await append(store, stream, 0, note("a"), note("b"))
    await append(store, uuid4(), 0, note("other stream"))
    receipts = await store.append(AppendRequest(stream, "incident", 2, (note("c"),)))
    first = (await store.read_stream(stream))[0]
    before = await store.read_all(first.position - 2, 1) if first.position > 1 else []
    previous = before[0].hash if before else GENESIS
    events = await store.read_all(first.position - 1, 4)
    for event in events:
        fields = {f.name: getattr(event, f.name) for f in dataclasses.fields(RecordedEvent)}
        for name in ("hash", "erased", "erased_subjects"):
            del fields[name]
        assert event.hash == chain_hash(previous, canonical_bytes(**fields))
        previous = event.hash
    assert [e.position for e in events] == list(range(first.position, first.position + 4))
    assert receipts[0].hash == events[-1].hash.hex()


async def test_a_refusal_names_the_version_expected_and_the_one_found(store: EventLog) -> None:
    stream = uuid4()
    await append(store, stream, 0, note("a"), note("b"))
    with pytest.raises(WrongExpectedVersion) as refused:
        await append(store, stream, 1, note("late"))
    assert (refused.value.stream_id, refused.value.expected, refused.value.actual) == (stream, 1, 2)
    with pytest.raises(WrongExpectedVersion):
        await append(store, uuid4(), 3, note("no such stream yet"))


async def test_an_append_without_an_expected_version_lands_at_the_end(store: EventLog) -> None:
    stream = uuid4()
    await append(store, stream, None, note("a"))
    await append(store, stream, None, note("b"))
    assert [e.version for e in await store.read_stream(stream)] == [1, 2]


async def test_an_event_sent_again_is_answered_with_its_first_receipt(store: EventLog) -> None:
    stream, event = uuid4(), note("Medicinlisten er printet")
    (original,) = await store.append(AppendRequest(stream, "incident", 0, (event,)))
    await append(store, stream, 1, note("later"))
    (again,) = await store.append(AppendRequest(stream, "incident", 0, (event,)))
    assert again == original
    assert len(await store.read_stream(stream)) == 2


async def test_an_empty_append_is_refused(store: EventLog) -> None:
    with pytest.raises(ValueError, match="at least one event"):
        await store.append(AppendRequest(uuid4(), "incident", 0, ()))


async def test_a_stream_reads_between_versions_and_its_newest_event(store: EventLog) -> None:
    stream = uuid4()
    await append(store, stream, 0, note("a"), note("b"), note("c"), note("d"))
    texts = [
        e.payload["text"] for e in await store.read_stream(stream, after_version=1, to_version=3)
    ]
    assert texts == ["b", "c"]
    assert [e.version for e in await store.read_stream(stream, to_version=1)] == [1]
    last = await store.read_last(stream)
    assert last is not None
    assert last.payload["text"] == "d"
    assert await store.last_event_id(stream) == last.event_id
    assert await store.read_stream(uuid4()) == []
    assert await store.read_last(uuid4()) is None
    assert await store.last_event_id(uuid4()) is None


async def test_the_global_feed_is_in_commit_order_from_a_position(store: EventLog) -> None:
    start = await store.head()
    a, b = uuid4(), uuid4()
    await append(store, a, 0, note("a1"))
    await append(store, b, 0, note("b1"))
    await append(store, a, 1, note("a2"))
    assert await store.head() == start + 3
    feed = await store.read_all(start)
    assert [e.payload["text"] for e in feed] == ["a1", "b1", "a2"]
    assert [e.payload["text"] for e in await store.read_all(start + 1, limit=1)] == ["b1"]


async def test_an_incident_reads_with_what_correlates_with_it(store: EventLog) -> None:
    incident, record, elsewhere = uuid4(), uuid4(), uuid4()
    await append(store, incident, 0, note("declared", correlation_id=incident))
    await store.append(
        AppendRequest(record, "manual-record", 0, (note("paper", correlation_id=incident),))
    )
    await append(store, elsewhere, 0, note("another incident"))
    await append(store, incident, 1, note("restored", correlation_id=incident))
    texts = [e.payload["text"] for e in await store.read_correlated(incident)]
    assert texts == ["declared", "paper", "restored"]
    records = await store.read_correlated_of_type(incident, "manual-record")
    assert [e.payload["text"] for e in records] == ["paper"]
    newest = await store.read_last(incident)
    assert newest is not None
    assert await store.last_position_of(incident) == newest.position
    assert await store.last_position_of(uuid4()) is None


async def test_an_incidents_records_read_on_from_a_position_are_those_committed_after_it(
    store: EventLog,
) -> None:
    incident, first, later = uuid4(), uuid4(), uuid4()
    await append(store, incident, 0, note("declared", correlation_id=incident))
    await store.append(
        AppendRequest(first, "manual-record", 0, (note("paper", correlation_id=incident),))
    )
    (seen,) = await store.read_correlated_of_type(incident, "manual-record")
    await append(store, incident, 1, note("restored", correlation_id=incident))
    await store.append(
        AppendRequest(later, "manual-record", 0, (note("later", correlation_id=incident),))
    )
    after = await store.read_correlated_of_type(incident, "manual-record", seen.position)
    assert [e.payload["text"] for e in after] == ["later"]


async def test_events_are_found_by_id(store: EventLog) -> None:
    stream, a, b = uuid4(), note("a"), note("b")
    await append(store, stream, 0, a, b)
    found = await store.find(b.event_id)
    assert found is not None
    assert found.payload["text"] == "b"
    assert await store.find(uuid4()) is None
    many = await store.find_many([b.event_id, uuid4(), a.event_id])
    assert sorted(e.payload["text"] for e in many) == ["a", "b"]


async def test_the_tips_of_a_stream_type_give_its_first_and_newest_fields(store: EventLog) -> None:
    kind = f"tips-{uuid4().hex[:8]}"
    one, two = uuid4(), uuid4()
    first = note("x", payload={"unit": "botilbud-a", "list_as_of": "2026-03-01T00:00:00Z"})
    newest = note("y", payload={"list_as_of": "2026-03-05T00:00:00Z", "n": 2}, occurred_at=AT)
    await store.append(AppendRequest(one, kind, 0, (first,)))
    await store.append(AppendRequest(one, kind, 1, (newest,)))
    await store.append(AppendRequest(two, kind, 0, (note("z", payload={"unit": 7}),)))
    tips = {t.stream_id: t for t in await store.tips(kind, "unit", "list_as_of")}
    assert set(tips) == {one, two}
    assert (tips[one].first, tips[one].version, tips[one].last) == (
        "botilbud-a",
        2,
        "2026-03-05T00:00:00Z",
    )
    assert tips[one].occurred_at == AT
    assert (tips[two].first, tips[two].last) == ("7", None)
    assert [t.stream_id for t in await store.tips(kind, "unit", "n")] == sorted([one, two])
