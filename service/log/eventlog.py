"""What the plan's writes need of an event log, whichever store keeps it: the PostgreSQL one
(`service.log.store`) for the service, the in-memory one (`service.log.memory`) for the fast tests
of the write side. Both pass one contract suite (`tests/service/test_store.py`), so the two cannot
drift."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from service.log.events import (
    AppendRequest,
    ReadTogether,
    Receipt,
    RecordedEvent,
    StreamTip,
    TogetherAsked,
)


class EventLog(Protocol):
    """Append-only, totally ordered, idempotent event log."""

    async def append(self, request: AppendRequest) -> list[Receipt]:
        """Append `request`'s events, or raise the reason they were refused."""
        ...

    async def read_stream(
        self, stream_id: UUID, *, to_version: int | None = None, after_version: int = 0
    ) -> list[RecordedEvent]: ...

    async def read_streams(
        self, wanted: Sequence[tuple[UUID, int]]
    ) -> dict[tuple[UUID, int], list[RecordedEvent]]: ...

    async def read_last(self, stream_id: UUID) -> RecordedEvent | None: ...

    async def last_event_id(self, stream_id: UUID) -> UUID | None: ...

    async def read_all(self, after_position: int = 0, limit: int = 500) -> list[RecordedEvent]: ...

    async def read_correlated(self, correlation_id: UUID) -> list[RecordedEvent]: ...

    async def read_correlated_of_type(
        self, correlation_id: UUID, stream_type: str, after_position: int = 0
    ) -> list[RecordedEvent]: ...

    async def read_together(self, asked: TogetherAsked) -> ReadTogether:
        """In one statement, what `asked` names (the correlated events in commit order): an
        incident, its paper records and a unit's list, for the rounds: one wait for the
        database, not three."""
        ...

    async def find(self, event_id: UUID) -> RecordedEvent | None: ...

    async def find_many(self, event_ids: list[UUID]) -> list[RecordedEvent]: ...

    async def last_position_of(self, correlation_id: UUID) -> int | None: ...

    async def head(self) -> int: ...

    async def tips(self, stream_type: str, first_field: str, last_field: str) -> list[StreamTip]:
        """Each stream of one type, by stream id: a plain field of its first event and one of
        its newest (a unit's name and its list's date, for readiness)."""
        ...
