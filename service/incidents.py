"""Application service for incidents: load the stream, let the aggregate decide, append."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from domain.incident import STREAM_TYPE, Incident
from service.codec import Codec
from service.events import (
    AppendRequest,
    IdempotencyRecord,
    Receipt,
    RecordedEvent,
    WrongExpectedVersion,
)
from service.store import EventStore

MAX_ATTEMPTS = 3


class IncidentNotFound(Exception):
    def __init__(self, incident_id: UUID) -> None:
        super().__init__(f"incident {incident_id} does not exist")


@dataclass(frozen=True)
class WriteContext:
    """Who writes, with which event id, and which Idempotency-Key this answers."""

    event_id: UUID
    source: str | None
    mode: str = "actual"
    idempotency: IdempotencyRecord | None = None


class IncidentService:
    """Records the plan's steps on an incident's stream."""

    def __init__(self, store: EventStore, codec: Codec) -> None:
        self.store, self.codec = store, codec

    async def history(self, incident_id: UUID) -> list[RecordedEvent]:
        events = await self.store.read_stream(incident_id)
        if not events:
            raise IncidentNotFound(incident_id)
        return events

    async def load(self, incident_id: UUID) -> Incident:
        incident = self.codec.replay(await self.history(incident_id))
        assert isinstance(incident, Incident)
        return incident

    async def declare(self, incident: Incident, ctx: WriteContext) -> Receipt:
        """Store a newly detected incident; its stream must not exist yet."""
        return await self._append(incident, 0, ctx)

    async def act(
        self,
        incident_id: UUID,
        step: Callable[[Incident], None],
        ctx: WriteContext,
        *,
        if_match: int | None = None,
    ) -> Receipt:
        """Apply one step; without If-Match a concurrent writer just means load and decide again."""
        for attempt in range(MAX_ATTEMPTS):
            incident = await self.load(incident_id)
            if if_match is not None and incident.version != if_match:
                raise WrongExpectedVersion(incident_id, if_match, incident.version)
            version = incident.version
            step(incident)
            try:
                return await self._append(incident, version, ctx)
            except WrongExpectedVersion:
                if if_match is not None or attempt == MAX_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    async def _append(
        self, incident: Incident, expected_version: int, ctx: WriteContext
    ) -> Receipt:
        (event,) = incident.collect_events()
        new = self.codec.encode(event, event_id=ctx.event_id, source=ctx.source, mode=ctx.mode)
        request = AppendRequest(incident.id, STREAM_TYPE, expected_version, (new,), ctx.idempotency)
        (receipt,) = await self.store.append(request)
        return receipt
