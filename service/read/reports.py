"""Application service for the reports: an outage's evaluation, the figures across outages, and
the crisis staff's situation report, read from the log and the projections, never sealed data.

Each report is a pure function in `domain/` over plain facts (`domain/report.py`,
`domain/report_summary.py`, `domain/situation_changes.py`); this module reads those facts. A key
for some units sees the incident's own steps, and the paper records, the burn-down and the rounds
of its units only (the records of other units are left out before the report is made); `it`
sees counts, not the vital occurrences one by one (as it sees paper records only as counts).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from domain.facts import Fact
from domain.incident import STREAM_TYPE as INCIDENT
from domain.list_items import ListCitizen, ListVersion
from domain.manual_record import STREAM_TYPE as MANUAL_RECORD
from domain.plan import Plan
from domain.report import IncidentReport, fold, incident_report
from domain.report_summary import ReportSummary, summarize
from domain.situation import SituationEntry
from domain.situation_changes import SituationChanges, changes
from service.access.disclosure import Reader
from service.access.matrix import RECORD_READERS
from service.log.store import EventStore, fetch
from service.log.streams import StreamNotFound
from service.read import reads
from service.read.projections import fact_of
from service.write.emergency_lists import list_stream_id


def _visible(facts: list[Fact], units: tuple[str, ...] | None) -> list[Fact]:
    """The incident's own facts, and the paper records of the reader's units."""
    if units is None:
        return facts
    heads = {f.stream_id: f.data.get("unit") for f in facts if f.version == 1}
    return [f for f in facts if f.stream_type != MANUAL_RECORD or heads.get(f.stream_id) in units]


class ReportService:
    """Makes the reports from the log."""

    def __init__(self, store: EventStore, plan: Plan) -> None:
        self.store, self.plan = store, plan

    async def facts(self, incident_id: UUID) -> list[Fact]:
        """The incident's events and its paper records', plain (an incident id only)."""
        events = await self.store.read_correlated(incident_id)
        if not events or events[0].stream_type != INCIDENT or events[0].stream_id != incident_id:
            raise StreamNotFound(incident_id)
        return [fact_of(e) for e in events]

    async def plain_list(self, unit: str, until: datetime) -> ListVersion | None:
        """The unit's emergency list as it stood at `until` (else its first version), plain."""
        events = await self.store.read_stream(list_stream_id(unit))
        if not events:
            return None
        kept = [e for e in events if e.occurred_at <= until] or events[:1]
        last = kept[-1]
        return ListVersion(
            unit=unit,
            list_version=last.version,
            list_as_of=msgspec.convert(last.payload["list_as_of"], datetime),
            citizens=msgspec.convert(
                last.payload.get("citizens", []), tuple[ListCitizen, ...], strict=False
            ),
        )

    async def incident(self, incident_id: UUID, reader: Reader, now: datetime) -> IncidentReport:
        facts = _visible(await self.facts(incident_id), reader.units)
        return await self._report(incident_id, facts, reader, now)

    async def _report(
        self, incident_id: UUID, facts: list[Fact], reader: Reader, now: datetime
    ) -> IncidentReport:
        entry = fold(facts, incident_id)
        until = entry.closed_at or now
        lists = {}
        for unit in entry.affected_units:
            found = await self.plain_list(unit, until)
            if found is not None:
                lists[unit] = found
        report = incident_report(self.plan, incident_id, facts, lists, now, reader.units)
        if reader.role not in RECORD_READERS:  # counts only
            for part in report.rounds:
                part.vital_issues = []
        return report

    async def summary(
        self,
        reader: Reader,
        mode: str,
        since: datetime | None,
        until: datetime | None,
        now: datetime,
    ) -> ReportSummary:
        """Every outage of the mode detected in [since, until), oldest first, side by side."""
        entries = await reads.situation(self.store.pool, mode=mode, which="all")
        chosen = [
            e
            for e in entries
            if e.detected_at is not None
            and (since is None or e.detected_at >= since)
            and (until is None or e.detected_at < until)
        ]
        reports = [await self.incident(e.incident_id, reader, now) for e in chosen]
        return summarize(mode, reports)

    async def changes_since(self, since: int, upto: int, mode: str) -> SituationChanges:
        """What changed in the picture between the two positions: each incident an event
        touched in between, folded as it stood at `since` and at `upto`."""
        rows = await fetch(
            self.store.pool,
            "SELECT DISTINCT CASE WHEN stream_type = $4 THEN stream_id ELSE correlation_id END "
            "AS incident FROM events WHERE position > $1 AND position <= $2 AND mode = $3 "
            "AND (stream_type = $4 OR stream_type = $5)",
            since,
            upto,
            mode,
            INCIDENT,
            MANUAL_RECORD,
        )
        touched = [r["incident"] for r in rows if r["incident"] is not None]
        before: dict[UUID, SituationEntry] = {}
        after: dict[UUID, SituationEntry] = {}
        for incident_id in touched:
            facts = [f for f in await self.facts(incident_id) if f.position <= upto]
            then = [f for f in facts if f.position <= since]
            before[incident_id] = fold(then, incident_id)
            after[incident_id] = fold(facts, incident_id)
        ordered = dict(
            sorted(
                after.items(),
                key=lambda kv: (kv[1].detected_at is None, kv[1].detected_at, str(kv[0])),
            )
        )
        return changes(before, ordered)
