"""Identical requests with one Idempotency-Key sent at the same moment (a client that retries
too eagerly, two tabs): one event, and every answer after the first says it is a replay."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from service.access.auth import Role
from service.app import create_app
from tests.api.outage import NEXUS_DOWN, log_size, step
from tests.apps import settings_for

pytestmark = pytest.mark.anyio


@pytest.fixture
async def together(database_url: str, keys: dict[Role, str]) -> AsyncIterator[httpx.AsyncClient]:
    """The app on this test's event loop, called concurrently (the test client runs the app in
    a thread of its own and answers one request at a time)."""
    app = create_app(settings_for(database_url))
    async with (
        app.lifespan(),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
            base_url="http://nedbrud",
            headers={"Authorization": f"Bearer {keys[Role.STAFF]}"},
        ) as http,
    ):
        yield http


async def test_ten_identical_declarations_at_once_store_one_event_and_say_so(
    together: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    headers = {"Idempotency-Key": f"together-{uuid.uuid4()}"}
    before = await log_size(pool)
    answers = await asyncio.gather(
        *(together.post("/v1/incidents", json=NEXUS_DOWN, headers=headers) for _ in range(10))
    )
    assert [a.status_code for a in answers] == [201] * 10
    assert await log_size(pool) == before + 1
    replayed = [a.headers.get("idempotent-replayed") for a in answers]
    assert replayed.count(None) == 1
    assert replayed.count("true") == 9
    assert len({a.text for a in answers}) == 1


async def test_ten_identical_steps_at_once_are_one_step_not_nine_refusals(
    together: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    incident = (await together.post("/v1/incidents", json=NEXUS_DOWN)).json()["incident_id"]
    restored = step("system-restored", system="nexus")
    headers = {"Idempotency-Key": f"restored-{uuid.uuid4()}"}
    before = await log_size(pool)
    answers = await asyncio.gather(
        *(
            together.post(f"/v1/incidents/{incident}/events", json=restored, headers=headers)
            for _ in range(10)
        )
    )
    assert [a.status_code for a in answers] == [201] * 10, [a.text for a in answers]
    assert await log_size(pool) == before + 1
    assert [a.headers.get("idempotent-replayed") for a in answers].count("true") == 9
