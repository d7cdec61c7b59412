"""Work on one thing at a time in this process: turns per key, each waiting for the one before.

The streams take turns per stream (each write decides on what the one before it wrote), and the
answer books per Idempotency-Key (the first request writes; a later one finds its stored answer
instead of deciding again on a state the first has already changed). The PostgreSQL answer book
and the in-memory one both keep their turns here, so the two cannot drift.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Generic, TypeVar

from service.log.events import IdempotencyRecord

K = TypeVar("K", bound=Hashable)


@dataclass
class _Turn:
    lock: asyncio.Lock
    waiting: int = 0


class TurnsBy(Generic[K]):
    """One holder at a time per key. The entry goes when its last holder is done, so the map
    holds only keys in use."""

    def __init__(self) -> None:
        self._turns: dict[K, _Turn] = {}

    @asynccontextmanager
    async def turn_of(self, key: K) -> AsyncIterator[None]:
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _Turn(asyncio.Lock())
        turn.waiting += 1
        try:
            async with turn.lock:
                yield
        finally:
            turn.waiting -= 1
            if turn.waiting == 0:
                del self._turns[key]


class Turns(TurnsBy[tuple[str, str]]):
    """One request at a time per (scope, Idempotency-Key)."""

    @asynccontextmanager
    async def turn(self, record: IdempotencyRecord | None) -> AsyncIterator[None]:
        """None for a request without a key: no turn to wait for."""
        if record is None:
            yield
            return
        async with self.turn_of((record.scope, record.key)):
            yield
