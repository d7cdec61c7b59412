"""One LISTEN connection per process wakes every follower of the log (projectors, live streams).

NOTIFY is only a wake-up: the table is the truth. Followers read `position > N` from the table
after each wake-up and on a timer, so a notification lost while the connection was down costs a
little latency, never an event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from service.log import failover
from service.log.events import RecordedEvent, StoreUnavailable
from service.log.store import CHANNEL, EventStore

log = logging.getLogger(__name__)

# How a projector's notification begins (`projection:<name>:<position>`); the store's is a number.
PROJECTION_PREFIX = "projection:"


class Notifier:
    """Holds the LISTEN connection, reconnecting when it drops."""

    def __init__(self, dsn: str, *, reconnect_delay: float = 1.0) -> None:
        self.dsn = dsn
        self.reconnect_delay = reconnect_delay
        self._woken = asyncio.Event()
        self._committed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def waiter(self) -> asyncio.Event:
        """An event that is set at the next notification (a commit to the log, or a projection
        that has moved on); take it before reading the table."""
        return self._woken

    def commits(self) -> asyncio.Event:
        """An event that is set at the next commit to the log, not when a projection moves on:
        what the followers of the log (projectors, the webhook worker) wait for. Woken by each
        projector's notification as well, each would read the log again for nothing: under
        load, most of their work (bench/RESULTS.md, stop 16)."""
        return self._committed

    def _notified(self, _conn: Any, _pid: int, _channel: str, payload: object) -> None:
        self._wake(str(payload))

    def _wake(self, payload: str = "") -> None:
        woken, self._woken = self._woken, asyncio.Event()
        woken.set()
        if not payload.startswith(PROJECTION_PREFIX):
            committed, self._committed = self._committed, asyncio.Event()
            committed.set()

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._listen(), name="nedbrud-notifier")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _listen(self) -> None:
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await failover.connect(self.dsn)
                lost = asyncio.Event()
                conn.add_termination_listener(lambda _c, lost=lost: lost.set())
                await conn.add_listener(CHANNEL, self._notified)
                self._wake()  # catch up on whatever was committed while we were away
                await lost.wait()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("LISTEN connection lost: %s", type(exc).__name__)
            finally:
                if conn is not None and not conn.is_closed():
                    with contextlib.suppress(Exception):
                        await conn.close(timeout=1)
            await asyncio.sleep(self.reconnect_delay)


async def follow(
    store: EventStore,
    notifier: Notifier,
    after_position: int = 0,
    *,
    page: int = 500,
    poll_seconds: float = 1.0,
) -> AsyncIterator[RecordedEvent]:
    """Every event after `after_position`, in commit order, then each new one as it commits."""
    after = after_position
    while True:
        woken = notifier.commits()
        try:
            batch = await store.read_all(after, page)
        except StoreUnavailable:
            batch = []
        for event in batch:
            after = event.position
            yield event
        if len(batch) < page:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), poll_seconds)


async def pause(stopping: asyncio.Event, woken: asyncio.Event | None, seconds: float) -> None:
    """Sleep `seconds`, or less when woken (a notification) or told to stop: how every follower
    of the log (projectors, the webhook worker) waits between pages."""
    waits = [asyncio.ensure_future(stopping.wait())]
    if woken is not None:
        waits.append(asyncio.ensure_future(woken.wait()))
    try:
        await asyncio.wait(waits, timeout=seconds, return_when="FIRST_COMPLETED")
    finally:
        for waiting in waits:
            waiting.cancel()
