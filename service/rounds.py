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

from collections import OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.incident import Incident
from domain.manual_record import STREAM_TYPE as MANUAL_RECORD
from domain.manual_record import CareStatus, ManualRecord, Outcome
from domain.matching import RoundRecord
from domain.plan import Plan
from domain.rounds import Accounted, Rounds, accounted, rounds_from, span
from service.emergency_lists import CurrentList, EmergencyListService
from service.events import RecordedEvent
from service.streams import Streams
from service.vault import key_ids


@dataclass(frozen=True)
class UnitRounds:
    """One unit's rounds during an incident, and the list they were worked out from."""

    rounds: Rounds
    current: CurrentList


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

    def __init__(self, streams: Streams, lists: EmergencyListService, plan: Plan) -> None:
        self.streams, self.lists, self.plan = streams, lists, plan
        self._kept: OrderedDict[Hashable, tuple[CurrentList, Accounted]] = OrderedDict()

    async def incident(self, incident_id: UUID) -> tuple[Incident, list[RecordedEvent]]:
        """The incident and the events of its paper records as stored (sealed: `for_unit` opens
        them when it needs to), in commit order (the incident as kept after its last write, so
        a long incident is not replayed per read)."""
        incident = await self.streams.current(incident_id, Incident)
        store = self.streams.store
        return incident, await store.read_correlated_of_type(incident_id, MANUAL_RECORD)

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
        start, end = span(incident, at)
        # The events are appended, never changed; what they open to changes only when a
        # citizen's data key is deleted (forgotten), so the keys that exist are part of the key.
        present = await self.streams.vault.existing(key_ids([stored, *record_events]))
        key = (
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
            opened, *records_opened = await self.streams.open([stored, *record_events])
            current = self.lists.current_of(unit, opened)
            records = self.records(records_opened, unit, happened_by)
            for until in (end + AHEAD_OF_READS, end):  # a record may name one due past the end
                work = accounted(current.version, records, start, until, self.plan.tz)
                if (found := rounds_from(current.version, work, incident, at)) is not None:
                    break
            assert found is not None
            kept = (current, work)
        self._kept[key] = kept
        while len(self._kept) > self.KEPT:
            self._kept.popitem(last=False)
        return UnitRounds(found, kept[0])

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
