"""A key over its rate limit gets 429 with Retry-After, and other keys are not slowed by it; an
address that sends too many unknown keys is told to wait."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.access.auth import Role
from service.app import create_app
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


@pytest.fixture
async def wary_client(database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    settings = settings_for(database_url, auth_failure_rate=0.5, auth_failure_burst=3)
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


async def test_an_address_that_sends_unknown_keys_is_told_to_wait_and_a_valid_key_is_not(
    wary_client: AsyncTestClient[Litestar], keys: dict[Role, str]
) -> None:
    guesses = [{"Authorization": f"Bearer nbd_guess-{n}"} for n in range(4)]
    answers = [(await wary_client.get("/v1/contacts/now", headers=g)) for g in guesses]
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    refused = answers[-1]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"] == "/problems/too-many-requests"
    assert int(refused.headers["retry-after"]) >= 1
    # A valid key from that address (every dashboard behind one proxy shares it) is still
    # served: one stale integration must not lock the night shift out. Keys are 256 random
    # bits: a right guess is not what the limit is for.
    right = {"Authorization": f"Bearer {keys[Role.STAFF]}"}
    assert (await wary_client.get("/v1/contacts/now", headers=right)).status_code == 200
    again = await wary_client.get("/v1/contacts/now", headers=guesses[0])
    assert again.status_code == 429  # and the unknown ones still wait


async def test_right_keys_do_not_use_up_the_addresss_allowance_for_failures(
    wary_client: AsyncTestClient[Litestar], keys: dict[Role, str]
) -> None:
    right = {"Authorization": f"Bearer {keys[Role.STAFF]}"}
    for _ in range(10):
        assert (await wary_client.get("/v1/contacts/now", headers=right)).status_code == 200
    wrong = {"Authorization": "Bearer nbd_typo"}
    assert (await wary_client.get("/v1/contacts/now", headers=wrong)).status_code == 401
