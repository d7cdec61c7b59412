"""Idempotency-Key: the same key and request get the original answer again, across restarts.

The first answer is stored with its event in one transaction (see `IdempotencyRecord`); a replay
reads it back and rebuilds the body from the stored receipt plus the ids the use case returned.

Requests with the same key that arrive together take turns in each process (`service.log.turns`):
the first one writes, and each later one then finds its stored answer and is answered with it
(replayed) instead of deciding again on a state the first has already changed (which would
refuse a step as already done, or answer 201 twice).
"""

from __future__ import annotations

import re
import uuid
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

import asyncpg
import msgspec

from domain.ids import uuid5
from service.access.auth import Principal
from service.log.coalesce import Coalescer
from service.log.events import IdempotencyRecord, RecordedEvent
from service.log.store import fetch
from service.log.turns import Turns
from service.write.citizens import CitizenRefs
from service.write.errors import IdempotencyKeyInvalid, IdempotencyKeyReused

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")
NAMESPACE = uuid.UUID("5b0f7c0e-3a8e-4f43-9d7e-6f1f1d1e2a10")


class AnswerBook(Protocol):
    """What the use cases need of the stored first answers: `FirstAnswers` over PostgreSQL, or
    an in-memory book in fast tests. `find` gives the stored row (`request_digest`, `status`,
    `event_id`, `extras` as JSON text) or None."""

    def turn(self, record: IdempotencyRecord | None) -> AbstractAsyncContextManager[None]: ...

    async def find(self, scope: str, key: str) -> Any: ...


class EventLookup(Protocol):
    """What the use cases read back from the store: the events a stored answer points at."""

    async def find(self, event_id: uuid.UUID) -> RecordedEvent | None: ...

    async def find_many(self, event_ids: list[uuid.UUID]) -> list[RecordedEvent]: ...


def event_id_for(principal: Principal, key: str | None) -> uuid.UUID:
    """The event id a request's first event gets: derived from its key, so retries collide."""
    if key is None:
        return uuid.uuid4()
    return uuid5(NAMESPACE, f"{principal.scope}\n{key}")


def check_key(key: str | None) -> str | None:
    if key is not None and not KEY_PATTERN.fullmatch(key):
        raise IdempotencyKeyInvalid()
    return key


def record_for(
    refs: CitizenRefs,
    principal: Principal,
    key: str | None,
    request: tuple[str, str, Any],
    status: int,
    extras: dict[str, Any] | None = None,
) -> IdempotencyRecord | None:
    """The answer to store under `key`: `request` (method, path, body as builtins) is what a
    retry must repeat, kept as a keyed digest (it may name a citizen)."""
    if key is None:
        return None
    digest = refs.digest(msgspec.json.encode(list(request), order="sorted"))
    return IdempotencyRecord(
        principal.scope, key, digest, status, msgspec.to_builtins(extras or {})
    )


class FirstAnswers:
    """The stored first answers to Idempotency-Keys. The requests that ask at the same moment
    are answered by one statement."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._rows: Coalescer[tuple[str, str], asyncpg.Record] = Coalescer(self._fetch)
        self._turns = Turns()

    def turn(self, record: IdempotencyRecord | None) -> AbstractAsyncContextManager[None]:
        """One request at a time per (scope, key) in this process; none for a request without a
        key (`service.log.turns`)."""
        return self._turns.turn(record)

    async def find(self, scope: str, key: str) -> asyncpg.Record | None:
        return await self._rows.get((scope, key))

    async def _fetch(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], asyncpg.Record]:
        rows = await fetch(
            self.pool,
            "SELECT scope, key, request_digest, status, event_id, extras::text AS extras "
            "FROM idempotency_keys WHERE (scope, key) IN "
            "(SELECT * FROM unnest($1::text[], $2::text[]))",
            [scope for scope, _ in keys],
            [key for _, key in keys],
        )
        return {(r["scope"], r["key"]): r for r in rows}


async def replay(
    answers: AnswerBook, store: EventLookup, record: IdempotencyRecord | None
) -> tuple[dict[str, Any], int] | None:
    """The stored answer to this key (its body and status), or None when the key is new."""
    if record is None:
        return None
    row = await answers.find(record.scope, record.key)
    if row is None:
        return None
    if bytes(row["request_digest"]) != record.request_digest:
        raise IdempotencyKeyReused()
    stored = await store.find(row["event_id"])
    assert stored is not None, "an idempotency key always points at a stored event"
    body = msgspec.to_builtins(stored.receipt()) | msgspec.json.decode(row["extras"])
    return body, int(row["status"])
