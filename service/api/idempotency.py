"""Idempotency-Key: the same key and body get the original answer again, across restarts.

The first answer is stored with its event in one transaction (see `IdempotencyRecord`); a replay
reads it back and rebuilds the body from the stored receipt plus the ids the handler returned.

Requests with the same key that arrive together take turns in each process (`FirstAnswers.turn`):
the first one writes, and each later one then finds its stored answer and is answered with it,
`Idempotent-Replayed: true`, instead of deciding again on a state the first has already changed
(which would refuse a step as already done, or answer 201 twice).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response

from domain.ids import uuid5
from service.api.problems import ApiProblem, IdempotencyKeyReused
from service.auth import Principal
from service.citizens import CitizenRefs
from service.coalesce import Coalescer
from service.events import IdempotencyRecord
from service.store import EventStore, fetch

KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")
NAMESPACE = uuid.UUID("5b0f7c0e-3a8e-4f43-9d7e-6f1f1d1e2a10")
REPLAYED = "Idempotent-Replayed"


def event_id_for(principal: Principal, key: str | None) -> uuid.UUID:
    """The event id a request's first event gets: derived from its key, so retries collide."""
    if key is None:
        return uuid.uuid4()
    return uuid5(NAMESPACE, f"{principal.scope}\n{key}")


def check_key(key: str | None) -> str | None:
    if key is not None and not KEY_PATTERN.fullmatch(key):
        raise ApiProblem(
            400,
            "invalid-idempotency-key",
            "Idempotency-Key must be 1-200 printable ASCII characters",
        )
    return key


def record_for(
    request: Request[Any, Any, Any],
    principal: Principal,
    key: str | None,
    body: msgspec.Struct,
    status: int,
    extras: dict[str, Any] | None = None,
) -> IdempotencyRecord | None:
    if key is None:
        return None
    refs: CitizenRefs = request.app.state.citizen_refs
    digest = refs.digest(
        msgspec.json.encode(
            [request.method, request.url.path, msgspec.to_builtins(body)], order="sorted"
        )
    )
    return IdempotencyRecord(
        principal.scope, key, digest, status, msgspec.to_builtins(extras or {})
    )


@dataclass
class _Turn:
    lock: asyncio.Lock
    waiting: int = 0


class FirstAnswers:
    """The stored first answers to Idempotency-Keys. The requests that ask at the same moment
    are answered by one statement."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._rows: Coalescer[tuple[str, str], asyncpg.Record] = Coalescer(self._fetch)
        self._turns: dict[tuple[str, str], _Turn] = {}

    @asynccontextmanager
    async def turn(self, record: IdempotencyRecord | None) -> AsyncIterator[None]:
        """One request at a time per (scope, key) in this process; none for a request without a
        key. The entry goes when its last request is done, so the map holds only keys in use."""
        if record is None:
            yield
            return
        name = (record.scope, record.key)
        turn = self._turns.get(name)
        if turn is None:
            turn = self._turns[name] = _Turn(asyncio.Lock())
        turn.waiting += 1
        try:
            async with turn.lock:
                yield
        finally:
            turn.waiting -= 1
            if turn.waiting == 0:
                del self._turns[name]

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
    answers: FirstAnswers, store: EventStore, record: IdempotencyRecord | None
) -> Response[Any] | None:
    """The stored answer to this key, or None when the key is new."""
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
    return Response(body, status_code=row["status"], headers={REPLAYED: "true"})
