"""The plan's steps on an incident as wire types (a union tagged by `type`), and what each does.

The wire types are the HTTP contract and may grow; the domain's events are stored and may not.
`command` turns one wire step into the aggregate's command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal
from uuid import UUID

from msgspec import Meta, Struct

from domain.base import Audience, EscalationRole, ItMethod, Person, Severity
from domain.incident import Incident
from domain.plan import Contact, Plan
from service.api.schemas import AwareTime, Mode, PersonIn, ShortText, Slug, Text

Units = Annotated[list[Slug], Meta(min_length=1, max_length=500)]
Staff = Annotated[int, Meta(ge=0, le=10_000)]


class StepBase(Struct, forbid_unknown_fields=True, kw_only=True, tag_field="type"):
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class ColleaguesInformedIn(StepBase, tag="colleagues-informed"):
    """The employee who learned of the outage informed colleagues."""


class LeaderInformedIn(StepBase, tag="leader-informed"):
    """The nearest leader was informed."""

    leader: PersonIn


class ItContactedIn(StepBase, tag="it-contacted"):
    """IT was contacted; without a channel, the plan's contact rule at occurred_at gives it."""

    method: Literal["phone", "intranet-case"]
    channel: Literal["service-desk", "it-vagt", "beredskab"] | None = None
    reference: ShortText | None = None


class VendorContactedIn(StepBase, tag="vendor-contacted"):
    """The vendor was contacted about scope and resolution."""

    vendor: ShortText
    reference: ShortText | None = None


class AlarmReceivedIn(StepBase, tag="alarm-received"):
    """An alarm about the outage arrived (vendor, monitoring, another system)."""

    source: ShortText
    summary: Text


class ScopeAssessedIn(StepBase, tag="scope-assessed"):
    """The scope was clarified; it replaces the scope first reported."""

    affected_systems: Annotated[list[Slug], Meta(min_length=1, max_length=100)]
    affected_units: Annotated[list[Slug], Meta(max_length=500)]
    isolated_to_single_unit: bool
    severity: Literal["low", "medium", "high", "critical"] | None = None
    expected_restoration_at: AwareTime | None = None


class UnitsNotifiedIn(StepBase, tag="units-notified"):
    """IT informed these units about the acknowledged fault."""

    units: Units


class EscalationAssessedIn(StepBase, tag="escalation-assessed"):
    """The department leader assessed whom to inform."""

    inform_nearest_leader: bool
    inform_socialchef: bool
    reason: Text


class EscalatedIn(StepBase, tag="escalated"):
    """The situation was escalated to a role."""

    to_role: Literal["naermeste-leder", "socialchef", "kommunikationsafdeling"]
    to: PersonIn | None = None


class CommunicationsDecidedIn(StepBase, tag="communications-decided"):
    """Leaders decided whether Kommunikationsafdelingen is involved."""

    involve_communications: bool
    reason: Text


class WorkaroundAgreedIn(StepBase, tag="workaround-agreed"):
    """For an outage isolated to one unit: how work continues without IT."""

    unit: Slug
    department_leader: PersonIn
    nearest_leader: PersonIn
    arrangement: Text


class StaffingRequestedIn(StepBase, tag="staffing-requested"):
    """A unit needs extra staff."""

    unit: Slug
    extra_staff: Annotated[int, Meta(ge=1, le=10_000)]
    reason: Text | None = None


class StaffingDecidedIn(StepBase, tag="staffing-decided"):
    """The nearest leader decided a staffing request."""

    request_event_id: UUID
    granted_staff: Staff


class CommunicationSentIn(StepBase, tag="communication-sent"):
    """Staff, citizens, relatives or partners were informed."""

    audience: Literal["staff", "citizens", "relatives", "partners"]
    channel: ShortText
    summary: Text


class NoteAddedIn(StepBase, tag="note-added"):
    """A note for the situation picture."""

    text: Text


class SystemRestoredIn(StepBase, tag="system-restored"):
    """A system works again."""

    system: Slug


