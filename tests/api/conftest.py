"""The app in process, on the test database, with keys for each role."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.auth import Role, create_key
from service.settings import Settings


@pytest.fixture
async def keys(pool: asyncpg.Pool) -> dict[Role, str]:
    return {role: await create_key(pool, role, f"test {role}") for role in Role}


@pytest.fixture
async def client(
    database_url: str, keys: dict[Role, str]
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = create_app(
        Settings(
            database_url=database_url,
            data_dir=Path(),
            bootstrap_key=None,
            pseudonym_key=b"synthetic-test-pseudonym-key-01",
        )
    )
    async with AsyncTestClient(app=app) as client:
        client.headers["Authorization"] = f"Bearer {keys[Role.STAFF]}"
        yield client
