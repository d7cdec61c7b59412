"""Load -> decide -> append: the one loop every write of the plan goes through.

A stream is replayed into its aggregate, the aggregate's command decides (or refuses with the
plan's rule), and what it decided is appended on condition that nobody wrote in between. Without
If-Match a concurrent writer just means: load and decide again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TypeVar
from uuid import UUID, uuid5

from domain.base import PlanAggregate
from domain.errors import ModeMismatch
from service.codec import Codec
from service.events import (
    AppendRequest,
    IdempotencyRecord,
    Receipt,
    RecordedEvent,
    WrongExpectedVersion,
)
from service.store import EventStore
from service.vault import Vault

MAX_ATTEMPTS = 3
A = TypeVar("A", bound=PlanAggregate)


class StreamNotFound(Exception):
    def __init__(self, stream_id: UUID) -> None:
        super().__init__(f"stream {stream_id} does not exist")
        self.stream_id = stream_id


@dataclass(frozen=True)
class WriteContext:
    """Who writes, with which event id, in which mode, answering which Idempotency-Key.

    `mode` None means: the mode of the stream written to (a new stream: actual).
    """

    event_id: UUID
    source: str | None
    mode: str | None = None
    idempotency: IdempotencyRecord | None = None
    correlation_id: UUID | None = None


class Streams:
    """Replays aggregates from the store and appends what they decide, sealing each event's
    personal part under its data subject's key on the way in and opening it on the way out."""

    def __init__(self, store: EventStore, codec: Codec, vault: Vault) -> None:
        self.store, self.codec, self.vault = store, codec, vault

    async def history(self, stream_id: UUID) -> list[RecordedEvent]:
        events = await self.store.read_stream(stream_id)
        if not events:
            raise StreamNotFound(stream_id)
        return await self.vault.open(events)

    async def open(self, events: list[RecordedEvent]) -> list[RecordedEvent]:
        """Events read from the store, with their sealed parts opened (or marked erased)."""
        return await self.vault.open(events)

    async def load(self, stream_id: UUID, kind: type[A]) -> tuple[A, list[RecordedEvent]]:
        history = await self.history(stream_id)
        aggregate = self.codec.replay(history)
        if not isinstance(aggregate, kind):
            raise StreamNotFound(stream_id)
        return aggregate, history

    async def create(
        self, aggregate: PlanAggregate, stream_type: str, ctx: WriteContext
    ) -> Receipt:
        """Store a new aggregate; its stream must not exist yet."""
        return await self._append(
            aggregate, stream_type, 0, replace(ctx, mode=ctx.mode or "actual")
        )

    async def act(
        self,
        stream_id: UUID,
        kind: type[A],
        decide: Callable[[A, list[RecordedEvent]], Awaitable[None]],
        ctx: WriteContext,
        *,
        if_match: int | None = None,
    ) -> Receipt:
        """Let the stream's aggregate decide, and append its decision."""
        for attempt in range(MAX_ATTEMPTS):
            aggregate, history = await self.load(stream_id, kind)
            if if_match is not None and aggregate.version != if_match:
                raise WrongExpectedVersion(stream_id, if_match, aggregate.version)
            first = history[0]
            if ctx.mode is not None and ctx.mode != first.mode:
                raise ModeMismatch(first.mode, ctx.mode)
            version = aggregate.version
            await decide(aggregate, history)
            stream_ctx = replace(
                ctx, mode=first.mode, correlation_id=ctx.correlation_id or first.correlation_id
            )
            try:
                return await self._append(aggregate, first.stream_type, version, stream_ctx)
            except WrongExpectedVersion:
                if if_match is not None or attempt == MAX_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    async def _append(
        self, aggregate: PlanAggregate, stream_type: str, expected_version: int, ctx: WriteContext
    ) -> Receipt:
        events = aggregate.collect_events()
        # The request's own event id goes to its last event: that is the one the receipt shows.
        ids = [uuid5(ctx.event_id, str(i)) for i in range(len(events) - 1)] + [ctx.event_id]
        new = tuple(
            self.codec.encode(
                event,
                event_id=event_id,
                source=ctx.source,
                mode=ctx.mode or "actual",
                correlation_id=ctx.correlation_id,
            )
            for event, event_id in zip(events, ids, strict=True)
        )
        sealed = await self.vault.seal(aggregate.data_subject, new)
        request = AppendRequest(
            aggregate.id, stream_type, expected_version, sealed, ctx.idempotency
        )
        receipts = await self.store.append(request)
        return receipts[-1]
