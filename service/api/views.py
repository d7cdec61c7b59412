"""Read views: projection rows turned into what the API shows."""

from __future__ import annotations

from collections import Counter, OrderedDict
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from domain.plan import Plan
from domain.readiness import UnitReadiness
from domain.rules import may_close, outstanding_steps
from domain.situation import SituationEntry
from domain.worklist import BackEntryItem
from service.api.schemas import (
    BackEntryItemView,
    ClosingView,
    EmergencyListReadiness,
    EventView,
    IncidentView,
    OutstandingStepView,
    ReadinessView,
    RecordCounts,
    StaffingRequestView,
    StaffingView,
)
from service.log.events import RecordedEvent
from service.log.keeping import remember
from service.read.projections import SITUATION
from service.write.emergency_lists import ListHead

CARE_STATUS_DA = {"delivered": "leveret", "partly": "delvist leveret", "missed": "ikke leveret"}


def staffing_view(entry: SituationEntry) -> StaffingView:
    requests = [
        StaffingRequestView(
            request_event_id=UUID(request_id), unit=r.unit, requested=r.requested, granted=r.granted
        )
        for request_id, r in sorted(entry.staffing.items())
    ]
    return StaffingView(
        requested=sum(r.requested for r in requests),
        granted=sum(r.granted or 0 for r in requests),
        undecided=sum(1 for r in requests if r.granted is None),
        requests=requests,
    )


class IncidentViews:
    """Incident views by the projection row they come from: a row that has not changed since the
    last read gives the same view, so a read of the situation picture decodes and folds only the
    incidents that changed (most do not, between two reads). Bounded, least recently used out."""

    def __init__(self, plan: Plan, size: int = 4096) -> None:
        self.plan, self.size = plan, size
        self._views: OrderedDict[str, IncidentView] = OrderedDict()

    def view(self, state: str) -> IncidentView:
        found = self._views.get(state)
        if found is None:
            found = incident_view(SITUATION.decode(state), self.plan)
        remember(self._views, state, found, self.size)
        return found


def incident_view(entry: SituationEntry, plan: Plan) -> IncidentView:
    assert entry.detected_at is not None, "the projection lists detected incidents only"
    assert entry.last_change_at is not None
    statuses = entry.record_statuses()
    counts = Counter(s.value for s in statuses)
    closing = may_close(entry, statuses)
    scope = entry.scope.value if entry.scope else None
    return IncidentView(
        incident_id=entry.incident_id,
        title=entry.title,
        status=entry.status,  # type: ignore[arg-type]
        detected_at=entry.detected_at,
        detected_via=entry.detected_via.value,
        systems_down=entry.systems_down,
        systems_restored=entry.systems_restored,
        affected_units=entry.affected_units,
        isolated_to_single_unit=entry.isolated_to_single_unit,
        severity=None if scope is None else scope.severity,
        expected_restoration_at=None if scope is None else scope.expected_restoration_at,
        steps_done=entry.steps_done,
        steps_outstanding=[
            OutstandingStepView(
                step=s.step,
                label=s.label,
                plan_line=s.plan_line,
                unit=s.unit,
                role=s.role,
                audience=s.audience,
            )
            for s in outstanding_steps(entry, plan)
        ],
        escalated_to=list(entry.escalations),
        staffing=staffing_view(entry),
        manual_records=RecordCounts(
            pending=counts["pending"], entered=counts["entered"], voided=counts["voided"]
        ),
        closing=ClosingView(
            may_close=closing.may_close,
            may_close_with_waiver=closing.may_close_with_waiver,
            systems_down=list(closing.systems_down),
            pending_records=closing.pending_records,
        ),
        mode=entry.mode,  # type: ignore[arg-type]
        version=entry.version,
        last_change_at=entry.last_change_at,
        closed_at=entry.closed_at,
    )


RECORD_KINDS = {
    "medication-dispensed": "medication-dispensing",
    "care-delivered": "care-delivery",
}


def record_kind(event_type: str) -> str | None:
    """The kind of paper record a record's first event makes."""
    return RECORD_KINDS.get(event_type)


def summary(kind: str | None, data: dict[str, Any]) -> str:
    """What the paper says, in a line: the medication and dose, or the visit and its outcome."""
    if kind == "medication-dispensing":
        med = data.get("medication") or {}
        parts = [med.get("name"), med.get("strength"), med.get("dose"), med.get("route")]
        text = ", ".join(p for p in parts if p) or "medicin (slettet)"
        return text + (" · lægen kontaktet" if data.get("doctor_consulted") else "")
    service = data.get("service") or "besøg (slettet)"
    return f"{service}: {CARE_STATUS_DA.get(data.get('status', ''), data.get('status'))}"


def back_entry_view(
    item: BackEntryItem, data: dict[str, Any], citizen: dict[str, Any] | None = None
) -> BackEntryItemView:
    # The worklist lists records whose first event is folded in: these are all set.
    assert item.incident_id is not None
    assert item.unit is not None
    assert item.citizen_ref is not None
    assert item.by is not None
    assert item.occurred_at is not None
    assert item.recorded_at is not None
    return BackEntryItemView(
        record_id=item.record_id,
        incident_id=item.incident_id,
        kind=item.kind,  # type: ignore[arg-type]
        unit=item.unit,
        citizen_ref=item.citizen_ref,
        summary=summary(item.kind, data),
        occurred_at=item.occurred_at,
        recorded_at=item.recorded_at,
        by=item.by,
        status=item.status.value,
        entered_by=item.entered_by,
        entered_at=item.entered_at,
        journal_reference=item.journal_reference,
        citizen_name=(citizen or {}).get("name"),
        citizen_cpr=(citizen or {}).get("cpr"),
    )


def readiness_view(
    unit: UnitReadiness, now: datetime, max_age_days: int, kept: ListHead | None = None
) -> ReadinessView:
    age = unit.age(now)
    limit = timedelta(days=max_age_days)
    emergency = (
        None
        if kept is None
        else EmergencyListReadiness(
            list_version=kept.list_version,
            list_as_of=kept.list_as_of,
            kept_at=kept.kept_at,
            age_days=round((now - kept.list_as_of) / timedelta(days=1), 2),
            stale=now - kept.list_as_of > limit,
        )
    )
    return ReadinessView(
        unit=unit.unit,
        list_printed_at=unit.list_printed_at,
        list_as_of=unit.list_as_of,
        printed_by=unit.printed_by,
        age_days=None if age is None else round(age / timedelta(days=1), 2),
        stale=unit.is_stale(now, limit),
        max_age_days=max_age_days,
        emergency_list=emergency,
    )


def event_view(event: RecordedEvent) -> EventView:
    return EventView(
        position=event.position,
        event_id=event.event_id,
        stream_id=event.stream_id,
        stream_type=event.stream_type,
        version=event.version,
        type=event.type,
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        actor=event.actor,
        source=event.source,
        correlation_id=event.correlation_id,
        causation_id=event.causation_id,
        mode=event.mode,  # type: ignore[arg-type]
        data=event.payload,
        hash=event.hash.hex(),
    )
