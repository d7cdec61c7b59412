"""The stores the contract tests run on: every test that takes `store` runs on PostgreSQL and on
the in-memory log, so the two cannot drift. `pg_store` is for what only PostgreSQL has (group
commit, other processes, a restart)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from service.log.eventlog import EventLog
from service.log.memory import MemoryEventStore
from service.log.store import EventStore


@pytest.fixture
async def pg_store(pool: asyncpg.Pool) -> AsyncIterator[EventStore]:
    store = EventStore(pool)
    yield store
    await store.close()


@pytest.fixture(params=["postgresql", "memory"])
def store_database(request: pytest.FixtureRequest) -> str | None:
    """The database the store keeps its log in (None: memory). Asked for here, outside the
    event loop, so that the memory store's tests start no database at all."""
    return request.getfixturevalue("database_url") if request.param == "postgresql" else None


@pytest.fixture
async def store(store_database: str | None) -> AsyncIterator[EventLog]:
    if store_database is None:
        yield MemoryEventStore()
        return
    pool = await asyncpg.create_pool(store_database, min_size=1, max_size=8)
    store = EventStore(pool)
    try:
        yield store
    finally:
        await store.close()
        await pool.close()
