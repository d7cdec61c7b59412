"""Read views built from aggregates: an incident as the situation picture shows one entry."""

from __future__ import annotations

from collections import Counter

from domain.incident import Incident
from domain.manual_record import ManualRecord
from domain.plan import Plan
from domain.rules import may_close, outstanding_steps
from service.api.schemas import (
    ClosingView,
    IncidentView,
    OutstandingStepView,
    RecordCounts,
    StaffingRequestView,
    StaffingView,
)


def staffing_view(incident: Incident) -> StaffingView:
    requests = [
        StaffingRequestView(
            request_event_id=request_id,
            unit=r["unit"],
            requested=r["requested"],
            granted=r["granted"],
        )
        for request_id, r in incident.staffing.items()
    ]
    return StaffingView(
        requested=sum(r.requested for r in requests),
        granted=sum(r.granted or 0 for r in requests),
        undecided=sum(1 for r in requests if r.granted is None),
        requests=requests,
    )


def incident_view(
    incident: Incident, mode: str, records: list[ManualRecord], plan: Plan
) -> IncidentView:
    counts = Counter(r.status.value for r in records)
    closing = may_close(incident, [r.status for r in records])
    return IncidentView(
        incident_id=incident.id,
        title=incident.title,
        status=incident.status,  # type: ignore[arg-type]
        detected_at=incident.detected_at,
        detected_via=incident.detected_via.value,
        systems_down=incident.systems_down,
        systems_restored=list(incident.systems_restored),
        affected_units=list(incident.affected_units),
        isolated_to_single_unit=incident.isolated_to_single_unit,
        severity=None if incident.severity is None else incident.severity.value,
        expected_restoration_at=incident.expected_restoration_at,
        steps_done=list(incident.steps_done),
        steps_outstanding=[
            OutstandingStepView(
                step=s.step,
                label=s.label,
                plan_line=s.plan_line,
                unit=s.unit,
                role=s.role,
                audience=s.audience,
            )
            for s in outstanding_steps(incident, plan)
        ],
        escalated_to=[role.value for role in incident.escalated_to],
        staffing=staffing_view(incident),
        manual_records=RecordCounts(
            pending=counts["pending"], entered=counts["entered"], voided=counts["voided"]
        ),
        closing=ClosingView(
            may_close=closing.may_close,
            may_close_with_waiver=closing.may_close_with_waiver,
            systems_down=list(closing.systems_down),
            pending_records=closing.pending_records,
        ),
        mode=mode,  # type: ignore[arg-type]
        version=incident.version,
        last_change_at=incident.last_change_at,
        closed_at=incident.closed_at,
    )
