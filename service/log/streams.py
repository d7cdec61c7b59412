"""Load -> decide -> append: the one loop every write of the plan goes through.

A stream is replayed into its aggregate, the aggregate's command decides (or refuses with the
plan's rule), and what it decided is appended on condition that nobody wrote in between. Without
If-Match a concurrent writer just means: load and decide again.

A stream's latest aggregate is kept after each write (for streams whose personal data are staff
names, never a citizen's), so the next write replays only the events appended since, by this or
any other process. A long incident no longer costs a replay of its whole history per step.
"""

from __future__ import annotations

import asyncio
import copy
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import TypeVar
from uuid import UUID

from domain.base import PlanAggregate
from domain.errors import ModeMismatch
from domain.ids import uuid5
from service.log.coalesce import Coalescer
from service.log.codec import Codec, subject_of
from service.log.eventlog import EventLog
from service.log.events import (
    AppendRequest,
    IdempotencyRecord,
    NewEvent,
    Receipt,
    RecordedEvent,
    WrongExpectedVersion,
)
from service.log.keeping import remember
from service.log.turns import TurnsBy
from service.log.vault import Vault

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
    also_answers: tuple[IdempotencyRecord, ...] = ()


@dataclass(frozen=True)
class StreamHead:
    """What a stream's first event fixes for every later one."""

    stream_type: str
    mode: str
    correlation_id: UUID | None

    @classmethod
    def of(cls, first: RecordedEvent) -> StreamHead:
        return cls(first.stream_type, first.mode, first.correlation_id)


@dataclass(frozen=True)
class ReaderCopy:
    """A readers' copy of a stream's aggregate (`Streams.reader_copy`), or none kept."""

    stream_id: UUID
    seen: tuple[PlanAggregate, StreamHead] | None

    @property
    def version(self) -> int:
        """The version the stream's new events are read after."""
        return 0 if self.seen is None else self.seen[0].version