class RestorationVerifiedIn(StepBase, tag="restoration-verified"):
    """A unit confirmed that a system (or, without one, every system) works for it again."""

    unit: Slug
    system: Slug | None = None


class IncidentClosedIn(StepBase, tag="incident-closed"):
    """The outage is over; a waiver is needed while paper records are pending."""

    waiver_reason: Text | None = None


class EventCorrectedIn(StepBase, tag="event-corrected"):
    """A correction of an earlier event of this incident or its manual records."""

    corrects_event_id: UUID
    reason: Text
    correction: dict[str, Any]


IncidentStep = (
    ColleaguesInformedIn
    | LeaderInformedIn
    | ItContactedIn
    | VendorContactedIn
    | AlarmReceivedIn
    | ScopeAssessedIn
    | UnitsNotifiedIn
    | EscalationAssessedIn
    | EscalatedIn
    | CommunicationsDecidedIn
    | WorkaroundAgreedIn
    | StaffingRequestedIn
    | StaffingDecidedIn
    | CommunicationSentIn
    | NoteAddedIn
    | SystemRestoredIn
    | RestorationVerifiedIn
    | IncidentClosedIn
    | EventCorrectedIn
)


def person(p: PersonIn) -> Person:
    return Person(id=p.id, name=p.name, role=p.role)


def command(step: IncidentStep, event_id: UUID, plan: Plan) -> Callable[[Incident], None]:
    """The incident's command for a wire step (closing and corrections go through the service)."""
    by, at = person(step.by), step.occurred_at
    match step:
        case ColleaguesInformedIn():
            return lambda i: i.inform_colleagues(by, at)
        case LeaderInformedIn(leader=leader):
            return lambda i: i.inform_leader(person(leader), by, at)
        case ItContactedIn(method=method, channel=channel, reference=reference):
            chosen = None if channel is None else Contact(channel)
            return lambda i: i.contact_it(chosen, ItMethod(method), reference, plan, by, at)
        case VendorContactedIn(vendor=vendor, reference=reference):
            return lambda i: i.contact_vendor(vendor, reference, by, at)
        case AlarmReceivedIn(source=source, summary=summary):
            return lambda i: i.receive_alarm(source, summary, by, at)
        case ScopeAssessedIn():
            severity = None if step.severity is None else Severity(step.severity)
            return lambda i: i.assess_scope(
                tuple(step.affected_systems),
                tuple(step.affected_units),
                step.isolated_to_single_unit,
                severity,
                step.expected_restoration_at,
                by,
                at,
            )
        case UnitsNotifiedIn(units=units):
            return lambda i: i.notify_units(tuple(units), by, at)
        case EscalationAssessedIn():
            return lambda i: i.assess_escalation(
                step.inform_nearest_leader, step.inform_socialchef, step.reason, by, at
            )
        case EscalatedIn(to_role=role, to=to):
            target = None if to is None else person(to)
            return lambda i: i.escalate(EscalationRole(role), target, by, at)
        case CommunicationsDecidedIn(involve_communications=involve, reason=why):
            return lambda i: i.decide_communications(involve, why, by, at)
        case WorkaroundAgreedIn():
            return lambda i: i.agree_workaround(
                step.unit,
                person(step.department_leader),
                person(step.nearest_leader),
                step.arrangement,
                by,
                at,
            )
        case StaffingRequestedIn(unit=unit, extra_staff=extra, reason=reason):
            return lambda i: i.request_staffing(event_id, unit, extra, reason, by, at)
        case StaffingDecidedIn(request_event_id=request, granted_staff=granted):
            return lambda i: i.decide_staffing(request, granted, by, at)
        case CommunicationSentIn(audience=audience, channel=channel, summary=summary):
            return lambda i: i.send_communication(Audience(audience), channel, summary, by, at)
        case NoteAddedIn(text=text):
            return lambda i: i.add_note(text, by, at)
        case SystemRestoredIn(system=restored):
            return lambda i: i.restore(restored, by, at)
        case RestorationVerifiedIn(unit=unit, system=system):
            return lambda i: i.verify_restoration(unit, system, by, at)
    raise TypeError(f"{type(step).__name__} is recorded through the incident service")
