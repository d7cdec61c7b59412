"""A commit whose reply is lost: the write is stored, the caller hears nothing good, retries with
its Idempotency-Key, and gets the original receipt; the event is stored once."""

from __future__ import annotations

import asyncpg
import pytest

from tests.api.outage import NEXUS_DOWN, Client, log_size

pytestmark = pytest.mark.anyio


async def test_a_retry_after_a_lost_reply_gets_the_original_receipt(
    client: Client, pool: asyncpg.Pool
) -> None:
    store = client.app.state.store
    keep = store.on_commit

    def lose_the_reply(events: int) -> None:  # runs after COMMIT: the rows are on disk
        store.on_commit = keep
        raise ConnectionResetError("the connection dropped before the reply")

    store.on_commit = lose_the_reply
    headers = {"Idempotency-Key": "lost-reply-1"}
    before = await log_size(pool)
    lost = await client.post("/v1/incidents", json=NEXUS_DOWN, headers=headers)
    assert lost.status_code == 503  # never a 2xx the caller could not have seen, never a 500
    assert lost.headers["retry-after"]
    assert await log_size(pool) == before + 1  # yet it was committed

    retried = await client.post("/v1/incidents", json=NEXUS_DOWN, headers=headers)
    assert retried.status_code == 201
    assert retried.headers["idempotent-replayed"] == "true"
    stored = await pool.fetchrow(
        "SELECT position, stream_id FROM events ORDER BY position DESC LIMIT 1"
    )
    assert stored is not None
    assert retried.json()["position"] == stored["position"]
    assert retried.json()["incident_id"] == str(stored["stream_id"])
    again = await client.post("/v1/incidents", json=NEXUS_DOWN, headers=headers)
    assert again.json() == retried.json()
    assert await log_size(pool) == before + 1  # stored once
