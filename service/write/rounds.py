"""Application service for the rounds (runderne): who is due for what, and who has not been
helped yet, from the unit's current emergency list and the incident's paper records.

The records are read from the log like the timeline reads them (the incident and every stream
correlated with it), each record's first event giving what it accounts for and a void making it
count for nothing; `domain.rounds` takes them in a fixed order, so the order in which they were
written or arrive does not matter. Rounds asked `at` a past moment leave out the records of what
happened after it, but take paper entered since: paper is entered late, and the rounds of 09:00
asked at noon show the dose given at 08:05 that was entered at 11:00.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from domain.incident import Incident
from domain.manual_record import STREAM_TYPE as MANUAL_RECORD
from domain.manual_record import CareStatus, ManualRecord, Outcome
from domain.matching import RoundRecord
from domain.plan import Plan
from domain.rounds import Accounted, Rounds, accounted, rounds_from, span
from service.log.events import RecordedEvent, TogetherAsked
from service.log.keeping import remember
from service.log.streams import Streams
from service.log.vault import key_ids
from service.write.emergency_lists import CurrentList, EmergencyListService, list_stream_id


@dataclass(frozen=True)
class UnitRounds:
    """One unit's rounds during an incident, and the list they were worked out from."""

    rounds: Rounds
    current: CurrentList
    # What a reader made of these rounds (the edge: its encoded lines), kept with the work they
    # were worked out from and dropped with it (a new record, list version or forgotten key).
    memo: dict[Hashable, Any] = field(default_factory=dict, compare=False, repr=False)


# What a unit's kept rounds were worked out from: unit, incident, span start, happened by, the
# list's event, the records' events, and the data keys of theirs that existed.
_KeptKey = tuple[str, UUID, datetime, datetime | None, UUID, tuple[UUID, ...], frozenset[bytes]]

# How far past a span's end the occurrences are accounted for when worked out afresh: the same
# work then serves every read of the next half hour until a record or the list changes.
AHEAD_OF_READS = timedelta(minutes=30)


