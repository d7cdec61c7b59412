"""The app in process, on the test database, with keys for each role."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.access.auth import Role, create_key
from service.app import create_app
from tests.apps import settings_for


@pytest.fixture
async def keys(pool: asyncpg.Pool) -> dict[Role, str]:
    return {role: await create_key(pool, role, f"test {role}") for role in Role}


@pytest.fixture
async def client(
    database_url: str, keys: dict[Role, str]
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    app = create_app(settings_for(database_url))
    async with AsyncTestClient(app=app) as client:
        client.headers["Authorization"] = f"Bearer {keys[Role.STAFF]}"
        yield client
