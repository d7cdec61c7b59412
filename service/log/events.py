"""The event store's value types: what is appended, what is read back, the receipt, the refusals."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec

from service.log.chain import utc_text

if TYPE_CHECKING:
    import asyncpg


@dataclass(frozen=True)
class NewEvent:
    """An event to append; `payload` holds plain JSON values, `sealed` the personal part."""

    event_id: UUID
    type: str
    payload: dict[str, Any]
    occurred_at: datetime
    sealed: bytes | None = None
    actor: str | None = None
    source: str | None = None
    correlation_id: UUID | None = None
    causation_id: UUID | None = None
    mode: str = "actual"
    # Before sealing: the sealed paths (by prefix) that belong to another data subject than the
    # stream's, each sealed under that subject's key (a list's citizens). Empty once sealed.
    subject_paths: tuple[tuple[str, str], ...] = ()

    def content_digest(self, stream_id: UUID, stream_type: str) -> bytes:
        """SHA-256 of everything the sender stated; an event_id sent again must match it."""
        content = msgspec.json.encode(
            [
                str(stream_id),
                stream_type,
                self.type,
                self.payload,
                None if self.sealed is None else self.sealed.hex(),
                utc_text(self.occurred_at),
                self.actor,
                self.source,
                None if self.correlation_id is None else str(self.correlation_id),
                None if self.causation_id is None else str(self.causation_id),
                self.mode,
            ],
            order="sorted",
        )
        return hashlib.sha256(content).digest()


@dataclass(frozen=True)
class IdempotencyRecord:
    """An `Idempotency-Key` answered by this append, stored in the same transaction."""

    scope: str
    key: str
    request_digest: bytes
    status: int
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AppendRequest:
    """Events for one stream, on condition that the stream is at `expected_version` (None: any)."""

    stream_id: UUID
    stream_type: str
    expected_version: int | None
    events: tuple[NewEvent, ...]
    idempotency: IdempotencyRecord | None = None
    # Further keys this append answers (a bulk request's own key, stored with its first event).
    also_answers: tuple[IdempotencyRecord, ...] = ()


@dataclass(frozen=True)
class Receipt:
    """What the store promises about an appended event: where it is and what it hashed to."""

    event_id: UUID
    stream_id: UUID
    version: int
    position: int
    recorded_at: datetime
    hash: str


@dataclass(frozen=True)
class RecordedEvent:
    """One row of the log."""

    position: int
    event_id: UUID
    stream_id: UUID
    stream_type: str
    version: int
    type: str
    payload: dict[str, Any]
    sealed: bytes | None
    occurred_at: datetime
    recorded_at: datetime
    actor: str | None
    source: str | None
    correlation_id: UUID | None
    causation_id: UUID | None
    mode: str
    content_digest: bytes
    hash: bytes
    erased: bool = False  # the sealed part's key was deleted (`nedbrud forget`)
    # Subjects of a many-subject sealed part whose keys were deleted; the others' data opened.
    erased_subjects: frozenset[str] = frozenset()

    @classmethod
    def from_row(cls, row: asyncpg.Record | Mapping[str, Any]) -> RecordedEvent:
        values = dict(row.items())
        values["payload"] = msgspec.json.decode(values["payload"])
        values["sealed"] = None if values["sealed"] is None else bytes(values["sealed"])
        values["content_digest"] = bytes(values["content_digest"])
        values["hash"] = bytes(values["hash"])
        return cls(**values)

    def receipt(self) -> Receipt:
        return Receipt(
            event_id=self.event_id,
            stream_id=self.stream_id,
            version=self.version,
            position=self.position,
            recorded_at=self.recorded_at,
            hash=self.hash.hex(),
        )


@dataclass(frozen=True)
class StreamTip:
    """One stream as its first and newest events leave it: a plain field of each (as text, as
    SQL's `->>` gives it; None when absent), the newest version and when it happened."""

    stream_id: UUID
    first: str | None
    version: int
    last: str | None
    occurred_at: datetime


class StoreError(Exception):
    """Base of the store's refusals."""


class WrongExpectedVersion(StoreError):
    """The stream has moved on since the writer read it."""

    def __init__(self, stream_id: UUID, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id} is at version {actual}, not {expected}")
        self.stream_id, self.expected, self.actual = stream_id, expected, actual


class EventIdReused(StoreError):
    """An event_id already stored with other content (or only part of a request was stored)."""

    def __init__(self, event_id: UUID) -> None:
        super().__init__(f"event_id {event_id} is already stored with other content")
        self.event_id = event_id


class StoreUnavailable(StoreError):
    """The database could not be reached or did not answer; nothing was acknowledged."""


@dataclass(frozen=True)
class TogetherAsked:
    """What `EventLog.read_together` is asked for: `stream_id`'s events after `after_version`,
    the events of `correlated_type` correlated with it after `after_position`, and the newest
    event of `newest_of`, whole unless its id is `held`."""

    stream_id: UUID
    after_version: int
    correlated_type: str
    after_position: int
    newest_of: UUID
    held: UUID | None


@dataclass(frozen=True)
class ReadTogether:
    """What `EventLog.read_together` gives: a stream's events after a version, the events of
    one type correlated with it after a position, and the newest event of another stream
    (`newest` None: the stream is empty, or its newest is the one the caller holds)."""

    tail: list[RecordedEvent]
    correlated: list[RecordedEvent]
    newest_id: UUID | None
    newest: RecordedEvent | None