class Streams:
    """Replays aggregates from the store and appends what they decide, sealing each event's
    personal part under its data subject's key on the way in and opening it on the way out."""

    # Streams whose latest aggregate is kept, least recently written out first: more than the
    # incidents a busy day has open at once (bench batch writes to 800; at 256 every note
    # replayed its incident from the start).
    KEPT = 1024

    def __init__(self, store: EventLog, codec: Codec, vault: Vault) -> None:
        self.store, self.codec, self.vault = store, codec, vault
        self._latest: OrderedDict[UUID, tuple[PlanAggregate, StreamHead]] = OrderedDict()
        self._seen: OrderedDict[UUID, tuple[PlanAggregate, StreamHead]] = OrderedDict()
        self._turns: TurnsBy[UUID] = TurnsBy()
        self._reads: Coalescer[tuple[UUID, int], list[RecordedEvent]] = Coalescer(
            store.read_streams
        )

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

    async def head(self, stream_id: UUID, kind: type[A]) -> StreamHead:
        """What the stream's first event fixes (its type, mode and correlation)."""
        kept = self._latest.get(stream_id)
        if kept is not None and isinstance(kept[0], kind):
            return kept[1]
        first = await self.store.read_stream(stream_id, to_version=1)
        if not first or not isinstance(self.codec.replay(await self.vault.open(first)), kind):
            raise StreamNotFound(stream_id)
        return StreamHead.of(first[0])

    async def current(self, stream_id: UUID, kind: type[A]) -> A:
        """The stream's aggregate as of its newest event, to read (not for deciding: use `act`).

        Readers keep a copy of their own, brought up to date with what the store holds since
        (never with a decision not yet committed), so a read does not take the writers' kept
        aggregate from them, nor wait for it or replay the stream while a write holds it: under
        a stream of writes, a read replayed the whole stream every time. The first read of a
        stream copies the writers' aggregate if one is kept, or replays (and keeps that for the
        writers too). What is returned may be brought up to date by a later read meanwhile."""
        copied = self.reader_copy(stream_id)
        tail = await self._reads.get((stream_id, copied.version)) or []
        return await self.brought_up(copied, kind, tail)

    def reader_copy(self, stream_id: UUID) -> ReaderCopy:
        """`current` in two halves, for a reader who asks the store for the stream's new events
        together with other things (`EventLog.read_together`): the readers' copy of the stream,
        whose `version` the events are read after (0: none kept, the whole stream); then
        `brought_up`."""
        seen = self._seen.pop(stream_id, None)  # a concurrent read of the stream copies anew
        if seen is None and (kept := self._latest.get(stream_id)) is not None:
            seen = (copy.deepcopy(kept[0]), kept[1])  # kept: as committed (writers take it out)
        return ReaderCopy(stream_id, seen)

    async def brought_up(self, copied: ReaderCopy, kind: type[A], tail: list[RecordedEvent]) -> A:
        """The readers' copy brought up to date with the events read after its version (or the
        stream replayed from them, and kept for the writers too)."""
        stream_id = copied.stream_id
        if copied.seen is None:
            if not tail:
                raise StreamNotFound(stream_id)
            replayed = self.codec.replay(await self.vault.open(tail))
            if not isinstance(replayed, kind):
                raise StreamNotFound(stream_id)
            head = StreamHead.of(tail[0])
            self._keep(replayed, head)  # for the writers too
            seen: tuple[PlanAggregate, StreamHead] = (copy.deepcopy(replayed), head)
        else:
            base, head = copied.seen
            seen = (self.codec.replay(await self.vault.open(tail), base) or base, head)
        aggregate = seen[0]
        if not isinstance(aggregate, kind):
            raise StreamNotFound(stream_id)
        if aggregate.data_subject == str(aggregate.id):  # as `_keep`: never a citizen's data
            remember(self._seen, stream_id, seen, self.KEPT)
        return aggregate

    async def _take(self, stream_id: UUID, kind: type[A]) -> tuple[A, StreamHead]:
        """The stream's aggregate as of its newest event, to decide on: the one kept after the
        last write here (taken out: nothing else uses it meanwhile, as writes to a stream take
        turns) brought up to date with what was appended since, or replayed from the start."""
        kept = self._latest.pop(stream_id, None)
        base, head = kept if kept is not None else (None, None)
        # Streams asked for in the same turn of the event loop (a batch's events, each on its
        # own stream) are read in one statement.
        tail = await self._reads.get((stream_id, base.version if base is not None else 0)) or []
        if base is None and not tail:
            raise StreamNotFound(stream_id)
        current = self.codec.replay(await self.vault.open(tail), base)
        if not isinstance(current, kind):
            raise StreamNotFound(stream_id)
        return current, head or StreamHead.of(tail[0])

    def _keep(self, aggregate: PlanAggregate, head: StreamHead) -> None:
        """Keep the aggregate for the next write, unless its events are about a citizen, whose
        data are kept in memory no longer than a request."""
        if aggregate.data_subject != str(aggregate.id):
            return
        remember(self._latest, aggregate.id, (aggregate, head), self.KEPT)

    async def create(
        self, aggregate: PlanAggregate, stream_type: str, ctx: WriteContext
    ) -> Receipt:
        """Store a new aggregate; its stream must not exist yet."""
        ctx = replace(ctx, mode=ctx.mode or "actual")
        receipt = await self._append(aggregate, stream_type, 0, ctx)
        head = StreamHead(stream_type, ctx.mode or "actual", ctx.correlation_id)
        self._kept_if_written(aggregate, head, receipt)
        return receipt

    async def write(
        self, aggregate: PlanAggregate, stream_type: str, expected_version: int, ctx: WriteContext
    ) -> Receipt:
        """Append what an aggregate the caller replayed itself decided, at the version it read;
        the aggregate is not kept (its stream may hold many citizens' data)."""
        return await self._append(aggregate, stream_type, expected_version, ctx)

    def _kept_if_written(
        self, aggregate: PlanAggregate, head: StreamHead, receipt: Receipt
    ) -> None:
        """Keep the aggregate that decided, if what it decided is what the store now holds (an
        event sent again is answered with its first receipt, at an older version: not kept)."""
        if receipt.stream_id == aggregate.id and receipt.version == aggregate.version:
            self._keep(aggregate, head)

    async def act(
        self,
        stream_id: UUID,
        kind: type[A],
        decide: Callable[[A], Awaitable[None]],
        ctx: WriteContext,
        *,
        if_match: int | None = None,
    ) -> Receipt:
        """Let the stream's aggregate decide, and append its decision."""
        async with self._turn(stream_id):
            return await self._act(stream_id, kind, decide, ctx, if_match)

    async def act_each(
        self,
        kind: type[A],
        steps: Sequence[tuple[UUID, Callable[[A], None], WriteContext]],
        also_answers: tuple[IdempotencyRecord, ...] = (),
    ) -> list[Receipt | BaseException]:
        """Many streams, each deciding on its own (a bulk request): read in one query, decided
        one after another, appended together, so that group commit stores them in a few
        transactions. Each gets its own receipt or refusal; a stream written to meanwhile
        decides again on its own. `also_answers` go with the first stream that decides."""
        wanted = [(stream_id, 0) for stream_id in dict.fromkeys(s for s, _, _ in steps)]
        histories = await self.store.read_streams(wanted)
        opened = await self.vault.open([e for events in histories.values() for e in events])
        by_stream: dict[UUID, list[RecordedEvent]] = {}
        for event in opened:
            by_stream.setdefault(event.stream_id, []).append(event)
        unanswered = [also_answers]

        async def one(stream_id: UUID, step: Callable[[A], None], ctx: WriteContext) -> Receipt:
            history = by_stream.get(stream_id, [])
            aggregate = self.codec.replay(history) if history else None
            if not isinstance(aggregate, kind):
                raise StreamNotFound(stream_id)
            head = StreamHead.of(history[0])
            if ctx.mode is not None and ctx.mode != head.mode:
                raise ModeMismatch(head.mode, ctx.mode)
            version = aggregate.version
            step(aggregate)  # no await before it: the streams decide in the order given
            ctx = replace(ctx, also_answers=unanswered.pop()) if unanswered else ctx
            stream_ctx = replace(
                ctx, mode=head.mode, correlation_id=ctx.correlation_id or head.correlation_id
            )
            try:
                return await self._append(aggregate, head.stream_type, version, stream_ctx)
            except WrongExpectedVersion:

                async def decide(again: A) -> None:
                    step(again)

                return await self.act(stream_id, kind, decide, ctx)

        return await asyncio.gather(*(one(*s) for s in steps), return_exceptions=True)

    @asynccontextmanager
    async def _turn(self, stream_id: UUID) -> AsyncIterator[None]:
        """Writes to one stream from this process take turns: each decides on what the one
        before it wrote, instead of all deciding on one version and all but one being refused
        by the store and deciding again. (Other processes are still caught by the version.)"""
        async with self._turns.turn_of(stream_id):
            yield

    async def _act(
        self,
        stream_id: UUID,
        kind: type[A],
        decide: Callable[[A], Awaitable[None]],
        ctx: WriteContext,
        if_match: int | None,
    ) -> Receipt:
        for attempt in range(MAX_ATTEMPTS):
            aggregate, head = await self._take(stream_id, kind)
            if if_match is not None and aggregate.version != if_match:
                raise WrongExpectedVersion(stream_id, if_match, aggregate.version)
            if ctx.mode is not None and ctx.mode != head.mode:
                raise ModeMismatch(head.mode, ctx.mode)
            version = aggregate.version
            await decide(aggregate)
            stream_ctx = replace(
                ctx, mode=head.mode, correlation_id=ctx.correlation_id or head.correlation_id
            )
            try:
                receipt = await self._append(aggregate, head.stream_type, version, stream_ctx)
                self._kept_if_written(aggregate, head, receipt)
                return receipt
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
        # Each event is sealed under its data subject's key: the stream's, unless the event names
        # another (a correction of a paper record, under the citizen's key).
        subjects = [subject_of(event, aggregate.data_subject) for event in events]
        sealed_by_id: dict[UUID, NewEvent] = {}
        for subject in dict.fromkeys(subjects):
            mine = [e for e, s in zip(new, subjects, strict=True) if s == subject]
            sealed_by_id |= {e.event_id: e for e in await self.vault.seal(subject, mine)}
        sealed = tuple(sealed_by_id[e.event_id] for e in new)
        request = AppendRequest(
            aggregate.id, stream_type, expected_version, sealed, ctx.idempotency, ctx.also_answers
        )
        receipts = await self.store.append(request)
        return receipts[-1]
