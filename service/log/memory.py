"""The event log in memory: the write side's fast tests run the plan's steps on it in
milliseconds, with no database.

It decides each append as the PostgreSQL store does (`service.log.appending`: the same versions,
refusals, idempotent retries and hash chain), in one step between two awaits, which is what the
advisory lock gives the PostgreSQL store. Reads give copies, as rows read back would be. Its key
table (`MemoryKeys`) lets the vault seal and open as it does on PostgreSQL, and forget a subject.
Its answer book (`MemoryAnswers`) reads the Idempotency-Keys it answered as the use cases read
them from PostgreSQL, so the write use cases run wholly in memory.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec

from service.log.appending import Batch
from service.log.chain import GENESIS
from service.log.events import (
    AppendRequest,
    IdempotencyRecord,
    ReadTogether,
    Receipt,
    RecordedEvent,
    StreamTip,
    TogetherAsked,
)
from service.log.turns import Turns
from service.log.vault import WrappedKey


def _utc_now() -> datetime:
    return datetime.now(UTC)


class MemoryEventStore:
    """Append-only, totally ordered, idempotent event log, in this process's memory."""

    def __init__(self, clock: Callable[[], datetime] = _utc_now) -> None:
        self.clock = clock  # recorded_at: the store's clock, never the writer's
        self._log: list[RecordedEvent] = []
        self._streams: dict[UUID, list[RecordedEvent]] = {}
        self._by_id: dict[UUID, RecordedEvent] = {}
        # The Idempotency-Keys answered, first answer kept: (scope, key) -> (record, event id).
        self.answered: dict[tuple[str, str], tuple[IdempotencyRecord, UUID]] = {}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def append(self, request: AppendRequest) -> list[Receipt]:
        """Append `request`'s events, or raise the reason they were refused."""
        if not request.events:
            raise ValueError("an append needs at least one event")
        # Every append waits for the event loop, as one sent to a database does: writers at the
        # same moment decide on the same version, and all but one are refused.
        await asyncio.sleep(0)
        head = self._log[-1] if self._log else None
        now = self.clock().astimezone(UTC)
        if head is not None and now <= head.recorded_at:  # recorded_at follows position
            now = head.recorded_at + timedelta(microseconds=1)
        versions = {request.stream_id: len(self._streams.get(request.stream_id, ()))}
        known = (self._by_id.get(e.event_id) for e in request.events)
        existing = {k.event_id: k for k in known if k is not None}
        batch = Batch(
            head.position if head is not None else 0,
            head.hash if head is not None else GENESIS,
            now,
            versions,
            existing,
        )
        outcome = batch.decide(request)
        if isinstance(outcome, BaseException):
            raise outcome
        for recorded in batch.recorded:
            stored = _as_stored(recorded)
            self._log.append(stored)
            self._streams.setdefault(stored.stream_id, []).append(stored)
            self._by_id[stored.event_id] = stored
        for scope, key, digest, status, event_id, extras in batch.idempotency:
            record = IdempotencyRecord(scope, key, digest, status, msgspec.json.decode(extras))
            self.answered.setdefault((scope, key), (record, event_id))
        return outcome

    async def read_stream(
        self, stream_id: UUID, *, to_version: int | None = None, after_version: int = 0
    ) -> list[RecordedEvent]:
        """The events of one stream, oldest first: every one, or those after `after_version`
        up to `to_version`."""
        events = self._streams.get(stream_id, [])
        end = len(events) if to_version is None else max(0, min(to_version, len(events)))
        return _copies(events[max(0, after_version) : end])

    async def read_streams(
        self, wanted: Sequence[tuple[UUID, int]]
    ) -> dict[tuple[UUID, int], list[RecordedEvent]]:
        """The events of many streams, each after the version given with it (a stream nobody
        wrote to, or nothing after that version: no entry)."""
        found = {}
        for stream_id, version in wanted:
            if events := await self.read_stream(stream_id, after_version=version):
                found[(stream_id, version)] = events
        return found

    async def read_last(self, stream_id: UUID) -> RecordedEvent | None:
        events = self._streams.get(stream_id)
        return _copy(events[-1]) if events else None

    async def last_event_id(self, stream_id: UUID) -> UUID | None:
        events = self._streams.get(stream_id)
        return events[-1].event_id if events else None

    async def read_all(self, after_position: int = 0, limit: int = 500) -> list[RecordedEvent]:
        """The global feed in commit order (positions are 1, 2, 3, ... as on PostgreSQL)."""
        return _copies(self._log[max(0, after_position) : max(0, after_position) + limit])

    async def read_correlated(self, correlation_id: UUID) -> list[RecordedEvent]:
        return _copies(e for e in self._log if correlation_id in (e.stream_id, e.correlation_id))

    async def read_correlated_of_type(
        self, correlation_id: UUID, stream_type: str, after_position: int = 0
    ) -> list[RecordedEvent]:
        return _copies(
            e
            for e in self._log[max(0, after_position) :]
            if e.correlation_id == correlation_id and e.stream_type == stream_type
        )

    async def read_together(self, asked: TogetherAsked) -> ReadTogether:
        newest_id = await self.last_event_id(asked.newest_of)
        tail = await self.read_stream(asked.stream_id, after_version=asked.after_version)
        correlated = await self.read_correlated_of_type(
            asked.stream_id, asked.correlated_type, asked.after_position
        )
        held = newest_id in (None, asked.held)
        return ReadTogether(
            tail, correlated, newest_id, None if held else await self.read_last(asked.newest_of)
        )

    async def find(self, event_id: UUID) -> RecordedEvent | None:
        found = self._by_id.get(event_id)
        return None if found is None else _copy(found)

    async def find_many(self, event_ids: list[UUID]) -> list[RecordedEvent]:
        found = (self._by_id.get(i) for i in set(event_ids))
        return _copies(sorted((e for e in found if e is not None), key=lambda e: e.position))

    async def last_position_of(self, correlation_id: UUID) -> int | None:
        positions = [
            e.position for e in self._log if correlation_id in (e.stream_id, e.correlation_id)
        ]
        return max(positions, default=None)

    async def head(self) -> int:
        return len(self._log)

    async def tips(self, stream_type: str, first_field: str, last_field: str) -> list[StreamTip]:
        """Each stream of one type, by stream id: a plain field of its first event and one of
        its newest."""
        return [
            StreamTip(
                stream_id,
                _as_text(events[0].payload.get(first_field)),
                events[-1].version,
                _as_text(events[-1].payload.get(last_field)),
                events[-1].occurred_at,
            )
            for stream_id, events in sorted(self._streams.items())
            if events[0].stream_type == stream_type
        ]


