"""Incident (IT-nedbrud): an outage from its alarmering to its closing, step by step.

Alarmering: the outage is detected by the vendor, an employee, monitoring or another system; the
employee informs colleagues at once, the nearest leader at the first opportunity, and contacts IT
(on the channel the contact rule gives) and the vendor to clarify scope and resolution. Ledelse:
IT notifies the affected units; an outage isolated to one unit may get a local workaround. The
department leader assesses escalation to the nearest leader and the Socialchef; together they
decide whether Kommunikationsafdelingen is involved. Extra staff is discussed with the nearest
leader. Each system is restored, each unit verifies it, and the incident closes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from eventsourcing.domain import event

from domain.base import (
    Audience,
    DataSubject,
    DetectedVia,
    Escalation,
    EscalationRole,
    ItMethod,
    Person,
    PlanAggregate,
    Sealed,
    StaffingRequest,
    StepDeclaration,
    declared_steps,
    step,
)
from domain.base import Severity as Severity
from domain.contacts import contact_now
from domain.errors import (
    AlreadyRestored,
    IncidentClosed,
    IsolatedNeedsOneUnit,
    ManualRecordsPending,
    StaffingAlreadyDecided,
    SystemNotAffected,
    SystemNotRestored,
    SystemsStillDown,
    UnitNotAffected,
    UnknownEvent,
    UnknownStaffingRequest,
    WaiverNeedsLeader,
    WorkaroundNeedsIsolatedOutage,
)
from domain.plan import Contact, Plan
from domain.rules import status_of

__all__ = ["CorrectedRecord", "DetectedVia", "Incident", "Severity"]


def in_order(items: Iterable[str]) -> list[str]:
    """Each item once, where it first appears."""
    return list(dict.fromkeys(items))


def affected_after(restored: Iterable[str], scoped: Iterable[str]) -> list[str]:
    """The systems affected once a scope is assessed: a system already restored stays in the
    record of what was affected, before the systems the scope names."""
    return in_order([*restored, *scoped])


def in_plan_order(steps: Iterable[str]) -> list[str]:
    """Steps done, in the plan's order."""
    return sorted(steps, key=STEP_ORDER.__getitem__)


class CorrectedRecord(msgspec.Struct, frozen=True):
    """The paper record a correction is about: its unit, and the citizen whose data it is."""

    record_id: UUID
    unit: str
    citizen_ref: str


