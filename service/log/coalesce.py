"""Many lookups asked in the same turn of the event loop, answered by one statement.

Under load, dozens of requests each want one row (their subject's key, their Idempotency-Key's
first answer) at the same moment. Asked one by one, each costs a pool checkout and a round trip;
gathered, they cost one. Nothing waits to be gathered: the statement goes out on the loop's next
turn with whatever was asked by then, and what is asked while it runs goes in the next one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Coalescer(Generic[K, V]):
    """`get(key)` answered by `fetch(keys)`, which returns the values of the keys it found."""

    def __init__(self, fetch: Callable[[list[K]], Awaitable[dict[K, V]]]) -> None:
        self._fetch = fetch
        self._asked: dict[K, list[asyncio.Future[V | None]]] = {}
        self._answering: asyncio.Task[None] | None = None

    async def get(self, key: K) -> V | None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[V | None] = loop.create_future()
        self._asked.setdefault(key, []).append(future)
        answering = self._answering
        if answering is None or answering.done() or answering.get_loop() is not loop:
            self._answering = loop.create_task(self._answer())
        return await future

    async def get_many(self, keys: list[K]) -> dict[K, V]:
        """The values of those keys that were found, asked together with whatever else is asked
        in this turn."""
        loop = asyncio.get_running_loop()
        futures = []
        for key in keys:
            future: asyncio.Future[V | None] = loop.create_future()
            self._asked.setdefault(key, []).append(future)
            futures.append(future)
        answering = self._answering
        if answering is None or answering.done() or answering.get_loop() is not loop:
            self._answering = loop.create_task(self._answer())
        values = await asyncio.gather(*futures)
        return {k: v for k, v in zip(keys, values, strict=True) if v is not None}

    async def _answer(self) -> None:
        while self._asked:
            asked, self._asked = self._asked, {}
            try:
                found = await self._fetch(list(asked))
            except Exception as exc:  # each asker gets the error, as if it had asked alone
                for futures in asked.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
                continue
            for key, futures in asked.items():
                for future in futures:
                    if not future.done():  # its request may have been cancelled meanwhile
                        future.set_result(found.get(key))