class RoundsService:
    """Works out the rounds of an incident's units (`domain.rounds`) from the log.

    The work that does not depend on the clock (decoding the list and the records, expanding the
    occurrences, matching the records to them) is kept per unit and incident, keyed on the list's
    event and the records' events as read (with whose data are erased), so a read of an unchanged
    round only judges each occurrence by the clock. `bench rounds`: see bench/RESULTS.md."""

    KEPT = 32  # units' rounds kept, least recently read out first
    OPENED = 8192  # records and lists kept opened, least recently used out first

    def __init__(self, streams: Streams, lists: EmergencyListService, plan: Plan) -> None:
        self.streams, self.lists, self.plan = streams, lists, plan
        self._kept: OrderedDict[_KeptKey, tuple[CurrentList, Accounted, dict[Hashable, Any]]] = (
            OrderedDict()
        )
        # Each incident's paper records as last read (sealed), so a read asks only for those
        # committed since: an incident of many records is not read whole per request.
        self._records: OrderedDict[UUID, tuple[RecordedEvent, ...]] = OrderedDict()
        # Events as opened, with the keys they were opened under (`_open`).
        self._opened: OrderedDict[UUID, tuple[frozenset[bytes], RecordedEvent]] = OrderedDict()
        # The data keys of each unit's rounds as last read, asked for with the next read's events.
        self._keys: OrderedDict[tuple[UUID, str], frozenset[bytes]] = OrderedDict()

    async def incident(self, incident_id: UUID) -> tuple[Incident, list[RecordedEvent]]:
        """The incident and the events of its paper records as stored (sealed: `for_unit` opens
        them when it needs to), in commit order (the incident as kept after its last write, so
        a long incident is not replayed per read, and the records read on from the last
        position seen)."""
        seen = self._records.get(incident_id, ())
        after = seen[-1].position if seen else 0
        # Both at once: one wait for the database, not two (under load each is a wait for the
        # event loop as well).
        incident, new = await asyncio.gather(
            self.streams.current(incident_id, Incident),
            self.streams.store.read_correlated_of_type(incident_id, MANUAL_RECORD, after),
        )
        return incident, self._seen_with(incident_id, seen, new)

    async def read(
        self, incident_id: UUID, unit: str
    ) -> tuple[Incident, list[RecordedEvent], RecordedEvent | None, frozenset[bytes]]:
        """What a read of the unit's rounds needs from the database: the incident and its paper
        records (as `incident` gives them), the event of the unit's current list (None: it keeps
        none) and which of their data keys still exist. Two statements side by side: the
        incident's new events, its new records and the list's newest event in one
        (`EventLog.read_together`; the list whole only when it is not the one kept), and the
        keys of the events seen at the last read; only a new event's keys are asked for after
        them. Under load each wait for the database is a wait for the event loop as well."""
        known = self._keys.get((incident_id, unit), frozenset())
        seen = self._records.get(incident_id, ())
        copied = self.streams.reader_copy(incident_id)
        held = self.lists.held(unit)
        together, present = await asyncio.gather(
            self.streams.store.read_together(
                TogetherAsked(
                    incident_id,
                    copied.version,
                    MANUAL_RECORD,
                    seen[-1].position if seen else 0,
                    list_stream_id(unit),
                    None if held is None else held.event_id,
                )
            ),
            self.streams.vault.existing(known),
        )
        incident = await self.streams.brought_up(copied, Incident, together.tail)
        records = self._seen_with(incident_id, seen, together.correlated)
        stored = together.newest or (held if together.newest_id is not None else None)
        if together.newest is not None:
            self.lists.hold(together.newest)
        needed = frozenset(key_ids([*records, *([stored] if stored is not None else [])]))
        if new := needed - known:
            present |= await self.streams.vault.existing(new)
        remember(self._keys, (incident_id, unit), needed, self.KEPT)
        return incident, records, stored, present & needed

    def _seen_with(
        self, incident_id: UUID, seen: tuple[RecordedEvent, ...], new: list[RecordedEvent]
    ) -> list[RecordedEvent]:
        """The incident's paper records: those seen before and those read after them.
        Concurrent reads each add what they read to what they saw; the longest is kept."""
        events = (*seen, *new)
        longest = max(events, self._records.get(incident_id, ()), key=len)
        remember(self._records, incident_id, longest, self.KEPT)
        return list(events)

    def records(
        self, events: Iterable[RecordedEvent], unit: str, happened_by: datetime | None = None
    ) -> list[RoundRecord]:
        """The paper records of the unit as the rounds see them (those that happened by
        `happened_by`, when given)."""
        firsts: dict[UUID, RecordedEvent] = {}
        voided: set[UUID] = set()
        for e in events:
            if e.version == 1 and e.payload.get("unit") == unit:
                if happened_by is not None and e.occurred_at > happened_by:
                    continue
                firsts[e.stream_id] = e
            elif e.type == "record-voided":
                voided.add(e.stream_id)
        out = []
        for record_id, first in firsts.items():
            event = self.streams.codec.decode(first)
            out.append(_round_record(record_id, event, record_id in voided))
        return out

    async def for_unit(
        self,
        incident: Incident,
        record_events: list[RecordedEvent],
        unit: str,
        at: datetime,
        happened_by: datetime | None = None,
    ) -> UnitRounds | None:
        """The unit's rounds at `at`, or None when the unit keeps no emergency list; the
        incident's paper records as `incident` gives them."""
        stored = await self.lists.last_event(unit)
        if stored is None:
            return None
        return await self.for_list(incident, record_events, stored, unit, at, happened_by)

    async def for_list(
        self,
        incident: Incident,
        record_events: list[RecordedEvent],
        stored: RecordedEvent,
        unit: str,
        at: datetime,
        happened_by: datetime | None = None,
        present: frozenset[bytes] | None = None,
    ) -> UnitRounds:
        """As `for_unit`, with the event of the unit's current list as read by the caller
        (`lists.last_event`, or `read`, which gives the data keys that exist as `present`)."""
        start, end = span(incident, at)
        # The events are appended, never changed; what they open to changes only when a
        # citizen's data key is deleted (forgotten), so the keys that exist are part of the key.
        if present is None:
            present = await self.streams.vault.existing(key_ids([stored, *record_events]))
        key: _KeptKey = (
            unit,
            incident.id,
            start,
            happened_by,
            stored.event_id,
            tuple(e.event_id for e in record_events),
            present,
        )
        kept = self._kept.pop(key, None)
        found = rounds_from(kept[0].version, kept[1], incident, at) if kept else None
        if kept is None or found is None:
            opened, *records_opened = await self._open([stored, *record_events], present)
            current = self.lists.current_of(unit, opened)
            records = self.records(records_opened, unit, happened_by)
            for until in (end + AHEAD_OF_READS, end):  # a record may name one due past the end
                work = accounted(current.version, records, start, until, self.plan.tz)
                if (found := rounds_from(current.version, work, incident, at)) is not None:
                    break
            assert found is not None
            kept = (current, work, {})
        remember(self._kept, key, kept, self.KEPT)
        return UnitRounds(found, kept[0], kept[2])

    async def _open(
        self, events: list[RecordedEvent], present: frozenset[bytes]
    ) -> list[RecordedEvent]:
        """The events opened. One opened before is taken as it was while the keys it was sealed
        under still exist, so a new record opens itself, not every record of the incident again
        (a dispensing works out the rounds to choose its occurrence: an incident of n records
        opened n times over)."""
        kept = {
            e.event_id: o
            for e in events
            if (o := self._opened.get(e.event_id)) is not None and o[0] <= present
        }
        sealed = [e for e in events if e.event_id not in kept]
        for event, opened in zip(sealed, await self.streams.open(sealed), strict=True):
            # The keys it was sealed under (an event opened without its key stays erased).
            kept[event.event_id] = (frozenset(key_ids([event])) & present, opened)
        for event in events:
            remember(self._opened, event.event_id, kept[event.event_id], self.OPENED)
        return [kept[e.event_id][1] for e in events]

    async def drop_forgotten(self) -> int:
        """Drops what the rounds keep opened (records, lists, their encoded lines) under a data
        key that no longer exists: a citizen forgotten since, by this process or another, is not
        kept in plain text in memory until newer reads push it out. The watch calls it on every
        turn (every 30 s). Gives how many were dropped."""
        held = {k for keys, _ in self._opened.values() for k in keys}
        held |= {k for key in self._kept for k in key[-1]}
        present = await self.streams.vault.existing(held)
        if not (gone := held - present):
            return 0
        opened = [i for i, (keys, _) in self._opened.items() if keys & gone]
        kept = [key for key in self._kept if key[-1] & gone]
        for event_id in opened:
            del self._opened[event_id]
        for key in kept:
            del self._kept[key]
        return len(opened) + len(kept)

    async def of_incident(
        self, incident: Incident, record_events: list[RecordedEvent], at: datetime
    ) -> dict[str, Rounds]:
        """The rounds of each of the incident's affected units that keeps a list."""
        found = {}
        for unit in incident.affected_units:
            one = await self.for_unit(incident, record_events, unit, at)
            if one is not None:
                found[unit] = one.rounds
        return found


def _round_record(record_id: UUID, event: object, voided: bool) -> RoundRecord:
    if isinstance(event, ManualRecord.MedicationDispensed):
        return RoundRecord.dispensing(
            record_id,
            event.citizen_ref,
            event.medication.name,
            event.occurred_at,
            Outcome(event.outcome),
            event.occurrence_id,
            voided,
        )
    assert isinstance(event, ManualRecord.CareDelivered)
    return RoundRecord.care(
        record_id,
        event.citizen_ref,
        event.service,
        CareStatus(event.status),
        event.occurred_at,
        event.occurrence_id,
        voided,
    )