class Incident(PlanAggregate):
    """IT-nedbrud: one outage, its systems and units, and every step of the plan taken on it.

    The events the situation picture reads are declared as classes, so that its fold reads them
    typed (`domain/situation.py`); each one's `apply` is this aggregate's fold of it, and what
    both folds compute from an event is a property of the event or a function here."""

    class Detected(PlanAggregate.Created):
        """The outage became known. (`__init__` takes the same fields: eventsourcing refuses an
        incident whose fields and these differ.)"""

        title: str
        description: Annotated[str | None, Sealed]
        detected_via: DetectedVia
        reported_by: Person
        affected_systems: tuple[str, ...]
        affected_units: tuple[str, ...]
        occurred_at: datetime

    @event(Detected)
    def __init__(
        self,
        id: UUID,
        title: str,
        description: Annotated[str | None, Sealed],
        detected_via: DetectedVia,
        reported_by: Person,
        affected_systems: tuple[str, ...],
        affected_units: tuple[str, ...],
        occurred_at: datetime,
    ) -> None:
        self.title, self.detected_via, self.detected_at = title, detected_via, occurred_at
        self.reported_by = reported_by
        self.affected_systems = in_order(affected_systems)
        self.affected_units = in_order(affected_units)
        self.isolated_to_single_unit: bool | None = None
        self.severity: Severity | None = None
        self.expected_restoration_at: datetime | None = None
        self.systems_restored: list[str] = []
        self.steps: set[str] = {"incident-detected"}
        self.leaders_informed: list[Person] = []
        self.it_channels: list[Contact] = []
        self.units_notified: set[str] = set()
        self.escalation: Escalation | None = None
        self.escalated_to: list[EscalationRole] = []
        self.involve_communications: bool | None = None
        self.audiences_reached: set[Audience] = set()
        self.staffing: dict[UUID, StaffingRequest] = {}
        self.verified: dict[str, set[str | None]] = {}
        self.closed_at: datetime | None = None
        self.last_change_at = occurred_at

    # -- reading the state ---------------------------------------------------------------------

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def systems_down(self) -> list[str]:
        return [s for s in self.affected_systems if s not in self.systems_restored]

    @property
    def status(self) -> str:
        """open, partly-restored, restored or closed: as the situation picture shows it."""
        return status_of(self)

    @property
    def steps_done(self) -> list[str]:
        """The plan's steps recorded so far, in the plan's order."""
        return in_plan_order(self.steps)

    def is_verified(self, unit: str, system: str) -> bool:
        verified = self.verified.get(unit, set())
        return system in verified or None in verified

    # -- Alarmering ----------------------------------------------------------------------------

    @step("colleagues-informed")
    def inform_colleagues(self, by: Person, occurred_at: datetime) -> None:
        """The employee who learns of the outage informs colleagues at once."""
        self._refuse_if_closed()
        self._colleagues_informed(by=by, occurred_at=occurred_at)

    @event("ColleaguesInformed")
    def _colleagues_informed(self, by: Person, occurred_at: datetime) -> None:
        """The employee who learned of the outage informed colleagues."""
        self._done("colleagues-informed", occurred_at)

    @step("leader-informed")
    def inform_leader(self, leader: Person, by: Person, occurred_at: datetime) -> None:
        """The nearest leader is informed at the first opportunity."""
        self._refuse_if_closed()
        self._leader_informed(leader=leader, by=by, occurred_at=occurred_at)

    @event("LeaderInformed")
    def _leader_informed(self, leader: Person, by: Person, occurred_at: datetime) -> None:
        """The nearest leader was informed."""
        self.leaders_informed.append(leader)
        self._done("leader-informed", occurred_at)

    @step("it-contacted")
    def contact_it(
        self,
        channel: Contact | None,
        method: ItMethod,
        reference: str | None,
        plan: Plan,
        by: Person,
        occurred_at: datetime,
    ) -> None:
        """IT is contacted; with no channel stated, the contact rule at that time gives it."""
        self._refuse_if_closed()
        rule = None
        if channel is None:
            answer = contact_now(occurred_at, plan)
            channel, rule = answer.channel, answer.rule
        self._it_contacted(
            channel=channel,
            method=method,
            reference=reference,
            channel_rule=rule,
            plan_version=plan.version,
            by=by,
            occurred_at=occurred_at,
        )

    @event("ItContacted")
    def _it_contacted(
        self,
        channel: Contact,
        method: ItMethod,
        reference: str | None,
        channel_rule: str | None,
        plan_version: int,
        by: Person,
        occurred_at: datetime,
    ) -> None:
        """IT was contacted; without a channel, the plan's contact rule at occurred_at gives it."""
        self.it_channels.append(channel)
        self._done("it-contacted", occurred_at)

    @step("vendor-contacted")
    def contact_vendor(
        self, vendor: str, reference: str | None, by: Person, occurred_at: datetime
    ) -> None:
        """The vendor is contacted to clarify the scope of the outage and its resolution."""
        self._refuse_if_closed()
        self._vendor_contacted(vendor=vendor, reference=reference, by=by, occurred_at=occurred_at)

    @event("VendorContacted")
    def _vendor_contacted(
        self, vendor: str, reference: str | None, by: Person, occurred_at: datetime
    ) -> None:
        """The vendor was contacted about scope and resolution."""
        self._done("vendor-contacted", occurred_at)

    @step("alarm-received")
    def receive_alarm(self, source: str, summary: str, by: Person, occurred_at: datetime) -> None:
        """An alarm from the vendor, monitoring or another system about this outage."""
        self._refuse_if_closed()
        self._alarm_received(source=source, summary=summary, by=by, occurred_at=occurred_at)

    @event("AlarmReceived")
    def _alarm_received(
        self, source: str, summary: Annotated[str, Sealed], by: Person, occurred_at: datetime
    ) -> None:
        """An alarm about the outage arrived (vendor, monitoring, another system)."""
        self._done("alarm-received", occurred_at)

    @step("scope-assessed")
    def assess_scope(
        self,
        affected_systems: tuple[str, ...],
        affected_units: tuple[str, ...],
        isolated_to_single_unit: bool,
        severity: Severity | None,
        expected_restoration_at: datetime | None,
        by: Person,
        occurred_at: datetime,
    ) -> None:
        """The scope as now clarified; it replaces the scope first reported."""
        self._refuse_if_closed()
        if isolated_to_single_unit and len(set(affected_units)) != 1:
            raise IsolatedNeedsOneUnit(len(set(affected_units)))
        self.trigger_event(
            self.ScopeAssessed,
            affected_systems=affected_systems,
            affected_units=affected_units,
            isolated_to_single_unit=isolated_to_single_unit,
            severity=severity,
            expected_restoration_at=expected_restoration_at,
            by=by,
            occurred_at=occurred_at,
        )

    class ScopeAssessed(PlanAggregate.Event):
        """The scope was clarified; it replaces the scope first reported."""

        affected_systems: tuple[str, ...]
        affected_units: tuple[str, ...]
        isolated_to_single_unit: bool
        severity: Severity | None
        expected_restoration_at: datetime | None
        by: Person
        occurred_at: datetime

        def apply(self, aggregate: Incident) -> None:
            # A system already restored stays in the record of what was affected.
            aggregate.affected_systems = affected_after(
                aggregate.systems_restored, self.affected_systems
            )
            aggregate.affected_units = in_order(self.affected_units)
            aggregate.isolated_to_single_unit = self.isolated_to_single_unit
            aggregate.severity = self.severity
            aggregate.expected_restoration_at = self.expected_restoration_at
            aggregate._done("scope-assessed", self.occurred_at)

    # -- Ledelse og organisation ---------------------------------------------------------------

    @step("units-notified")
    def notify_units(self, units: tuple[str, ...], by: Person, occurred_at: datetime) -> None:
        """IT informs the affected units of the municipality about the acknowledged fault."""
        self._refuse_if_closed()
        self.trigger_event(self.UnitsNotified, units=units, by=by, occurred_at=occurred_at)

    class UnitsNotified(PlanAggregate.Event):
        """IT informed these units about the acknowledged fault."""

        units: tuple[str, ...]
        by: Person
        occurred_at: datetime

        def apply(self, aggregate: Incident) -> None:
            aggregate.units_notified.update(self.units)
            aggregate._done("units-notified", self.occurred_at)

    @step("workaround-agreed")
    def agree_workaround(
        self,
        unit: str,
        department_leader: Person,
        nearest_leader: Person,
        arrangement: str,
        by: Person,
        occurred_at: datetime,
    ) -> None:
        """For an outage isolated to one unit: how work goes on without IT there."""
        self._refuse_if_closed()
        if not self.isolated_to_single_unit or self.affected_units != [unit]:
            raise WorkaroundNeedsIsolatedOutage(unit)
        self._workaround_agreed(
            unit=unit,
            department_leader=department_leader,
            nearest_leader=nearest_leader,
            arrangement=arrangement,
            by=by,
            occurred_at=occurred_at,
        )

    @event("WorkaroundAgreed")
    def _workaround_agreed(
        self,
        unit: str,
        department_leader: Person,
        nearest_leader: Person,
        arrangement: Annotated[str, Sealed],
        by: Person,
        occurred_at: datetime,
    ) -> None:
        """For an outage isolated to one unit: how work continues without IT."""
        self._done("workaround-agreed", occurred_at)

    # -- Bemanding og udstyr -------------------------------------------------------------------

    @step("staffing-requested")
    def request_staffing(
        self,
        request_id: UUID,
        unit: str,
        extra_staff: int,
        reason: str | None,
        by: Person,
        occurred_at: datetime,
    ) -> None:
        """An affected unit needs extra staff; `request_id` is the event's own id."""
        self._refuse_if_closed()
        self.trigger_event(
            self.StaffingRequested,
            request_id=request_id,
            unit=unit,
            extra_staff=extra_staff,
            reason=reason,
            by=by,
            occurred_at=occurred_at,
        )

    class StaffingRequested(PlanAggregate.Event):
        """A unit needs extra staff."""

        request_id: UUID
        unit: str
        extra_staff: int
        reason: Annotated[str | None, Sealed]
        by: Person
        occurred_at: datetime

        def apply(self, aggregate: Incident) -> None:
            aggregate.staffing[self.request_id] = self.requested(
                aggregate.staffing.get(self.request_id)
            )
            aggregate._done("staffing-requested", self.occurred_at)

        def requested(self, known: StaffingRequest | None) -> StaffingRequest:
            """The request with this step folded in (a decision folded first keeps its grant)."""
            granted = None if known is None else known.granted
            return StaffingRequest(unit=self.unit, requested=self.extra_staff, granted=granted)

    @step("staffing-decided")
    def decide_staffing(
        self, request_event_id: UUID, granted_staff: int, by: Person, occurred_at: datetime
    ) -> None:
        """The nearest leader decides a staffing request."""
        self._refuse_if_closed()
        if request_event_id not in self.staffing:
            raise UnknownStaffingRequest()
        if self.staffing[request_event_id].granted is not None:
            raise StaffingAlreadyDecided()
        self.trigger_event(
            self.StaffingDecided,
            request_event_id=request_event_id,
            granted_staff=granted_staff,
            by=by,
            occurred_at=occurred_at,
        )

    class StaffingDecided(PlanAggregate.Event):
        """The nearest leader decided a staffing request."""

        request_event_id: UUID
        granted_staff: int
        by: Person
        occurred_at: datetime

        def apply(self, aggregate: Incident) -> None:
            aggregate.staffing[self.request_event_id] = self.decided(
                aggregate.staffing.get(self.request_event_id)
            )
            aggregate._done("staffing-decided", self.occurred_at)

        def decided(self, known: StaffingRequest | None) -> StaffingRequest:
            """The request with the nearest leader's grant (folded before the request: unknown
            unit, nothing requested yet)."""
            if known is None:
                return StaffingRequest(unit="", requested=0, granted=self.granted_staff)
            return StaffingRequest(
                unit=known.unit, requested=known.requested, granted=self.granted_staff
            )

    # -- Medicin --------------------------------------------------------------------------------

    @step("doctor-consulted")
    def consult_doctor(
        self, unit: str, doctor: str, outcome: str, by: Person, occurred_at: datetime
    ) -> None:
        """The citizens' doctor is contacted when a unit is in doubt about dosing; a paper
        record says so of its own citizen (`DoctorConsulted`)."""
        self._refuse_if_closed()
        self._doctor_consulted(
            unit=unit, doctor=doctor, outcome=outcome, by=by, occurred_at=occurred_at
        )

    @event("DoctorConsultedForUnit")
    def _doctor_consulted(
        self,
        unit: str,
        doctor: Annotated[str, Sealed],
        outcome: Annotated[str, Sealed],
        by: Person,
        occurred_at: datetime,
    ) -> None:
        """The doctor was contacted about doubt over dosing at a unit, and what was agreed."""
        self._done("doctor-consulted", occurred_at)

    # -- Kommunikation -------------------------------------------------------------------------

    @step("escalation-assessed")
    def assess_escalation(
        self,
        inform_nearest_leader: bool,
        inform_socialchef: bool,
        reason: str,
        by: Person,
        occurred_at: datetime,
    ) -> None:
        """The department leader assesses whether the nearest leader and Socialchef must know."""
        self._refuse_if_closed()
        self.trigger_event(
            self.EscalationAssessed,
            inform_nearest_leader=inform_nearest_leader,
            inform_socialchef=inform_socialchef,
            reason=reason,
            by=by,
            occurred_at=occurred_at,
        )

    class EscalationAssessed(PlanAggregate.Event):
        """The department leader assessed whom to inform."""

        inform_nearest_leader: bool
        inform_socialchef: bool
        reason: Annotated[str, Sealed]
        by: Person
        occurred_at: datetime

        def apply(self, aggregate: Incident) -> None:
            aggregate.escalation = self.escalation
            aggregate._done("escalation-assessed", self.occurred_at)

        @property
        def escalation(self) -> Escalation:
            return Escalation(self.inform_nearest_leader, self.inform_socialchef)

    @step("escalated")
    def escalate(
        self, to_role: EscalationRole, to: Person | None, by: Person, occurred_at: datetime
    ) -> None:
        """The situation is escalated to the nearest leader, the Socialchef or communications."""
        self._refuse_if_closed()
        self.trigger_event(self.Escalated, to_role=to_role, to=to, by=by, occurred_at=occurred_at)

    class Escalated(PlanAggregate.Event):
        """The situation was escalated to a role."""

        to_role: EscalationRole
        to: Person | None
        by: Person
        occurred_at: datetime

        def apply(self, aggregate: Incident) -> None:
            if self.to_role not in aggregate.escalated_to:
                aggregate.escalated_to.append(self.to_role)
            aggregate._done("escalated", self.occurred_at)

    @step("communications-decided")
    def decide_communications(
        self, involve_communications: bool, reason: str, by: Person, occurred_at: datetime
    ) -> None:
        """Leaders decide whether Kommunikationsafdelingen informs partners."""
        self._refuse_if_closed()
        self.trigger_event(
            self.CommunicationsDecided,
            involve_communications=involve_communications,
            reason=reason,
            by=by,
            occurred_at=occurred_at,
        )

    class CommunicationsDecided(PlanAggregate.Event):
        """Leaders decided whether Kommunikationsafdelingen is involved."""

        involve_communications: bool
        reason: Annotated[str, Sealed]
        by: Person
        occurred_at: datetime

        def apply(self, aggregate: Incident) -> None:
            aggregate.involve_communications = self.involve_communications
            aggregate._done("communications-decided", self.occurred_at)

    @step("communication-sent")
    def send_communication(
        self, audience: Audience, channel: str, summary: str, by: Person, occurred_at: datetime
    ) -> None:
        """The units' management informs staff, citizens, relatives or partners."""
        self._refuse_if_closed()
        self.trigger_event(
            self.CommunicationSent,
            audience=audience,
            channel=channel,
            summary=summary,
            by=by,
            occurred_at=occurred_at,
        )

    class CommunicationSent(PlanAggregate.Event):
        """Staff, citizens, relatives or partners were informed."""

        audience: Audience
        channel: str
        summary: Annotated[str, Sealed]
        by: Person
        occurred_at: datetime

        def apply(self, aggregate: Incident) -> None:
            aggregate.audiences_reached.add(self.audience)
            aggregate._done("communication-sent", self.occurred_at)

    @step("note-added")
    def add_note(self, text: str, by: Person, occurred_at: datetime) -> None:
        """A note that keeps the situation picture up to date."""
        self._refuse_if_closed()
        self._note_added(text=text, by=by, occurred_at=occurred_at)

    @event("NoteAdded")
    def _note_added(self, text: Annotated[str, Sealed], by: Person, occurred_at: datetime) -> None:
        """A note for the situation picture."""
        self._done("note-added", occurred_at)

    # -- Restoration and closing ---------------------------------------------------------------

    @step("system-restored")
    def restore(self, system: str, by: Person, occurred_at: datetime) -> None:
        """A system is working again."""
        self._refuse_if_closed()
        if system not in self.affected_systems:
            raise SystemNotAffected(system)
        if system in self.systems_restored:
            raise AlreadyRestored(system)
        self.trigger_event(self.SystemRestored, system=system, by=by, occurred_at=occurred_at)

    class SystemRestored(PlanAggregate.Event):
        """A system works again."""

        system: str
        by: Person
        occurred_at: datetime

        def apply(self, aggregate: Incident) -> None:
            aggregate.systems_restored.append(self.system)
            aggregate._done("system-restored", self.occurred_at)

    @step("restoration-verified")
    def verify_restoration(
        self, unit: str, system: str | None, by: Person, occurred_at: datetime
    ) -> None:
        """A unit confirms that a system (or, without one, every system) works for it again."""
        self._refuse_if_closed()
        if unit not in self.affected_units:
            raise UnitNotAffected(unit)
        if system is not None and system not in self.systems_restored:
            raise SystemNotRestored(system)
        if system is None and self.systems_down:
            raise SystemsStillDown(self.systems_down)
        self.trigger_event(
            self.RestorationVerified, unit=unit, system=system, by=by, occurred_at=occurred_at
        )

    class RestorationVerified(PlanAggregate.Event):
        """A unit confirmed that a system (or, without one, every system) works for it again."""

        unit: str
        system: str | None
        by: Person
        occurred_at: datetime

        def apply(self, aggregate: Incident) -> None:
            aggregate.verified.setdefault(self.unit, set()).add(self.system)
            aggregate._done("restoration-verified", self.occurred_at)

    def close(
        self,
        by: Person,
        occurred_at: datetime,
        waiver_reason: str | None,
        pending_records: int,
        waived_by_leader: bool,
    ) -> None:
        """The outage is over: every system is back, and the paper is in the journal or waived."""
        self._refuse_if_closed()
        if self.systems_down:
            raise SystemsStillDown(self.systems_down)
        if pending_records and waiver_reason is None:
            raise ManualRecordsPending(pending_records)
        if pending_records and not waived_by_leader:
            raise WaiverNeedsLeader()
        self.trigger_event(
            self.Closed,
            by=by,
            occurred_at=occurred_at,
            waiver_reason=waiver_reason if pending_records else None,
            pending_records=pending_records,
        )

    class Closed(PlanAggregate.Event):
        """The outage is over."""

        by: Person
        occurred_at: datetime
        waiver_reason: Annotated[str | None, Sealed]
        pending_records: int

        def apply(self, aggregate: Incident) -> None:
            aggregate.closed_at = self.occurred_at
            aggregate._done("incident-closed", self.occurred_at)

    def correct(
        self,
        corrects_event_id: UUID,
        corrects_type: str | None,
        reason: str,
        correction: dict[str, Any],
        by: Person,
        occurred_at: datetime,
        record: CorrectedRecord | None = None,
    ) -> None:
        """A correction points at the event it corrects; the corrected event stays as it was.
        Correcting a paper record's event names the record, whose citizen's data it is."""
        self._refuse_if_closed()
        if corrects_type is None:
            raise UnknownEvent()
        self._event_corrected(
            corrects_event_id=corrects_event_id,
            corrects_type=corrects_type,
            reason=reason,
            correction=correction,
            by=by,
            occurred_at=occurred_at,
            record_id=None if record is None else record.record_id,
            unit=None if record is None else record.unit,
            citizen_ref=None if record is None else record.citizen_ref,
        )

    @event("EventCorrected")
    def _event_corrected(
        self,
        corrects_event_id: UUID,
        corrects_type: str,
        reason: Annotated[str, Sealed],
        correction: Annotated[dict[str, Any], Sealed],
        by: Person,
        occurred_at: datetime,
        record_id: UUID | None = None,
        unit: str | None = None,
        citizen_ref: Annotated[str | None, DataSubject] = None,
    ) -> None:
        self._done("event-corrected", occurred_at)

    def _refuse_if_closed(self) -> None:
        if self.is_closed:
            raise IncidentClosed()

    def _done(self, step: str, occurred_at: datetime) -> None:
        self.steps.add(step)
        self.last_change_at = max(self.last_change_at, occurred_at)


