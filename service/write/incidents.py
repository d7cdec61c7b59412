"""Application service for incidents: the plan's steps on an outage, closing, corrections."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.base import Person
from domain.incident import STREAM_TYPE, CorrectedRecord, Incident
from domain.manual_record import STREAM_TYPE as MANUAL_RECORD
from domain.manual_record import ManualRecord
from domain.plan import Plan
from domain.rounds import check_rounds_allow_close
from domain.rules import Closing, may_close
from service.access.auth import Role
from service.access.matrix import NotYoursToCorrect, may_write_records
from service.log.events import Receipt, RecordedEvent
from service.log.streams import StreamNotFound, Streams, WriteContext
from service.write.rounds import RoundsService


class IncidentService:
    """Records the plan's steps on an incident's stream."""

    def __init__(self, streams: Streams, plan: Plan, rounds: RoundsService | None = None) -> None:
        self.streams, self.plan = streams, plan
        self.store, self.codec = streams.store, streams.codec
        self.rounds = rounds  # the closing gate for vital needs (None: no emergency lists)

    async def history(self, incident_id: UUID) -> list[RecordedEvent]:
        return (await self.streams.load(incident_id, Incident))[1]

    async def load(self, incident_id: UUID) -> tuple[Incident, list[RecordedEvent]]:
        return await self.streams.load(incident_id, Incident)

    async def declare(self, incident: Incident, ctx: WriteContext) -> Receipt:
        """Store a newly detected incident; every later event of it correlates with its id."""
        return await self.streams.create(
            incident, STREAM_TYPE, replace(ctx, correlation_id=incident.id)
        )

    async def act(
        self,
        incident_id: UUID,
        step: Callable[[Incident], None],
        ctx: WriteContext,
        *,
        if_match: int | None = None,
    ) -> Receipt:
        """Apply one step of the plan to the incident."""

        async def decide(incident: Incident) -> None:
            step(incident)

        return await self.streams.act(incident_id, Incident, decide, ctx, if_match=if_match)

    async def timeline(self, incident_id: UUID) -> list[RecordedEvent]:
        """The incident's events and those of its manual records, in commit order. Only an
        incident has a timeline: a record's or a unit's stream id is not found."""
        first = await self.store.read_stream(incident_id, to_version=1)
        if not first or first[0].stream_type != STREAM_TYPE:
            raise StreamNotFound(incident_id)
        return await self.streams.open(await self.store.read_correlated(incident_id))

    async def records(self, incident_id: UUID) -> list[ManualRecord]:
        """The incident's manual records as their events leave them."""
        streams: dict[UUID, list[RecordedEvent]] = {}
        for event in await self.streams.open(await self.store.read_correlated(incident_id)):
            if event.stream_id != incident_id:
                streams.setdefault(event.stream_id, []).append(event)
        records = [self.codec.replay(events) for events in streams.values()]
        return [r for r in records if isinstance(r, ManualRecord)]

    async def closing(self, incident: Incident) -> Closing:
        return may_close(incident, [r.status for r in await self.records(incident.id)])

    async def close(
        self,
        incident_id: UUID,
        by: Person,
        occurred_at: datetime,
        waiver_reason: str | None,
        waived_by_leader: bool,
        ctx: WriteContext,
        *,
        if_match: int | None = None,
    ) -> Receipt:
        """Close the incident if the plan allows it: systems back, paper entered or waived, and
        no vital occurrence of the units' emergency lists overdue, or a leader's waiver."""

        async def decide(incident: Incident) -> None:
            closing = await self.closing(incident)
            incident.close(
                by, occurred_at, waiver_reason, closing.pending_records, waived_by_leader
            )
            if self.rounds is not None:
                _, records = await self.rounds.incident(incident.id)
                units = await self.rounds.of_incident(incident, records, occurred_at)
                check_rounds_allow_close(units.values(), waiver_reason, waived_by_leader)

        return await self.streams.act(incident_id, Incident, decide, ctx, if_match=if_match)

    async def correct(
        self,
        incident_id: UUID,
        corrects_event_id: UUID,
        reason: str,
        correction: dict[str, Any],
        by: Person,
        occurred_at: datetime,
        ctx: WriteContext,
        *,
        writer: tuple[Role, tuple[str, ...] | None],
        if_match: int | None = None,
    ) -> Receipt:
        """Record a correction of one of the incident's events, or of its manual records'. A
        paper record is corrected only by a key that could have written it (`writer`: the key's
        role and units), and the correction is sealed under its citizen's key."""

        async def decide(incident: Incident) -> None:
            target = await self.store.find(corrects_event_id)
            ours = target is not None and incident_id in (target.stream_id, target.correlation_id)
            corrects_type = target.type if target is not None and ours else None
            record = None
            if target is not None and ours:
                # A record's event, or a correction of one: the record's citizen's data either way.
                about = target.payload.get("record_id")
                if target.stream_type == MANUAL_RECORD or about is not None:
                    record = await self._record_of(
                        target.stream_id if about is None else UUID(about)
                    )
                    if not may_write_records(*writer, record.unit):
                        raise NotYoursToCorrect(writer[0], record.unit)
            incident.correct(
                corrects_event_id, corrects_type, reason, correction, by, occurred_at, record
            )

        return await self.streams.act(incident_id, Incident, decide, ctx, if_match=if_match)

    async def _record_of(self, record_id: UUID) -> CorrectedRecord:
        first = (await self.store.read_stream(record_id, to_version=1))[0]
        return CorrectedRecord(record_id, first.payload["unit"], first.payload["citizen_ref"])
