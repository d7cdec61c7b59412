"""A key over its rate limit gets 429 with Retry-After, and other keys are not slowed by it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.auth import Role
from tests.apps import settings_for

pytestmark = pytest.mark.anyio


@pytest.fixture
async def slow_client(database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    settings = settings_for(database_url, rate_per_second=0.5, rate_burst=3)
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


async def test_a_key_over_its_limit_is_told_when_to_retry_and_others_are_not(
    slow_client: AsyncTestClient[Litestar], keys: dict[Role, str]
) -> None:
    busy = {"Authorization": f"Bearer {keys[Role.IT]}"}
    quiet = {"Authorization": f"Bearer {keys[Role.STAFF]}"}
    answers = [(await slow_client.get("/v1/contacts/now", headers=busy)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"] == "/problems/too-many-requests"
    assert refused.headers["retry-after"] == "2"
    assert (await slow_client.get("/v1/contacts/now", headers=quiet)).status_code == 200