STREAM_TYPE = "incident"

EVENT_TYPES: dict[str, type[PlanAggregate.Event]] = {
    slug: getattr(Incident, name)
    for slug, name in {
        "incident-detected": "Detected",
        "colleagues-informed": "ColleaguesInformed",
        "leader-informed": "LeaderInformed",
        "it-contacted": "ItContacted",
        "vendor-contacted": "VendorContacted",
        "alarm-received": "AlarmReceived",
        "scope-assessed": "ScopeAssessed",
        "units-notified": "UnitsNotified",
        "escalation-assessed": "EscalationAssessed",
        "escalated": "Escalated",
        "communications-decided": "CommunicationsDecided",
        "workaround-agreed": "WorkaroundAgreed",
        "staffing-requested": "StaffingRequested",
        "staffing-decided": "StaffingDecided",
        "doctor-consulted": "DoctorConsultedForUnit",
        "communication-sent": "CommunicationSent",
        "note-added": "NoteAdded",
        "system-restored": "SystemRestored",
        "restoration-verified": "RestorationVerified",
        "incident-closed": "Closed",
        "event-corrected": "EventCorrected",
    }.items()
}

# The plan's steps in the plan's order: steps done are shown in it.
STEP_ORDER = {slug: i for i, slug in enumerate(EVENT_TYPES)}

# The steps recorded as they come (closing and corrections go through the service): the API's
# step types are derived from these.
STEPS: dict[str, StepDeclaration] = declared_steps(Incident, EVENT_TYPES)
