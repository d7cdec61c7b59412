"""The rounds in the evaluation report: per unit, how the vital occurrences went (given late,
missed, waived at the close), worked out from plain payloads alone.

What a medication or a visit is (its name, the help) is sealed, in the list and in the records,
so the report never matches by name. A record names its occurrence (`occurrence_id`), or was
stored on the occurrence's dose slot (`dose_slot`: its record id says which occurrence it gave),
or else it accounts for the earliest open occurrence of the same citizen and kind whose window
holds its time. "Waived": a vital occurrence still overdue when the incident closed (the closing
gate lets that through only with a leader's waiver); "given late": given after its window.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime, tzinfo
from uuid import UUID

import msgspec

from domain.base import Instant
from domain.facts import Fact
from domain.list_items import ItemKind, ListVersion
from domain.manual_record import STREAM_TYPE as MANUAL_RECORD
from domain.manual_record import CareStatus, Outcome
from domain.matching import RoundRecord
from domain.occurrences import Occurrence, Status, dose_slot
from domain.rounds import Outage, rounds

MAX_SLOTS = 50


class OccurrenceIssue(msgspec.Struct, kw_only=True):
    """A vital occurrence that went wrong: given late, missed, or waived (citizen_ref only)."""

    occurrence_id: UUID
    citizen_ref: str
    item_id: str
    kind: str
    due_at: Instant
    due_until: Instant
    outcome: str  # given-late, missed, waived, overdue
    accounted_at: Instant | None = None


class UnitRoundsReport(msgspec.Struct, kw_only=True):
    """Runden for one unit over the outage: counts, and each vital occurrence that went wrong."""

    unit: str
    list_version: int
    occurrences: int = 0
    given: int = 0
    given_late: int = 0
    missed: int = 0
    waived: int = 0
    overdue: int = 0
    vital: int = 0
    vital_given: int = 0
    vital_given_late: int = 0
    vital_missed: int = 0
    vital_waived: int = 0
    vital_overdue: int = 0
    vital_issues: list[OccurrenceIssue] = msgspec.field(default_factory=list)


def plain_records(facts: Iterable[Fact], unit: str) -> list[RoundRecord]:
    """The unit's paper records as the rounds see them, from their plain payloads."""
    heads: dict[UUID, Fact] = {}
    voided: set[UUID] = set()
    for f in facts:
        if f.stream_type != MANUAL_RECORD:
            continue
        if f.version == 1 and f.data.get("unit") == unit:
            heads[f.stream_id] = f
        elif f.type == "record-voided":
            voided.add(f.stream_id)
    out = []
    for record_id, f in heads.items():
        d = f.data
        named = UUID(d["occurrence_id"]) if d.get("occurrence_id") else None
        medication = f.type == "medication-dispensed"
        given = (
            d.get("outcome", Outcome.GIVEN) == Outcome.GIVEN
            if medication
            else d.get("status") != CareStatus.MISSED
        )
        out.append(
            RoundRecord(
                record_id=record_id,
                citizen_ref=d["citizen_ref"],
                kind=ItemKind.MEDICATION if medication else ItemKind.CARE,
                what="",
                occurred_at=f.occurred_at,
                given=given,
                occurrence_id=named,
                voided=record_id in voided,
            )
        )
    return out


def _on_slots(records: list[RoundRecord], occurrences: list[Occurrence]) -> list[RoundRecord]:
    """A dose stored on an occurrence's slot names that occurrence, though its body did not."""
    wanted = {r.record_id for r in records if r.occurrence_id is None}
    if not wanted:
        return records
    slot_of: dict[UUID, UUID] = {}
    for o in occurrences:
        for n in range(1, MAX_SLOTS + 1):
            slot = dose_slot(o.occurrence_id, n)
            if slot not in wanted:
                break
            slot_of[slot] = o.occurrence_id
    return [
        dataclasses.replace(r, occurrence_id=slot_of[r.record_id]) if r.record_id in slot_of else r
        for r in records
    ]


def _outcome(o: Occurrence, closed: bool) -> str | None:
    if o.status is Status.GIVEN:
        assert o.accounted_at is not None
        return "given-late" if o.accounted_at > o.due_until else None
    if o.status is Status.MISSED:
        return "missed"
    if o.status is Status.OVERDUE:
        return "waived" if closed else "overdue"
    return None


def unit_rounds(
    plain_list: ListVersion,
    facts: list[Fact],
    detected_at: datetime,
    closed_at: datetime | None,
    at: datetime,
    tz: tzinfo,
) -> UnitRoundsReport:
    """The unit's rounds from the detection to the close (or `at`), judged at that moment."""
    outage = Outage(detected_at, closed_at)
    records = plain_records(facts, plain_list.unit)
    result = rounds(plain_list, records, outage, at, tz)
    slotted = _on_slots(records, list(result.occurrences))
    if slotted != records:  # a dose on a slot names its occurrence: judge again with it
        result = rounds(plain_list, slotted, outage, at, tz)
    report = UnitRoundsReport(unit=plain_list.unit, list_version=plain_list.list_version)
    closed = closed_at is not None
    past = [o for o in result.occurrences if o.status is not Status.UPCOMING]
    for o in sorted(past, key=lambda o: (o.due_at, o.citizen_ref, o.item_id)):
        outcome = _outcome(o, closed)
        report.occurrences += 1
        report.given += o.status is Status.GIVEN
        report.given_late += outcome == "given-late"
        report.missed += outcome == "missed"
        report.waived += outcome == "waived"
        report.overdue += outcome == "overdue"
        if not o.vital:
            continue
        report.vital += 1
        report.vital_given += o.status is Status.GIVEN
        report.vital_given_late += outcome == "given-late"
        report.vital_missed += outcome == "missed"
        report.vital_waived += outcome == "waived"
        report.vital_overdue += outcome == "overdue"
        if outcome is not None:
            report.vital_issues.append(
                OccurrenceIssue(
                    occurrence_id=o.occurrence_id,
                    citizen_ref=o.citizen_ref,
                    item_id=o.item_id,
                    kind=o.kind.value,
                    due_at=o.due_at,
                    due_until=o.due_until,
                    outcome=outcome,
                    accounted_at=o.accounted_at,
                )
            )
    return report
