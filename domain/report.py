"""Evaluering: the report of one outage, for the plan's revision ("Oprettelse / revision").

Every line of the plan with when it was first done, minutes after the detection and by whom (or
not done, or late against the municipality's target); each system down from-to; the paper records
by unit and by hour; the back-entry from the restoration to the last journal entry, as burn-down
points; and the rounds per unit (`domain/report_rounds.py`). `incident_report` is a pure function
of the incident's facts (plain payloads only: it never sees sealed data), so the same outage
recorded late and in any order gives the same report, and the same log always gives it again.
People are named by their employee id; names are sealed, and the report shows none.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import NamedTuple
from uuid import UUID

import msgspec

from domain.base import Instant
from domain.facts import Fact
from domain.incident import STREAM_TYPE as INCIDENT
from domain.list_items import ListVersion
from domain.manual_record import STREAM_TYPE as MANUAL_RECORD
from domain.plan import Plan
from domain.report_rounds import UnitRoundsReport, unit_rounds
from domain.situation import SituationEntry, evolve

RECORD_STEPS = {"medication-dispensed", "care-delivered"}
ENDS = {"entered-in-journal", "record-voided"}


class StepDone(msgspec.Struct, kw_only=True):
    """One step of a plan line: when it was first recorded, and by whom (an employee id)."""

    step: str
    name: str
    done_at: Instant | None = None
    minutes: float | None = None
    by: str | None = None


class LineReport(msgspec.Struct, kw_only=True):
    """A line of the plan (indsatsplanens linje): done when its first step was, or not done."""

    number: int
    section: str
    text: str
    steps: list[StepDone]
    target_minutes: int | None = None
    done: bool = False
    done_at: Instant | None = None
    minutes: float | None = None
    by: str | None = None
    late: bool = False


class SystemDown(msgspec.Struct, kw_only=True):
    """A system down from the detection until it was restored (`down_to` None: still down)."""

    system: str
    down_from: Instant
    down_to: Instant | None = None
    minutes: float | None = None


class UnitPaper(msgspec.Struct, kw_only=True):
    """One unit's paper records (manuelle registreringer): made, entered, voided, pending."""

    unit: str
    made: int = 0
    entered: int = 0
    voided: int = 0
    pending: int = 0


class HourPaper(msgspec.Struct, kw_only=True):
    """The paper records made in one hour (from `hour`, UTC), in all and per unit."""

    hour: Instant
    count: int
    by_unit: dict[str, int]


class BurnDownPoint(msgspec.Struct, kw_only=True):
    """How many paper records still waited for the journal at `at`."""

    at: Instant
    pending: int


class BackEntry(msgspec.Struct, kw_only=True):
    """Efterregistrering: from the restoration of the last system to the last journal entry."""

    restored_at: Instant | None = None
    last_entry_at: Instant | None = None
    hours: float | None = None
    records: int = 0
    entered: int = 0
    voided: int = 0
    pending: int = 0
    completion: float | None = None  # entered, of the records not voided (1.0: all in)
    points: list[BurnDownPoint] = msgspec.field(default_factory=list)


class PaperReport(msgspec.Struct, kw_only=True):
    """The outage's paper records, per unit and per hour."""

    by_unit: list[UnitPaper]
    by_hour: list[HourPaper]


class IncidentReport(msgspec.Struct, kw_only=True):
    """Evalueringsrapport: one outage, line by line of the plan, as its events tell it."""

    incident_id: UUID
    title: str
    mode: str
    status: str
    plan_version: int
    detected_at: Instant
    closed_at: Instant | None
    at: Instant
    position: int
    units: list[str]
    lines: list[LineReport]
    systems: list[SystemDown]
    paper: PaperReport
    back_entry: BackEntry
    rounds: list[UnitRoundsReport]


def minutes_between(start: datetime, end: datetime) -> float:
    return round((end - start).total_seconds() / 60, 1)


def _by(fact: Fact) -> str | None:
    person = fact.data.get("reported_by") or fact.data.get("by") or {}
    return person.get("id")


def _step_of(fact: Fact) -> str | None:
    if fact.stream_type == INCIDENT:
        return fact.type
    if fact.stream_type == MANUAL_RECORD and (fact.version == 1 or fact.type in ENDS):
        return fact.type
    return None


class FirstDone(NamedTuple):
    """When a step was first done, and by whom (None: no one is named)."""

    at: datetime
    by: str | None


def first_done(facts: Iterable[Fact]) -> dict[str, FirstDone]:
    """Each step's first time (and who did it); ties by the person's id, not by arrival."""
    first: dict[str, tuple[datetime, str]] = {}
    for fact in facts:
        step = _step_of(fact)
        if step is None:
            continue
        seen = (fact.occurred_at, _by(fact) or "")
        if step not in first or seen < first[step]:
            first[step] = seen
    return {step: FirstDone(at, by or None) for step, (at, by) in first.items()}


def plan_lines(plan: Plan, detected: datetime, done: Mapping[str, FirstDone]) -> list[LineReport]:
    """Every line of the plan with its steps' first times; a line is done with its first step."""
    lines = []
    for number, line in enumerate(plan.file.lines, start=1):
        steps = []
        for step in line.steps:
            first_time = done.get(step)
            at = None if first_time is None else first_time.at
            by = None if first_time is None else first_time.by
            steps.append(
                StepDone(
                    step=step,
                    name=plan.file.steps.get(step, step),
                    done_at=at,
                    minutes=None if at is None else minutes_between(detected, at),
                    by=by,
                )
            )
        first = min((s for s in steps if s.done_at is not None), key=_when, default=None)
        minutes = None if first is None else first.minutes
        target = line.target_minutes
        lines.append(
            LineReport(
                number=number,
                section=line.section,
                text=line.text,
                steps=steps,
                target_minutes=target,
                done=first is not None,
                done_at=None if first is None else first.done_at,
                minutes=minutes,
                by=None if first is None else first.by,
                late=target is not None and (minutes is None or minutes > target),
            )
        )
    return lines


