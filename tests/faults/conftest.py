"""The tamper tests' log, filled once per module; every trial rolls its tampering back."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from service.log.checkpoints import load_or_create_signing_key
from tests.conftest import _new_database
from tests.faults.tampering import Log, checkpoint_head, fill_log


@pytest.fixture(scope="module")
def log(server_url: str) -> Iterator[Log]:
    """1,000 sealed events, their receipts and a signed checkpoint, in a database of their own."""
    databases = _new_database(server_url)
    url = next(databases)
    receipts = asyncio.run(fill_log(url))
    folder = Path(tempfile.mkdtemp(prefix="nedbrud-checkpoints-"))
    key = load_or_create_signing_key(folder / "keys")
    asyncio.run(checkpoint_head(url, key, folder / "checkpoints"))
    yield Log(url, receipts, key, folder / "checkpoints")
    next(databases, None)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
async def conn(log: Log) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(log.url)
    try:
        yield conn
    finally:
        await conn.close()
