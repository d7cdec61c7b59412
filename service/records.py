"""Application service for manual records: paper from the outage, on its way to the journal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from uuid import UUID, uuid5

from domain.errors import ModeMismatch
from domain.incident import Incident
from domain.manual_record import STREAM_TYPE, ManualRecord
from service.events import Receipt, RecordedEvent
from service.streams import Streams, WriteContext


def record_id_for(event_id: UUID) -> UUID:
    """A record's id follows from its first event's id, so a retried POST finds the same record."""
    return uuid5(event_id, "manual-record")


class ManualRecordService:
    """Each paper record is its own stream, correlated with its incident."""

    def __init__(self, streams: Streams) -> None:
        self.streams = streams

    async def record(
        self, incident_id: UUID, build: Callable[[UUID], ManualRecord], ctx: WriteContext
    ) -> Receipt:
        """Store a new paper record of the incident, in the incident's mode."""
        mode = (await self.streams.head(incident_id, Incident)).mode
        if ctx.mode is not None and ctx.mode != mode:
            raise ModeMismatch(mode, ctx.mode)
        record = build(record_id_for(ctx.event_id))
        return await self.streams.create(
            record, STREAM_TYPE, replace(ctx, mode=mode, correlation_id=incident_id)
        )

    async def load(self, record_id: UUID) -> tuple[ManualRecord, list[RecordedEvent]]:
        return await self.streams.load(record_id, ManualRecord)

    async def act(
        self, record_id: UUID, step: Callable[[ManualRecord], None], ctx: WriteContext
    ) -> Receipt:
        async def decide(record: ManualRecord) -> None:
            step(record)

        return await self.streams.act(record_id, ManualRecord, decide, ctx)
