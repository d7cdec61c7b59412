"""The log cannot be changed, and `verify` finds the first row that was changed anyway."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import asyncpg
import pytest

from service.log.chain import verify_chain
from service.log.events import AppendRequest
from service.log.store import EventStore
from service.read.notifier import Notifier, follow
from tests.service.test_store import note, request

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET type = 'rewritten'",
        "DELETE FROM events",
        "TRUNCATE events CASCADE",
    ],
)
async def test_the_database_refuses_to_change_or_remove_events(
    pool: asyncpg.Pool, statement: str
) -> None:
    store = EventStore(pool)
    await store.append(request(uuid4(), 0))
    await store.close()
    before = await pool.fetchval("SELECT count(*) FROM events")
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
        await pool.execute(statement)
    assert await pool.fetchval("SELECT count(*) FROM events") == before


async def _filled_store(url: str, streams: int = 5) -> tuple[asyncpg.Pool, EventStore]:
    pool = await asyncpg.create_pool(url, min_size=1, max_size=4)
    store = EventStore(pool)
    await asyncio.gather(
        *(
            store.append(AppendRequest(uuid4(), "incident", 0, (note("a"), note("b"))))
            for _ in range(streams)
        )
    )
    return pool, store


async def test_verify_passes_on_a_clean_log(fresh_database_url: str) -> None:
    pool, store = await _filled_store(fresh_database_url)
    try:
        async with pool.acquire() as conn:
            result = await verify_chain(conn, page=3)
    finally:
        await store.close()
        await pool.close()
    assert result.ok
    assert result.checked == 10
    assert result.first_bad_position is None


@pytest.mark.parametrize(
    ("tamper", "bad_position"),
    [
        ('UPDATE events SET payload = \'{"text": "b "}\' WHERE position = 7', 7),
        ("UPDATE events SET occurred_at = occurred_at + interval '1 second' WHERE position = 4", 4),
        ("UPDATE events SET hash = sha256(hash) WHERE position = 9", 9),
        ("DELETE FROM events WHERE position = 6", 6),
    ],
)
async def test_verify_names_the_first_bad_position_after_a_row_is_altered(
    fresh_database_url: str, tamper: str, bad_position: int
) -> None:
    pool, store = await _filled_store(fresh_database_url)
    try:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")  # bypass triggers
            await conn.execute(tamper)
        async with pool.acquire() as conn:
            result = await verify_chain(conn, page=4)
    finally:
        await store.close()
        await pool.close()
    assert not result.ok
    assert result.first_bad_position == bad_position
    assert result.checked == bad_position - 1


async def test_a_follower_gets_every_event_once_in_order_even_across_a_lost_connection(
    database_url: str, pool: asyncpg.Pool
) -> None:
    store, notifier = EventStore(pool), Notifier(database_url, reconnect_delay=0.05)
    await notifier.start()
    start = await store.head()
    received: list[int] = []

    async def collect(count: int) -> None:
        async for event in follow(store, notifier, start, poll_seconds=30):
            received.append(event.position)
            if len(received) == count:
                return

    try:
        follower = asyncio.create_task(collect(6))
        written = [r.position for _ in range(3) for r in await store.append(request(uuid4(), 0))]
        await asyncio.sleep(0.2)
        await pool.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
        )
        written += [r.position for _ in range(3) for r in await store.append(request(uuid4(), 0))]
        await asyncio.wait_for(follower, timeout=10)
    finally:
        await notifier.close()
        await store.close()
    mine = [p for p in received if p in written]
    assert mine == written