def _as_stored(event: RecordedEvent) -> RecordedEvent:
    """The event as a row holds it: its payload JSON (what the writer keeps cannot change it),
    its times in UTC."""
    return dataclasses.replace(
        event,
        payload=_json(event.payload),
        occurred_at=event.occurred_at.astimezone(UTC),
        recorded_at=event.recorded_at.astimezone(UTC),
    )


def _json(value: Any) -> Any:
    return msgspec.json.decode(msgspec.json.encode(value))


def _copy(event: RecordedEvent) -> RecordedEvent:
    return dataclasses.replace(event, payload=_json(event.payload))


def _copies(events: Any) -> list[RecordedEvent]:
    return [_copy(e) for e in events]


def _as_text(value: Any) -> str | None:
    """A JSON value as SQL's `->>` gives it."""
    if value is None or isinstance(value, str):
        return value
    return msgspec.json.encode(value).decode()


class MemoryKeys:
    """The vault's key table in memory: one wrapped data key per subject."""

    def __init__(self) -> None:
        self._by_subject: dict[str, WrappedKey] = {}

    async def get_or_add(self, offered: Sequence[WrappedKey]) -> list[WrappedKey]:
        await asyncio.sleep(0)
        return [self._by_subject.setdefault(o.subject, o) for o in offered]

    async def present(self, key_ids: list[bytes]) -> frozenset[bytes]:
        kept = {k.key_id for k in self._by_subject.values()}
        return frozenset(k for k in key_ids if k in kept)

    async def by_id(self, key_ids: list[bytes]) -> list[WrappedKey]:
        wanted = set(key_ids)
        return [k for k in self._by_subject.values() if k.key_id in wanted]

    async def forget(self, subject: str) -> bool:
        """Delete the subject's data key (`nedbrud forget`); True when there was one."""
        return self._by_subject.pop(subject, None) is not None


class MemoryAnswers:
    """The Idempotency-Keys a `MemoryEventStore` answered, as the use cases' answer book
    (`service.write.idempotency.AnswerBook`): each found as `FirstAnswers` reads its row from
    PostgreSQL (`request_digest`, `status`, `event_id`, `extras` as JSON text), and requests
    under the same key take turns as they do there."""

    def __init__(self, store: MemoryEventStore) -> None:
        self.store = store
        self._turns = Turns()

    def turn(self, record: IdempotencyRecord | None) -> AbstractAsyncContextManager[None]:
        return self._turns.turn(record)

    async def find(self, scope: str, key: str) -> dict[str, Any] | None:
        await asyncio.sleep(0)  # a lookup waits for the event loop, as one sent to a database does
        found = self.store.answered.get((scope, key))
        if found is None:
            return None
        record, event_id = found
        return {
            "scope": record.scope,
            "key": record.key,
            "request_digest": record.request_digest,
            "status": record.status,
            "event_id": event_id,
            "extras": msgspec.json.encode(record.extras).decode(),
        }
