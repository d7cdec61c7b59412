"""Application service for the emergency list (nødliste): each unit keeps one, version by version.

The list is a stream per unit; each version is one event holding the whole list, sealed per
citizen. A new version is decided on the plain payloads of the versions before it (only its
number matters), so keeping a list never opens the citizens' data of the old versions; the
current version is read as its one newest event.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from datetime import UTC, datetime
from uuid import UUID, uuid5

import msgspec

from domain.base import Person
from domain.emergency_list import STREAM_TYPE, EmergencyList, ListCitizen, ListVersion
from service.log.events import Receipt, RecordedEvent, WrongExpectedVersion
from service.log.keeping import remember
from service.log.streams import MAX_ATTEMPTS, Streams, WriteContext

LIST_NAMESPACE = UUID("3c9d0f5a-1e7b-4b8e-8f2a-6d4c1b9e7a30")


def list_stream_id(unit: str) -> UUID:
    """A unit's emergency list is one stream, found from the unit's name."""
    return uuid5(LIST_NAMESPACE, unit)


@dataclasses.dataclass(frozen=True)
class CurrentList:
    """The unit's list as it stands: its version and the event that holds it (opened)."""

    version: ListVersion
    event: RecordedEvent
    by: Person


class EmergencyListService:
    """Keeps each unit's emergency list and reads its current version."""

    KEPT = 32  # lists' newest events kept as read (sealed)

    def __init__(self, streams: Streams) -> None:
        self.streams = streams
        self._stored: OrderedDict[UUID, RecordedEvent] = OrderedDict()

    async def keep(
        self,
        unit: str,
        list_as_of: datetime,
        citizens: tuple[ListCitizen, ...],
        by: Person,
        occurred_at: datetime,
        ctx: WriteContext,
    ) -> tuple[Receipt, int]:
        """A whole new version of the unit's list; its receipt and `list_version`."""
        stream_id = list_stream_id(unit)
        ctx = dataclasses.replace(ctx, mode="actual")
        for attempt in range(MAX_ATTEMPTS):
            events = await self.streams.store.read_stream(stream_id)
            if not events:
                kept = EmergencyList.publish(stream_id, unit, list_as_of, citizens, by, occurred_at)
            else:
                # The old versions' citizens are not needed to decide: replay them unopened.
                plain = [dataclasses.replace(e, sealed=None, erased=True) for e in events]
                replayed = self.streams.codec.replay(plain)
                assert isinstance(replayed, EmergencyList)
                kept = replayed
                kept.replace(list_as_of, citizens, by, occurred_at)
            try:
                receipt = await self.streams.write(kept, STREAM_TYPE, len(events), ctx)
                return receipt, kept.list_version
            except WrongExpectedVersion:
                if attempt == MAX_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    async def current(self, unit: str) -> CurrentList | None:
        """The unit's current list, its citizens' data opened (an erased citizen: no identity,
        needs or medication), or None when the unit keeps no list."""
        opened = await self.last_opened(unit)
        return None if opened is None else self.current_of(unit, opened)

    async def last_opened(self, unit: str) -> RecordedEvent | None:
        """The event of the unit's current version, its citizens' parts opened (not decoded)."""
        last = await self.last_event(unit)
        if last is None:
            return None
        (opened,) = await self.streams.open([last])
        return opened

    async def last_event(self, unit: str) -> RecordedEvent | None:
        """The event of the unit's current version as stored (sealed). The last few are kept
        as read (sealed, so nothing personal in plain text): a read of an unchanged list then
        costs the id of its newest event, not its whole payload."""
        stream_id = list_stream_id(unit)
        newest = await self.streams.store.last_event_id(stream_id)
        if newest is None:
            return None
        if (kept := self._stored.get(newest)) is not None:
            self._stored.move_to_end(newest)
            return kept
        last = await self.streams.store.read_last(stream_id)
        if last is not None:
            self.hold(last)
        return last

    def held(self, unit: str) -> RecordedEvent | None:
        """The newest event of the unit's list among those kept as read (sealed), if any: for a
        reader who asks for the list's newest event whole only when it is another
        (`EventLog.read_together`), and then keeps it (`hold`)."""
        stream_id = list_stream_id(unit)
        kept = [e for e in self._stored.values() if e.stream_id == stream_id]
        return max(kept, key=lambda e: e.version) if kept else None

    def hold(self, event: RecordedEvent) -> None:
        """Keep the event of a list's version as read (sealed)."""
        remember(self._stored, event.event_id, event, self.KEPT)

    def current_of(self, unit: str, opened: RecordedEvent) -> CurrentList:
        """The current list from its event (`last_opened`)."""
        event = self.streams.codec.decode(opened)
        version = ListVersion(
            unit=unit,
            list_version=event.list_version,  # type: ignore[attr-defined]
            list_as_of=event.list_as_of,  # type: ignore[attr-defined]
            citizens=tuple(event.citizens),  # type: ignore[attr-defined]
        )
        return CurrentList(version, opened, event.by)  # type: ignore[attr-defined]

    async def heads(self) -> dict[str, ListHead]:
        """Every unit's current version, from the plain payloads (readiness)."""
        tips = await self.streams.store.tips(STREAM_TYPE, "unit", "list_as_of")
        return {
            t.first: ListHead(
                t.version, msgspec.convert(t.last, datetime).astimezone(UTC), t.occurred_at
            )
            for t in tips
            if t.first is not None
        }


@dataclasses.dataclass(frozen=True)
class ListHead:
    """A unit's current list version, as readiness shows it."""

    list_version: int
    list_as_of: datetime
    kept_at: datetime
