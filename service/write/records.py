"""Application service for manual records: paper from the outage, on its way to the journal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from uuid import UUID, uuid5

from domain.errors import ModeMismatch
from domain.incident import Incident
from domain.manual_record import STREAM_TYPE, ManualRecord
from domain.occurrences import dose_slot
from service.log.events import IdempotencyRecord, Receipt, RecordedEvent, WrongExpectedVersion
from service.log.streams import MAX_ATTEMPTS, Streams, WriteContext

MAX_REPEATS = 50


def record_id_for(event_id: UUID) -> UUID:
    """A record's id follows from its first event's id, so a retried POST finds the same record."""
    return uuid5(event_id, "manual-record")


class ManualRecordService:
    """Each paper record is its own stream, correlated with its incident."""

    def __init__(self, streams: Streams) -> None:
        self.streams = streams

    async def record(
        self,
        incident_id: UUID,
        build: Callable[[UUID], ManualRecord],
        ctx: WriteContext,
        *,
        record_id: UUID | None = None,
    ) -> Receipt:
        """Store a new paper record of the incident, in the incident's mode."""
        mode = (await self.streams.head(incident_id, Incident)).mode
        if ctx.mode is not None and ctx.mode != mode:
            raise ModeMismatch(mode, ctx.mode)
        record = build(record_id or record_id_for(ctx.event_id))
        if record_id is not None and ctx.idempotency is not None:  # the answer a retry gets
            extras = ctx.idempotency.extras | {"record_id": str(record_id)}
            ctx = replace(ctx, idempotency=replace(ctx.idempotency, extras=extras))
        return await self.streams.create(
            record, STREAM_TYPE, replace(ctx, mode=mode, correlation_id=incident_id)
        )

    async def record_dose(
        self,
        incident_id: UUID,
        build: Callable[[UUID], ManualRecord],
        ctx: WriteContext,
        occurrence: Callable[[], Awaitable[UUID | None]],
    ) -> Receipt:
        """Store a dose given: on the next free dose slot of the occurrence it accounts for
        (`occurrence` decides which, or refuses a repeat), else as a record of its own. A
        dispensing that lost the race for the slot decides again, and finds the dose given."""
        for attempt in range(MAX_ATTEMPTS):
            target = await occurrence()
            record_id = None if target is None else await self._free_slot(target)
            try:
                return await self.record(incident_id, build, ctx, record_id=record_id)
            except WrongExpectedVersion:
                if attempt == MAX_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    async def _free_slot(self, occurrence_id: UUID) -> UUID:
        for n in range(1, MAX_REPEATS + 1):
            slot = dose_slot(occurrence_id, n)
            if not await self.streams.store.read_stream(slot, to_version=1):
                return slot
        raise WrongExpectedVersion(occurrence_id, MAX_REPEATS, MAX_REPEATS)

    async def load(self, record_id: UUID) -> tuple[ManualRecord, list[RecordedEvent]]:
        return await self.streams.load(record_id, ManualRecord)

    async def act(
        self, record_id: UUID, step: Callable[[ManualRecord], None], ctx: WriteContext
    ) -> Receipt:
        async def decide(record: ManualRecord) -> None:
            step(record)

        return await self.streams.act(record_id, ManualRecord, decide, ctx)

    async def act_each(
        self,
        steps: Sequence[tuple[UUID, Callable[[ManualRecord], None], WriteContext]],
        also_answers: tuple[IdempotencyRecord, ...] = (),
    ) -> list[Receipt | BaseException]:
        """A step on each of many paper records, each answered on its own (a bulk request)."""
        return await self.streams.act_each(ManualRecord, steps, also_answers)