def _when(step: StepDone) -> tuple[datetime, str]:
    assert step.done_at is not None
    return step.done_at, step.by or ""


def systems_down(entry: SituationEntry) -> list[SystemDown]:
    assert entry.detected_at is not None
    out = []
    affected = entry.affected_systems  # in the order the outage was declared with
    for system in dict.fromkeys([*(s for s in entry.declared_systems if s in affected), *affected]):
        back = entry.restored.get(system)
        out.append(
            SystemDown(
                system=system,
                down_from=entry.detected_at,
                down_to=back,
                minutes=None if back is None else minutes_between(entry.detected_at, back),
            )
        )
    return out


def _hour(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def paper(facts: list[Fact], units: list[str]) -> PaperReport:
    """The paper records by unit (the incident's units first) and by the hour they were made."""
    heads = {f.stream_id: f for f in facts if f.stream_type == MANUAL_RECORD and f.version == 1}
    ends = {f.stream_id: f.type for f in facts if f.type in ENDS and f.stream_id in heads}
    by_unit: dict[str, UnitPaper] = {u: UnitPaper(unit=u) for u in units}
    hours: dict[datetime, dict[str, int]] = {}
    for record_id, head in heads.items():
        unit = head.data.get("unit", "")
        row = by_unit.setdefault(unit, UnitPaper(unit=unit))
        row.made += 1
        end = ends.get(record_id)
        row.entered += end == "entered-in-journal"
        row.voided += end == "record-voided"
        row.pending += end is None
        counts = hours.setdefault(_hour(head.occurred_at), {})
        counts[unit] = counts.get(unit, 0) + 1
    return PaperReport(
        by_unit=list(by_unit.values()),
        by_hour=[
            HourPaper(hour=h, count=sum(c.values()), by_unit=dict(sorted(c.items())))
            for h, c in sorted(hours.items())
        ],
    )


def back_entry(facts: list[Fact], entry: SituationEntry) -> BackEntry:
    """The burn-down: records waiting at the restoration, then after each entry or void."""
    made = sorted(f.occurred_at for f in facts if f.stream_type == MANUAL_RECORD and f.version == 1)
    ends = [
        (f.occurred_at, f.type) for f in facts if f.stream_type == MANUAL_RECORD and f.type in ENDS
    ]
    entered = sum(1 for _, t in ends if t == "entered-in-journal")
    voided = len(ends) - entered
    restored = max(entry.restored.values()) if entry.restored and not entry.systems_down else None
    entries = [at for at, t in ends if t == "entered-in-journal"]
    last = max(entries, default=None)
    points = []
    if restored is not None:
        closed = sorted(at for at, _ in ends)
        moments = {restored, *(at for at in closed if at > restored)}
        moments |= {at for at in made if at > restored}
        for at in sorted(moments):
            waiting = bisect_right(made, at) - bisect_right(closed, at)
            points.append(BurnDownPoint(at=at, pending=waiting))
    kept = len(made) - voided
    return BackEntry(
        restored_at=restored,
        last_entry_at=last,
        hours=None
        if restored is None or last is None
        else round(max(0.0, (last - restored).total_seconds()) / 3600, 2),
        records=len(made),
        entered=entered,
        voided=voided,
        pending=len(made) - entered - voided,
        completion=None if kept <= 0 else round(entered / kept, 4),
        points=points,
    )


def fold(facts: Iterable[Fact], incident_id: UUID) -> SituationEntry:
    """The incident as the situation picture folds it (in any order: the fold commutes)."""
    entry = SituationEntry(incident_id=incident_id)
    for fact in sorted(facts, key=lambda f: f.position):
        entry = evolve(entry, fact)
    return entry


def incident_report(
    plan: Plan,
    incident_id: UUID,
    facts: list[Fact],
    lists: Mapping[str, ListVersion],
    at: datetime,
    units: tuple[str, ...] | None = None,
) -> IncidentReport:
    """The report of the incident from its facts (the incident's and its paper records', those
    the reader may see), each unit's emergency list and the moment `at` for an open incident
    (a closed one is judged at its close). `units`: the reader's units (None: every unit)."""
    entry = fold(facts, incident_id)
    if entry.detected_at is None:
        raise ValueError("the incident's detection is not among the facts")
    detected = entry.detected_at
    moment = entry.closed_at or at
    shown = [u for u in entry.affected_units if units is None or u in units]
    return IncidentReport(
        incident_id=incident_id,
        title=entry.title,
        mode=entry.mode,
        status=entry.status,
        plan_version=plan.version,
        detected_at=detected,
        closed_at=entry.closed_at,
        at=moment,
        position=entry.position,
        units=shown,
        lines=plan_lines(plan, detected, first_done(facts)),
        systems=systems_down(entry),
        paper=paper(facts, shown),
        back_entry=back_entry(facts, entry),
        rounds=[
            unit_rounds(lists[u], facts, detected, entry.closed_at, moment, plan.tz)
            for u in shown
            if u in lists
        ],
    )
