"""Contract of the event store: order, concurrency, idempotency, on PostgreSQL and in memory
(`store`); group commit, other processes and restarts on PostgreSQL alone (`pg_store`)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
import pytest

from service.log.eventlog import EventLog
from service.log.events import (
    AppendRequest,
    EventIdReused,
    NewEvent,
    ReadTogether,
    TogetherAsked,
    WrongExpectedVersion,
)
from service.log.store import EventStore

pytestmark = pytest.mark.anyio

AT = datetime(2026, 3, 5, 13, 30, tzinfo=UTC)


def note(text: str = "Nexus svarer ikke", event_id: UUID | None = None) -> NewEvent:
    return NewEvent(
        event_id=event_id or uuid4(),
        type="note-added",
        payload={"text": text},
        occurred_at=AT,
        actor="emp-1042",
        source="test",
    )


def request(stream: UUID, expected: int | None, *events: NewEvent) -> AppendRequest:
    return AppendRequest(stream, "incident", expected, events or (note(),))


async def test_appends_get_consecutive_versions_and_increasing_positions(store: EventLog) -> None:
    stream = uuid4()
    first = await store.append(request(stream, 0, note("a"), note("b")))
    second = await store.append(request(stream, 2, note("c")))
    receipts = first + second
    assert [r.version for r in receipts] == [1, 2, 3]
    assert [r.position for r in receipts] == sorted(r.position for r in receipts)
    assert [e.payload["text"] for e in await store.read_stream(stream)] == ["a", "b", "c"]


async def test_a_catch_up_reader_never_skips_an_event_that_commits_late(
    database_url: str, pool: asyncpg.Pool
) -> None:
    inside, release = asyncio.Event(), asyncio.Event()

    async def hold_open() -> None:
        inside.set()
        await release.wait()

    slow_pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    slow, fast = EventStore(slow_pool, before_commit=hold_open), EventStore(pool)
    reader = EventStore(pool)
    try:
        start = await reader.head()
        late = asyncio.create_task(slow.append(request(uuid4(), 0, note("late"))))
        await inside.wait()
        quick = asyncio.create_task(fast.append(request(uuid4(), 0, note("quick"))))
        await asyncio.sleep(0.3)
        seen_while_open = await reader.read_all(start)
        release.set()
        (late_receipt,), (quick_receipt,) = await late, await quick
        seen_after = [e.event_id for e in await reader.read_all(start)]
    finally:
        await slow.close()
        await fast.close()
        await slow_pool.close()
    assert seen_while_open == [], "nothing may be visible past a transaction still open"
    assert not quick.cancelled()
    assert late_receipt.position < quick_receipt.position
    assert seen_after == [late_receipt.event_id, quick_receipt.event_id]


async def test_32_concurrent_appends_with_the_same_expected_version_have_one_winner(
    store: EventLog,
) -> None:
    stream = uuid4()
    await store.append(request(stream, 0))
    outcomes = await asyncio.gather(
        *(store.append(request(stream, 1)) for _ in range(32)), return_exceptions=True
    )
    winners = [o for o in outcomes if isinstance(o, list)]
    losers = [o for o in outcomes if isinstance(o, WrongExpectedVersion)]
    assert len(winners) == 1
    assert len(losers) == 31
    assert all(loser.actual == 2 for loser in losers)
    assert [e.version for e in await store.read_stream(stream)] == [1, 2]


async def test_concurrent_appends_across_processes_keep_versions_contiguous(
    database_url: str, pg_store: EventStore
) -> None:
    store = pg_store
    other_pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    other = EventStore(other_pool)
    stream = uuid4()

    async def append_until_it_lands(target: EventStore) -> None:
        for _ in range(200):
            current = len(await target.read_stream(stream))
            try:
                await target.append(request(stream, current))
                return
            except WrongExpectedVersion:
                await asyncio.sleep(0)
        raise AssertionError("never landed")

    try:
        await asyncio.gather(*(append_until_it_lands(s) for s in [store, other] * 10))
    finally:
        await other.close()
        await other_pool.close()
    versions = [e.version for e in await store.read_stream(stream)]
    assert versions == list(range(1, 21))


async def test_a_conflict_in_a_group_commit_refuses_only_that_request(pool: asyncpg.Pool) -> None:
    inside, release = asyncio.Event(), asyncio.Event()
    gate_used = False

    async def hold_first_transaction() -> None:
        nonlocal gate_used
        if not gate_used:
            gate_used = True
            inside.set()
            await release.wait()

    store = EventStore(pool, before_commit=hold_first_transaction)
    try:
        contested = uuid4()
        opener = asyncio.create_task(store.append(request(uuid4(), 0)))
        await inside.wait()
        before = store.stats.transactions
        good = [asyncio.create_task(store.append(request(uuid4(), 0))) for _ in range(10)]
        bad = asyncio.create_task(store.append(request(contested, 5)))
        await asyncio.sleep(0.05)
        release.set()
        await opener
        receipts = await asyncio.gather(*good)
        with pytest.raises(WrongExpectedVersion):
            await bad
    finally:
        await store.close()
    assert len({r[0].position for r in receipts}) == 10
    assert store.stats.transactions - before == 2, "the ten good requests share one transaction"
    assert await store.read_stream(contested) == []


async def test_an_idempotent_retry_returns_the_original_receipt(
    database_url: str, pg_store: EventStore
) -> None:
    store = pg_store
    stream, event = uuid4(), note("Medicinlisten er printet")
    (original,) = await store.append(request(stream, 0, event))
    (again,) = await store.append(request(stream, 0, event))
    restarted_pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    restarted = EventStore(restarted_pool)
    try:
        (after_restart,) = await restarted.append(request(stream, 0, event))
    finally:
        await restarted.close()
        await restarted_pool.close()
    assert again == original
    assert after_restart == original
    assert len(await store.read_stream(stream)) == 1


async def test_a_reused_event_id_with_other_content_is_refused(store: EventLog) -> None:
    stream, event_id = uuid4(), uuid4()
    await store.append(request(stream, 0, note("first", event_id)))
    with pytest.raises(EventIdReused):
        await store.append(request(stream, None, note("something else", event_id)))
    assert [e.payload["text"] for e in await store.read_stream(stream)] == ["first"]


async def test_a_request_only_partly_stored_before_is_refused(store: EventLog) -> None:
    stream, known = uuid4(), note("known")
    await store.append(request(stream, 0, known))
    with pytest.raises(EventIdReused):
        await store.append(request(stream, None, known, note("new")))
    assert len(await store.read_stream(stream)) == 1


async def test_recorded_at_comes_from_the_database_and_follows_position(store: EventLog) -> None:
    receipts = [r for _ in range(5) for r in await store.append(request(uuid4(), 0))]
    assert all(r.recorded_at.tzinfo is not None for r in receipts)
    assert [r.recorded_at for r in receipts] == sorted(r.recorded_at for r in receipts)
    assert all(r.recorded_at > AT for r in receipts)


async def test_an_incident_its_records_and_a_list_are_read_together_as_each_would_be_alone(
    store: EventLog,
) -> None:
    # What a read of the rounds asks for at once: the incident's events after the version it
    # holds, its paper records after the last one it saw, and the unit's list only if it is
    # not the version it holds.
    incident, listed, other = uuid4(), uuid4(), uuid4()
    await store.append(request(incident, 0, note("i1"), note("i2")))
    records = []
    for n, about in enumerate((incident, other, incident)):
        record = replace(note(f"r{n}"), correlation_id=about)
        records += await store.append(AppendRequest(uuid4(), "manual-record", 0, (record,)))
    await store.append(AppendRequest(listed, "emergency-list", 0, (note("v1"), note("v2"))))
    newest = await store.read_last(listed)
    assert newest is not None
    whole = await store.read_together(TogetherAsked(incident, 1, "manual-record", 0, listed, None))
    assert [e.payload["text"] for e in whole.tail] == ["i2"]
    assert [e.payload["text"] for e in whole.correlated] == ["r0", "r2"]  # not another's
    assert whole.newest == newest
    assert whole.newest_id == newest.event_id
    after = records[0].position
    asked = TogetherAsked(incident, 2, "manual-record", after, listed, newest.event_id)
    held = await store.read_together(asked)
    assert (held.tail, [e.payload["text"] for e in held.correlated]) == ([], ["r2"])
    assert (held.newest, held.newest_id) == (None, newest.event_id)  # held: not sent again
    none = await store.read_together(TogetherAsked(uuid4(), 0, "manual-record", 0, uuid4(), None))
    assert none == ReadTogether([], [], None, None)


async def test_many_streams_read_in_one_statement_give_each_its_own_events_after_its_version(
    store: EventLog,
) -> None:
    # What a CloudEvents batch of steps on many incidents reads: each stream from where the
    # kept aggregate left off, one stream asked twice from two versions, one never written.
    a, b, never = uuid4(), uuid4(), uuid4()
    await store.append(request(a, 0, note("a1"), note("a2"), note("a3")))
    await store.append(request(b, 0, note("b1")))
    found = await store.read_streams([(a, 1), (b, 0), (a, 0), (never, 0), (b, 1)])
    texts = {k: [e.payload["text"] for e in v] for k, v in found.items()}
    assert texts == {(a, 1): ["a2", "a3"], (b, 0): ["b1"], (a, 0): ["a1", "a2", "a3"]}
    assert [e.version for e in found[(a, 1)]] == [2, 3]
