"""Efterregistrering: the back-entry worklist, every paper record and where it is on its way into
the journal. Folded from the record's facts in any order."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from domain.facts import Fact
from domain.manual_record import STREAM_TYPE as MANUAL_RECORD
from domain.manual_record import RecordStatus

_CREATED = {"medication-dispensed": "medication-dispensing", "care-delivered": "care-delivery"}


class BackEntryItem(msgspec.Struct, kw_only=True):
    """A paper record on the worklist (without the citizen's name or CPR number)."""

    record_id: UUID
    incident_id: UUID | None = None
    mode: str = "actual"
    kind: str | None = None
    unit: str | None = None
    citizen_ref: str | None = None
    occurred_at: datetime | None = None
    recorded_at: datetime | None = None
    by: str | None = None
    first_event_id: UUID | None = None
    status: RecordStatus = RecordStatus.PENDING
    entered_by: str | None = None
    entered_at: datetime | None = None
    journal_reference: str | None = None
    voided_at: datetime | None = None
    position: int = 0


def record_of(fact: Fact) -> UUID | None:
    return fact.stream_id if fact.stream_type == MANUAL_RECORD else None


def evolve(item: BackEntryItem, fact: Fact) -> BackEntryItem:
    """The item with one more of its record's facts folded in."""
    d = fact.data
    changes: dict[str, object] = {"mode": fact.mode, "position": max(item.position, fact.position)}
    if fact.type in _CREATED:
        changes |= {
            "incident_id": UUID(d["incident_id"]),
            "kind": _CREATED[fact.type],
            "unit": d["unit"],
            "citizen_ref": d["citizen_ref"],
            "occurred_at": fact.occurred_at,
            "recorded_at": fact.recorded_at,
            "by": d["by"]["id"],
            "first_event_id": fact.event_id,
        }
    elif fact.type == "entered-in-journal":
        changes |= {
            "status": RecordStatus.ENTERED,
            "entered_by": d["by"]["id"],
            "entered_at": fact.occurred_at,
            "journal_reference": d.get("journal_reference"),
        }
    elif fact.type == "record-voided" and item.status is not RecordStatus.ENTERED:
        changes |= {"status": RecordStatus.VOIDED, "voided_at": fact.occurred_at}
    return msgspec.structs.replace(item, **changes)
