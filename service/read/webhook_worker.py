"""The webhook worker: delivers the log to each webhook, at least once, in position order.

Like a projector it keeps its place in the database (each webhook's `position`), so it resumes
where it stopped after a crash or a restart, and one instance leads at a time (a session advisory
lock on a connection of its own). An event a webhook wants becomes a delivery; the delivery is
tried until the receiver answers 2xx, with exponential backoff, for `retry_for_s` (24 h), and then
marked failed so the events after it go on. While a delivery waits for its retry nothing later is
sent to that webhook: the receiver sees the log in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import OrderedDict
from datetime import timedelta
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import msgspec
from standardwebhooks.webhooks import Webhook as Signer

from domain.incident import STREAM_TYPE as INCIDENT
from domain.manual_record import STREAM_TYPE as MANUAL_RECORD
from service.access.disclosure import RecordRef, record_of
from service.log import failover
from service.log.chain import ROW_COLUMNS
from service.log.events import RecordedEvent
from service.read.notifier import Notifier, pause
from service.read.webhooks import (
    WEBHOOK_COLUMNS,
    Scope,
    SecretBox,
    Webhook,
    WebhookRefused,
    check_destination,
    message,
    now,
)

log = logging.getLogger(__name__)

WEBHOOK_LOCK = 0x6E656462  # "nedb": the lock space of the webhook worker's lease
MAX_BACKOFF_S = 600.0
BATCH = 200


class WebhookWorker:
    """Delivers to every webhook; one leader among the service's instances."""

    def __init__(
        self,
        dsn: str,
        pool: asyncpg.Pool,
        notifier: Notifier | None,
        box: SecretBox,
        *,
        allow_private: bool,
        source: str = "/nedbrud",
        retry_base_s: float = 2.0,
        retry_for_s: float = 24 * 3600.0,
        timeout_s: float = 10.0,
        poll_seconds: float = 1.0,
    ) -> None:
        self.dsn, self.pool, self.notifier, self.box = dsn, pool, notifier, box
        self.allow_private, self.source = allow_private, source
        self.retry_base_s, self.retry_for_s = retry_base_s, retry_for_s
        self.timeout_s, self.poll_seconds = timeout_s, poll_seconds
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self._first: OrderedDict[UUID, dict[str, Any]] = OrderedDict()  # streams' first payloads

    def start(self) -> None:
        self._client = httpx.AsyncClient(timeout=self.timeout_s, follow_redirects=False)
        self._task = asyncio.create_task(self.run(), name="nedbrud-webhooks")

    async def close(self) -> None:
        self._stopping.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._client is not None:
            await self._client.aclose()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                conn = await failover.connect(
                    self.dsn, server_settings={"application_name": "nedbrud-webhooks"}
                )
                try:
                    await self._lead(conn)
                finally:
                    conn.terminate()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is away: try again after a pause
                log.warning("webhook worker: %s", type(exc).__name__)
            await self._pause()

    async def _pause(self, woken: asyncio.Event | None = None) -> None:
        """Sleep a poll interval, or less when woken or told to stop."""
        await pause(self._stopping, woken, self.poll_seconds)

    async def _lead(self, conn: asyncpg.Connection) -> None:
        while not await conn.fetchval("SELECT pg_try_advisory_lock($1, 0)", WEBHOOK_LOCK):
            await self._pause()
            if self._stopping.is_set():
                return
        while not self._stopping.is_set():
            woken = self.notifier.commits() if self.notifier else None
            await self.step()
            await self._pause(woken)

    async def step(self) -> None:
        """Bring every webhook as far as it can go now."""
        rows = await self.pool.fetch(
            f"SELECT {WEBHOOK_COLUMNS}, secret_wrapped FROM webhooks WHERE deleted_at IS NULL"
        )
        await asyncio.gather(*(self._advance(r) for r in rows))

    async def _advance(self, row: asyncpg.Record) -> None:
        hook = Webhook.from_row(row)
        secret = self.box.unwrap(hook.webhook_id, bytes(row["secret_wrapped"]))
        try:
            while not self._stopping.is_set():
                pending = await self.pool.fetchrow(
                    "SELECT * FROM webhook_deliveries WHERE webhook_id = $1 AND status = 'pending'",
                    hook.webhook_id,
                )
                if pending is not None:
                    if not await self._try(hook, secret, pending):
                        return
                    continue
                if not await self._next_batch(hook):
                    return
                hook = await self._reload(hook) or hook
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("webhook %s: %s", hook.webhook_id, type(exc).__name__)

    async def _reload(self, hook: Webhook) -> Webhook | None:
        row = await self.pool.fetchrow(
            f"SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE webhook_id = $1", hook.webhook_id
        )
        return None if row is None else Webhook.from_row(row)

    async def _next_batch(self, hook: Webhook) -> bool:
        """Walk the events after the webhook's position: pass over those it does not want, make
        a delivery of the first it wants. False when there is nothing more to do now."""
        rows = await self.pool.fetch(
            f"SELECT {ROW_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2",
            hook.position,
            BATCH,
        )
        at = hook.position  # the last event passed over; the database still says hook.position
        for stored in rows:
            event = RecordedEvent.from_row(stored)
            if hook.wants(event, await self._scope(event)):
                return await self._move(hook, hook.position, event.position, event.event_id)
            at = event.position
        if at != hook.position:
            await self._move(hook, hook.position, at, None)
        return False

    async def _move(self, hook: Webhook, old: int, new: int, event_id: UUID | None) -> bool:
        """Advance the position (unless a replay moved it meanwhile) and, for an event it
        wants, make its delivery, in one transaction."""
        async with self.pool.acquire() as conn, conn.transaction():
            moved = await conn.execute(
                "UPDATE webhooks SET position = $3 WHERE webhook_id = $1 AND position = $2",
                hook.webhook_id,
                old,
                new,
            )
            if not moved.endswith(" 1"):
                return False
            if event_id is not None:
                await conn.execute(
                    "INSERT INTO webhook_deliveries (webhook_id, position, event_id, status) "
                    "VALUES ($1, $2, $3, 'pending')",
                    hook.webhook_id,
                    new,
                    event_id,
                )
        return event_id is not None

    async def _try(self, hook: Webhook, secret: str, delivery: asyncpg.Record) -> bool:
        """One attempt of a delivery that is due; True when the webhook may go on."""
        started = now()
        if delivery["next_attempt_at"] is not None and delivery["next_attempt_at"] > started:
            return False
        stored = await self.pool.fetchrow(
            f"SELECT {ROW_COLUMNS} FROM events WHERE position = $1", delivery["position"]
        )
        status, error = None, None
        if stored is not None:
            status, error = await self._post(hook, secret, RecordedEvent.from_row(stored))
        else:
            error = "the event is not in the log"
        first = delivery["first_attempt_at"] or started
        attempts = delivery["attempts"] + 1
        if status is not None and 200 <= status < 300:
            outcome, retry_at = "delivered", None
        elif started - first >= timedelta(seconds=self.retry_for_s):
            outcome, retry_at = "failed", None
        else:
            backoff = min(self.retry_base_s * 2 ** (attempts - 1), MAX_BACKOFF_S)
            outcome = "pending"
            retry_at = started + timedelta(seconds=backoff * random.uniform(0.9, 1.1))  # noqa: S311
        await self.pool.execute(
            "UPDATE webhook_deliveries SET status = $2, attempts = $3, first_attempt_at = $4, "
            "last_attempt_at = $5, next_attempt_at = $6, response_status = $7, error = $8 "
            "WHERE delivery_id = $1",
            delivery["delivery_id"], outcome, attempts, first, started, retry_at, status, error,
        )  # fmt: skip
        return outcome != "pending"

    async def _post(
        self, hook: Webhook, secret: str, event: RecordedEvent
    ) -> tuple[int | None, str | None]:
        assert self._client is not None
        body = message(event, (await self._scope(event)).subject, self.source)
        sent_at = now()
        headers = {
            "content-type": "application/cloudevents+json",
            "webhook-id": str(event.event_id),
            "webhook-timestamp": str(int(sent_at.timestamp())),
            "webhook-signature": Signer(secret).sign(str(event.event_id), sent_at, body.decode()),
        }
        try:
            await check_destination(hook.url, allow_private=self.allow_private)
            response = await self._client.post(hook.url, content=body, headers=headers)
        except WebhookRefused as refused:
            return None, str(refused)
        except httpx.HTTPError as exc:
            return None, type(exc).__name__
        return response.status_code, None if response.is_success else response.reason_phrase

    async def _scope(self, event: RecordedEvent) -> Scope:
        """Whose the event is, from the event itself or its stream's first event."""
        if event.stream_type == INCIDENT:
            return Scope(record_of(event, {}), None, str(event.stream_id))
        if event.stream_id not in self._first:
            first: Any = event.payload if event.version == 1 else None
            if first is None:
                first = await self.pool.fetchval(
                    "SELECT payload FROM events WHERE stream_id = $1 AND version = 1",
                    event.stream_id,
                )
                first = {} if first is None else msgspec.json.decode(first)
            self._first[event.stream_id] = first
            if len(self._first) > 10_000:
                self._first.popitem(last=False)
        first = self._first[event.stream_id]
        unit = first.get("unit")
        if event.stream_type != MANUAL_RECORD:
            return Scope(None, unit, unit)
        record = RecordRef(event.stream_id, unit, first.get("citizen_ref"))
        incident = first.get("incident_id") or event.correlation_id
        return Scope(record, unit, str(incident) if incident else None)
