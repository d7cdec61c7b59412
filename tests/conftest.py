"""Test databases: the machine's PostgreSQL through DATABASE_URL, else the embedded one.

Each test session gets its own freshly migrated database, dropped at the end; tests that damage
the log on purpose ask for `fresh_database_url`, a database of their own.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from service.log.migrate import migrate
from service.runtime.embedded import start_embedded, stop_embedded

# The tests, and every server and command they start, never read or write the user's own data
# directory: a checkpoint signed there by a server someone ran on this machine is not this
# session's log, and `verify` rightly called the chain rewritten. Tests that need their own set
# NEDBRUD_DATA_DIR again.
os.environ["NEDBRUD_DATA_DIR"] = tempfile.mkdtemp(prefix="nedbrud-test-data-")
atexit.register(shutil.rmtree, os.environ["NEDBRUD_DATA_DIR"], True)


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A PostgreSQL server: DATABASE_URL's, or an embedded one that is deleted afterwards."""
    if url := os.environ.get("DATABASE_URL"):
        yield url
        return
    data_dir = Path(tempfile.mkdtemp(prefix="nedbrud-test-"))
    url, server = start_embedded(data_dir, delete_on_exit=True)
    try:
        yield url
    finally:
        stop_embedded(server, delete=True)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _admin(url: str, statement: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(with_database(url, "postgres"))
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


def _new_database(server_url: str) -> Iterator[str]:
    name = f"nedbrud_test_{uuid.uuid4().hex[:12]}"
    _admin(server_url, f'CREATE DATABASE "{name}"')
    url = with_database(server_url, name)
    try:
        migrate(url)
        yield url
    finally:
        _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    """A migrated database shared by the session's tests (which use random ids)."""
    yield from _new_database(server_url)


@pytest.fixture
def fresh_database_url(server_url: str) -> Iterator[str]:
    """A migrated database for one test alone."""
    yield from _new_database(server_url)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=8)
    try:
        yield pool
    finally:
        await pool.close()
