"""The evaluation across outages: the same figures as each outage's report, side by side.

For the plan's revision: per line of the plan, in how many outages it was done, how often late
against its target, the median and the worst minutes after the detection (and which outage was
the worst); the systems' median and worst down-times; the back-entry's median and worst hours and
its completion in all; and the vital occurrences given late, missed or waived. Drills and real
outages are never summed together (the caller gives the reports of one mode).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from uuid import UUID

import msgspec

from domain.base import Instant
from domain.report import IncidentReport


class SummaryOutage(msgspec.Struct, kw_only=True):
    incident_id: UUID
    title: str
    detected_at: Instant
    status: str


class LineFigures(msgspec.Struct, kw_only=True):
    """One line of the plan across the outages."""

    number: int
    section: str
    text: str
    target_minutes: int | None = None
    outages: int = 0
    done: int = 0
    late: int = 0
    median_minutes: float | None = None
    worst_minutes: float | None = None
    worst_incident_id: UUID | None = None


class SystemFigures(msgspec.Struct, kw_only=True):
    system: str
    outages: int
    median_minutes: float | None = None
    worst_minutes: float | None = None


class BackEntryFigures(msgspec.Struct, kw_only=True):
    records: int = 0
    entered: int = 0
    voided: int = 0
    pending: int = 0
    completion: float | None = None
    median_hours: float | None = None
    worst_hours: float | None = None


class RoundsFigures(msgspec.Struct, kw_only=True):
    vital: int = 0
    vital_given_late: int = 0
    vital_missed: int = 0
    vital_waived: int = 0


class ReportSummary(msgspec.Struct, kw_only=True):
    """Evaluering på tværs af nedbrud (one mode: real outages or drills)."""

    mode: str
    outages: list[SummaryOutage]
    lines: list[LineFigures]
    systems: list[SystemFigures]
    back_entry: BackEntryFigures
    rounds: RoundsFigures


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def summarize(mode: str, reports: Sequence[IncidentReport]) -> ReportSummary:
    """The reports' figures together (`reports` all of one mode, oldest first)."""
    lines: list[LineFigures] = []
    for i, first in enumerate(reports[0].lines if reports else []):
        figures = LineFigures(
            number=first.number,
            section=first.section,
            text=first.text,
            target_minutes=first.target_minutes,
        )
        done = []
        for report in reports:
            if i >= len(report.lines) or not report.lines[i].steps:
                continue
            line = report.lines[i]
            figures.outages += 1
            figures.late += line.late
            if line.minutes is not None:
                done.append((line.minutes, report.incident_id))
        figures.done = len(done)
        figures.median_minutes = _median([m for m, _ in done])
        if done:
            figures.worst_minutes, figures.worst_incident_id = max(done, key=lambda d: d[0])
        lines.append(figures)
    downs: dict[str, list[float]] = {}
    for report in reports:
        for s in report.systems:
            downs.setdefault(s.system, [])
            if s.minutes is not None:
                downs[s.system].append(s.minutes)
    back = BackEntryFigures()
    hours = []
    rounds = RoundsFigures()
    for report in reports:
        b = report.back_entry
        back.records += b.records
        back.entered += b.entered
        back.voided += b.voided
        back.pending += b.pending
        if b.hours is not None:
            hours.append(b.hours)
        for r in report.rounds:
            rounds.vital += r.vital
            rounds.vital_given_late += r.vital_given_late
            rounds.vital_missed += r.vital_missed
            rounds.vital_waived += r.vital_waived
    kept = back.records - back.voided
    back.completion = round(back.entered / kept, 4) if kept > 0 else None
    back.median_hours = _median(hours)
    back.worst_hours = max(hours, default=None)
    return ReportSummary(
        mode=mode,
        outages=[
            SummaryOutage(
                incident_id=r.incident_id,
                title=r.title,
                detected_at=r.detected_at,
                status=r.status,
            )
            for r in reports
        ],
        lines=lines,
        systems=[
            SystemFigures(
                system=system,
                outages=sum(1 for r in reports for s in r.systems if s.system == system),
                median_minutes=_median(values),
                worst_minutes=max(values, default=None),
            )
            for system, values in sorted(downs.items())
        ],
        back_entry=back,
        rounds=rounds,
    )
