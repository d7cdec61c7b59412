"""The plan's rules over an incident: which steps are still outstanding, and whether it may close.

Outstanding steps are the plan's alarm, escalation and communication steps that have not happened
yet; each names the plan line that asks for it, so the situation picture reads like the plan.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from domain.base import Audience, DetectedVia, Escalation, EscalationRole, StaffingRequest
from domain.manual_record import RecordStatus
from domain.plan import Plan


class IncidentFacts(Protocol):
    """What the rules read of an incident: the aggregate and the situation entry both have it."""

    @property
    def is_closed(self) -> bool: ...
    @property
    def detected_via(self) -> DetectedVia: ...
    @property
    def steps_done(self) -> Sequence[str]: ...
    @property
    def affected_units(self) -> Sequence[str]: ...
    @property
    def units_notified(self) -> Collection[str]: ...
    @property
    def escalation(self) -> Escalation | None: ...
    @property
    def escalated_to(self) -> Sequence[EscalationRole]: ...
    @property
    def involve_communications(self) -> bool | None: ...
    @property
    def audiences_reached(self) -> Collection[Audience]: ...
    @property
    def staffing(self) -> Mapping[Any, StaffingRequest]: ...
    @property
    def systems_restored(self) -> Sequence[str]: ...
    @property
    def systems_down(self) -> Sequence[str]: ...
    def is_verified(self, unit: str, system: str) -> bool: ...


def status_of(incident: IncidentFacts) -> str:
    """open, partly-restored, restored or closed: as the situation picture shows it."""
    if incident.is_closed:
        return "closed"
    if not incident.systems_down:
        return "restored"
    return "partly-restored" if incident.systems_restored else "open"


@dataclass(frozen=True)
class OutstandingStep:
    """A step of the plan not yet recorded: the event type that records it, and for whom."""

    step: str
    label: str
    plan_line: str | None = None
    unit: str | None = None
    role: str | None = None
    audience: str | None = None


def _line(plan: Plan, step: str) -> str | None:
    return next((line.text for line in plan.file.lines if step in line.steps), None)


def outstanding_steps(incident: IncidentFacts, plan: Plan) -> list[OutstandingStep]:
    """What the plan still asks for on this incident, in the plan's order."""
    if incident.is_closed:
        return []
    done = set(incident.steps_done)
    wanted: list[OutstandingStep] = []

    def want(step: str, whom: str = "", **who: str) -> None:
        label = plan.file.steps.get(step, step) + (f" {whom}" if whom else "")
        wanted.append(OutstandingStep(step, label, _line(plan, step), **who))

    if "colleagues-informed" not in done:
        want("colleagues-informed")
    if "leader-informed" not in done:
        want("leader-informed")
    if "it-contacted" not in done:
        want("it-contacted")
    if "vendor-contacted" not in done and incident.detected_via is not DetectedVia.VENDOR:
        want("vendor-contacted")
    if "scope-assessed" not in done:
        want("scope-assessed")
    for unit in incident.affected_units:
        if unit not in incident.units_notified:
            want("units-notified", unit=unit)
    if incident.escalation is None:
        want("escalation-assessed")
    else:
        for needed, role in (
            (incident.escalation.inform_nearest_leader, EscalationRole.NAERMESTE_LEDER),
            (incident.escalation.inform_socialchef, EscalationRole.SOCIALCHEF),
        ):
            if needed and role not in incident.escalated_to:
                want("escalated", f"til {plan.file.roles.get(role, role)}", role=role)
    if incident.involve_communications is None:
        want("communications-decided")
    elif (
        incident.involve_communications
        and EscalationRole.KOMMUNIKATIONSAFDELING not in incident.escalated_to
    ):
        role = EscalationRole.KOMMUNIKATIONSAFDELING
        want("escalated", f"til {plan.file.roles.get(role, role)}", role=role)
    for audience, label in ((Audience.STAFF, "medarbejdere"), (Audience.CITIZENS, "borgere")):
        if audience not in incident.audiences_reached:
            want("communication-sent", f"til {label}", audience=audience)
    for request in incident.staffing.values():
        if request.granted is None:
            want("staffing-decided", unit=request.unit)
    for unit in incident.affected_units:
        if any(not incident.is_verified(unit, s) for s in incident.systems_restored):
            want("restoration-verified", unit=unit)
    return wanted


@dataclass(frozen=True)
class Closing:
    """What stands between an incident and its closing."""

    systems_down: tuple[str, ...]
    pending_records: int

    @property
    def may_close(self) -> bool:
        """Closable without a waiver: every system back and every paper record dealt with."""
        return not self.systems_down and not self.pending_records

    @property
    def may_close_with_waiver(self) -> bool:
        return not self.systems_down


def may_close(incident: IncidentFacts, records: Iterable[RecordStatus]) -> Closing:
    """Every system restored, and every manual record entered or voided (or a leader's waiver)."""
    pending = sum(1 for status in records if status is RecordStatus.PENDING)
    return Closing(tuple(incident.systems_down), pending)
