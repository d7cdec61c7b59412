"""Test databases: the machine's PostgreSQL through DATABASE_URL, else the embedded one.

Each test session gets its own freshly migrated database, dropped at the end; tests that damage
the log on purpose ask for `fresh_database_url`, a database of their own.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from service.embedded import start_embedded, stop_embedded
from service.migrate import migrate


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
