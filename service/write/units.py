"""Application service for unit readiness: each refresh of a botilbud's printed medication list."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import datetime
from uuid import UUID, uuid5

from domain.base import Person
from domain.unit import STREAM_TYPE, Unit
from service.log.events import Receipt, WrongExpectedVersion
from service.log.streams import StreamNotFound, Streams, WriteContext

UNIT_NAMESPACE = UUID("0d5b1f0e-8f5e-4c4a-9a57-3c1f5e3d2b71")


def unit_stream_id(unit: str, mode: str) -> UUID:
    """Drills keep their own unit streams: an exercise print never makes a real list look fresh."""
    return uuid5(UNIT_NAMESPACE, unit if mode == "actual" else f"{mode}:{unit}")


class UnitService:
    """A unit's stream begins with its first printed medication list."""

    def __init__(self, streams: Streams) -> None:
        self.streams = streams

    async def print_medication_list(
        self, unit: str, list_as_of: datetime, by: Person, printed_at: datetime, ctx: WriteContext
    ) -> Receipt:
        ctx = replace(ctx, mode=ctx.mode or "actual")
        stream_id = unit_stream_id(unit, ctx.mode or "actual")
        try:
            await self.streams.history(stream_id)
        except StreamNotFound:
            new = Unit(id=stream_id, unit=unit, occurred_at=printed_at)
            new.print_medication_list(list_as_of, by, printed_at)
            with contextlib.suppress(WrongExpectedVersion):  # someone else printed first
                return await self.streams.create(new, STREAM_TYPE, ctx)

        async def decide(existing: Unit) -> None:
            existing.print_medication_list(list_as_of, by, printed_at)

        return await self.streams.act(stream_id, Unit, decide, ctx)
