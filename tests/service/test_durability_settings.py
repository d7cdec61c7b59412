"""The database the tests (and the benchmarks' figures) run on keeps what it acknowledges."""

from __future__ import annotations

import asyncpg
import pytest

pytestmark = pytest.mark.anyio


async def test_the_database_flushes_every_commit_to_disk(pool: asyncpg.Pool) -> None:
    # With either off, a commit can be answered before it is on disk, and a crash loses it.
    assert await pool.fetchval("SHOW fsync") == "on"
    assert await pool.fetchval("SHOW synchronous_commit") == "on"
    assert await pool.fetchval("SHOW full_page_writes") == "on"
