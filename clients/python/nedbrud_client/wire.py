# Generated from openapi/openapi.json by datamodel-code-generator: do not edit; `uv run nedbrud openapi` writes it.

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeAlias
from uuid import UUID

from msgspec import UNSET, Meta, Struct, UnsetType, field
from nedbrud_client.citizen import CitizenIn


class AccessView(Struct, kw_only=True):
    """
    One look-up of a citizen's identity.
    """

    at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    key_id: str
    role: str
    purpose: str
    citizen_ref: str
    endpoint: str
    outcome: str


AnswerStatus: TypeAlias = Annotated[
    Literal['accepted', 'duplicate', 'refused'],
    Meta(
        description='one event of a batch: taken, taken before, or refused',
        title='AnswerStatus',
    ),
]


Availability: TypeAlias = Annotated[
    Literal['ok', 'unavailable'],
    Meta(description='whether it answers', title='Availability'),
]


class BackEntryFigures(Struct, kw_only=True):
    """
    Back-entry across the outages: records made, entered, voided, pending; how long it took.
    """

    records: int | UnsetType = 0
    entered: int | UnsetType = 0
    voided: int | UnsetType = 0
    pending: int | UnsetType = 0
    completion: float | None | UnsetType = UNSET
    median_hours: float | None | UnsetType = UNSET
    worst_hours: float | None | UnsetType = UNSET


class BurnDownPoint(Struct, kw_only=True):
    """
    How many paper records still waited for the journal at `at`.
    """

    at: datetime
    pending: int


CareStatus: TypeAlias = Annotated[
    Literal['delivered', 'missed', 'partly'],
    Meta(
        description="a visit's help: delivered, partly delivered or missed",
        title='CareStatus',
    ),
]


class CatalogueEntryView(Struct, kw_only=True):
    """
    One of the municipality's systems or units: its slug and its name.
    """

    slug: str
    name: str


class CatalogueView(Struct, kw_only=True):
    """
    The municipality's systems and units, with the names people know them by.
    """

    systems: list[CatalogueEntryView]
    units: list[CatalogueEntryView]


class ChainCheck(Struct, kw_only=True):
    """
    The hash chain, recomputed: `first_bad_position` only when it does not hold.
    """

    ok: bool
    checked: int
    first_bad_position: int | None | UnsetType = UNSET


class ChangeClosed(Struct, kw_only=True):
    """
    An outage closed since the position.
    """

    incident_id: UUID
    title: str
    closed_at: datetime


class ChangeCount(Struct, kw_only=True):
    """
    A count of the incident's paper records that moved: `made`, `entered`, `voided`,
    `pending`.
    """

    incident_id: UUID
    count: str
    before: int
    after: int


class ChangeEscalation(Struct, kw_only=True):
    """
    An escalation since the position.
    """

    incident_id: UUID
    to_role: str


class ChangeOpened(Struct, kw_only=True):
    """
    An outage declared since the position.
    """

    incident_id: UUID
    title: str
    detected_at: datetime


class ChangeRestored(Struct, kw_only=True):
    """
    A system restored since the position.
    """

    incident_id: UUID
    system: str
    restored_at: datetime


class ChangeStatus(Struct, kw_only=True):
    """
    An outage whose status moved since the position.
    """

    incident_id: UUID
    before: str | None
    after: str


Name: TypeAlias = Annotated[
    str, Meta(max_length=200, min_length=1, pattern='^[^\\x00]*$')
]


class CitizenByCpr(Struct, kw_only=True):
    """
    CitizenIn with `cpr`, and `name` if given
    """

    cpr: Annotated[
        str,
        Meta(
            description='CPR number, DDMMYY-XXXX',
            pattern='^(?:(?:0[1-9]|[12][0-9])(?:0[1-9]|1[0-2])|30(?:0[13-9]|1[0-2])|31(?:0[13578]|1[02]))[0-9]{2}-?[0-9]{4}$',
        ),
    ]
    name: Name | None | UnsetType = UNSET


class CitizenByRef(Struct, kw_only=True):
    """
    CitizenIn with `ref`, and `name` if given
    """

    ref: Annotated[
        str, Meta(description='an opaque citizen_ref', pattern='^cit_[a-z2-7]{24}$')
    ]
    name: Name | None | UnsetType = UNSET


class ClosingView(Struct, kw_only=True):
    """
    Whether the incident may close now, and what stands in the way.
    """

    may_close: bool
    may_close_with_waiver: bool
    systems_down: list[str]
    pending_records: int


class CloudEvent(Struct, kw_only=True):
    """
    A CloudEvents 1.0 event in structured mode.
    """

    specversion: Literal['1.0']
    id: Annotated[str, Meta(max_length=200, min_length=1)]
    source: Annotated[str, Meta(max_length=500, min_length=1)]
    type: Literal['dk.nedbrud.alarm-received', 'dk.nedbrud.care-delivered', 'dk.nedbrud.colleagues-informed', 'dk.nedbrud.communication-sent', 'dk.nedbrud.communications-decided', 'dk.nedbrud.doctor-consulted', 'dk.nedbrud.entered-in-journal', 'dk.nedbrud.escalated', 'dk.nedbrud.escalation-assessed', 'dk.nedbrud.event-corrected', 'dk.nedbrud.incident-closed', 'dk.nedbrud.incident.detected', 'dk.nedbrud.it-contacted', 'dk.nedbrud.leader-informed', 'dk.nedbrud.medication-dispensed', 'dk.nedbrud.medication-list-printed', 'dk.nedbrud.note-added', 'dk.nedbrud.record-voided', 'dk.nedbrud.restoration-verified', 'dk.nedbrud.scope-assessed', 'dk.nedbrud.staffing-decided', 'dk.nedbrud.staffing-requested', 'dk.nedbrud.system-restored', 'dk.nedbrud.units-notified', 'dk.nedbrud.vendor-contacted', 'dk.nedbrud.workaround-agreed']
    data: Annotated[
        dict[str, Any],
        Meta(description='the body of the REST operation that `type` names'),
    ]
    subject: str | None | UnsetType = UNSET
    time: datetime | None | UnsetType = UNSET
    datacontenttype: str | None | UnsetType = UNSET


ContactChannel: TypeAlias = Annotated[
    Literal['beredskab', 'it-vagt', 'service-desk'],
    Meta(
        description='whom the plan says to call: the on-call IT (it-vagt), the service desk or beredskab',
        title='ContactChannel',
    ),
]


class ContactLineView(Struct, kw_only=True):
    """
    One line of the plan's contact list: whom to call, how, and when.
    """

    channel: str
    label: str
    phone: str
    note: str
    hours: dict[str, list[str]]


class ContactNow(Struct, kw_only=True):
    """
    Ring nu til: the channel, its number, the rule that gave it, and until when it holds.
    """

    channel: ContactChannel
    phone: str
    label: str
    rule: str
    valid_from: datetime | None
    valid_until: datetime | None
    plan_version: int
    day_kind: Literal['holiday', 'weekday', 'weekend']
    holiday: str | None
    at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]


class Counts(Struct, kw_only=True):
    """
    How many occurrences are in each state; `overdue` includes `overdue_vital`.
    """

    upcoming: int
    due: int
    overdue: int
    overdue_vital: int
    given: int
    missed: int


AffectedSystem: TypeAlias = Annotated[
    str,
    Meta(
        description='lowercase ASCII slug',
        max_length=100,
        min_length=1,
        pattern='^[a-z0-9][a-z0-9._-]*$',
    ),
]


AffectedUnit: TypeAlias = Annotated[
    str,
    Meta(
        description='lowercase ASCII slug',
        max_length=100,
        min_length=1,
        pattern='^[a-z0-9][a-z0-9._-]*$',
    ),
]


Description: TypeAlias = Annotated[
    str, Meta(max_length=4000, min_length=1, pattern='^[^\\x00]*$')
]


DeliveryStatus: TypeAlias = Annotated[
    Literal['delivered', 'failed', 'pending'],
    Meta(
        description='a webhook delivery: still being tried, delivered, or given up',
        title='DeliveryStatus',
    ),
]


class DeliveryView(Struct, kw_only=True):
    """
    One event sent (or being sent) to a webhook, and what the receiver answered.
    """

    delivery_id: int
    position: int
    event_id: UUID
    status: DeliveryStatus
    attempts: int
    first_attempt_at: datetime | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    response_status: int | None
    error: str | None


class DoctorConsultedIn(Struct, kw_only=True):
    """
    The citizen's doctor, contacted because of doubt about the dose, and the outcome.
    """

    doctor: Annotated[str, Meta(max_length=200, min_length=1, pattern='^[^\\x00]*$')]
    outcome: Annotated[str, Meta(max_length=4000, min_length=1, pattern='^[^\\x00]*$')]


class EmergencyListKept(Struct, kw_only=True):
    """
    The receipt of a new version of a unit's emergency list (nødliste).
    """

    event_id: UUID
    stream_id: UUID
    version: int
    position: int
    recorded_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    hash: str
    list_version: int


class EmergencyListReadiness(Struct, kw_only=True):
    """
    The unit's emergency list (nødliste) in nedbrud: its version, its date, its age.
    """

    list_version: int
    list_as_of: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    kept_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    age_days: float
    stale: bool


class FhirBundleEntry(Struct, kw_only=True):
    """
    One resource of the bundle, named by its urn:uuid.
    """

    fullUrl: str
    resource: dict[str, Any]


class FieldError(Struct, kw_only=True):
    """
    One invalid field: its JSON path and what is wrong with it.
    """

    field_: str = field(name='field')
    message: str


class FormFieldView(Struct, kw_only=True):
    """
    One field of a step's form: its name in the body, the input it takes, its label.
    """

    name: str
    kind: Literal['choice', 'count', 'free-text', 'person', 'staffing-request', 'system', 'systems', 'text', 'time', 'unit', 'units', 'yes-no']
    label: str
    required: bool
    choices: list[str]
    minimum: int | None
    name_label: str | None


class Health(Struct, kw_only=True):
    """
    Whether the service, and its database, answer.
    """

    status: Availability
    database: Availability | None | UnsetType = UNSET


class HolidaysView(Struct, kw_only=True):
    """
    Which public holidays the plan's hours follow, and the extra dates.
    """

    follow: str
    observed: list[str]
    extra_dates: list[date]


class HourPaper(Struct, kw_only=True):
    """
    The paper records made in one hour (from `hour`, UTC), in all and per unit.
    """

    hour: datetime
    count: int
    by_unit: dict[str, int]


WaiverReason: TypeAlias = Annotated[
    str, Meta(max_length=4000, min_length=1, pattern='^[^\\x00]*$')
]


class IncidentDeclared(Struct, kw_only=True):
    """
    The receipt of a declared incident, with the incident's id.
    """

    event_id: UUID
    stream_id: UUID
    version: int
    position: int
    recorded_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    hash: str
    incident_id: UUID


IncidentStatus: TypeAlias = Annotated[
    Literal['closed', 'open', 'partly-restored', 'restored'],
    Meta(
        description='open, partly restored (some systems back), restored (all back) or closed',
        title='IncidentStatus',
    ),
]


IncludeClosed: TypeAlias = Annotated[
    Literal['closed'],
    Meta(description='closed: the closed incidents too', title='IncludeClosed'),
]


Reference: TypeAlias = Annotated[
    str, Meta(max_length=200, min_length=1, pattern='^[^\\x00]*$')
]


JournalReference: TypeAlias = Annotated[
    str, Meta(max_length=200, min_length=1, pattern='^[^\\x00]*$')
]


Unit: TypeAlias = Annotated[
    str,
    Meta(
        description='lowercase ASCII slug',
        max_length=100,
        min_length=1,
        pattern='^[a-z0-9][a-z0-9._-]*$',
    ),
]


Units: TypeAlias = Annotated[list[Unit], Meta(max_length=500, min_length=1)]


class LineFigures(Struct, kw_only=True):
    """
    One line of the plan across the outages.
    """

    number: int
    section: str
    text: str
    target_minutes: int | None | UnsetType = UNSET
    outages: int | UnsetType = 0
    done: int | UnsetType = 0
    late: int | UnsetType = 0
    median_minutes: float | None | UnsetType = UNSET
    worst_minutes: float | None | UnsetType = UNSET
    worst_incident_id: UUID | None | UnsetType = UNSET


VitalNeeds: TypeAlias = Annotated[
    str, Meta(max_length=4000, min_length=1, pattern='^[^\\x00]*$')
]


Time: TypeAlias = Annotated[
    str, Meta(description='local wall-clock time HH:MM', max_length=5)
]


Service: TypeAlias = Annotated[
    str, Meta(max_length=200, min_length=1, pattern='^[^\\x00]*$')
]


ListItemKind: TypeAlias = Annotated[
    Literal['care', 'medication'],
    Meta(description="an emergency list item's kind", title='ListItemKind'),
]


class ListMedicationView(Struct, kw_only=True):
    """
    A medication as the emergency list gives it.
    """

    name: str
    dose: str
    strength: str | None | UnsetType = UNSET
    route: str | None | UnsetType = UNSET


Strength: TypeAlias = Annotated[
    str, Meta(max_length=200, min_length=1, pattern='^[^\\x00]*$')
]


Route: TypeAlias = Annotated[
    str, Meta(max_length=200, min_length=1, pattern='^[^\\x00]*$')
]


class MedicationIn(Struct, kw_only=True):
    """
    As on the printed medication list.
    """

    name: Annotated[str, Meta(max_length=200, min_length=1, pattern='^[^\\x00]*$')]
    dose: Annotated[str, Meta(max_length=200, min_length=1, pattern='^[^\\x00]*$')]
    strength: Strength | None | UnsetType = UNSET
    route: Route | None | UnsetType = UNSET


Mode: TypeAlias = Annotated[
    Literal['actual', 'exercise'],
    Meta(description='actual incidents, or exercise: the drills', title='Mode'),
]


class OccurrenceIssue(Struct, kw_only=True):
    """
    A vital occurrence that went wrong: given late, missed, or waived (citizen_ref only).
    """

    occurrence_id: UUID
    citizen_ref: str
    item_id: str
    kind: str
    due_at: datetime
    due_until: datetime
    outcome: str
    accounted_at: datetime | None | UnsetType = UNSET


OccurrenceStatus: TypeAlias = Annotated[
    Literal['due', 'given', 'missed', 'overdue', 'upcoming'],
    Meta(
        description='a time on the emergency list: not yet due, due, overdue, given or missed',
        title='OccurrenceStatus',
    ),
]


class OccurrenceView(Struct, kw_only=True):
    """
    One line of the round. `summary` is the medication and dose (personal: only with a
    purpose, else the kind alone) or the help.
    """

    occurrence_id: UUID
    citizen_ref: str
    item_id: str
    kind: ListItemKind
    summary: str
    vital: bool
    due_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    due_from: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    due_until: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    status: OccurrenceStatus
    record_id: UUID | None | UnsetType = UNSET
    citizen_name: str | None | UnsetType = UNSET


class OutstandingStepView(Struct, kw_only=True):
    """
    A step the plan still asks for, with the plan line that asks for it.
    """

    step: str
    label: str
    plan_line: str | None | UnsetType = UNSET
    unit: str | None | UnsetType = UNSET
    role: str | None | UnsetType = UNSET
    audience: str | None | UnsetType = UNSET


PaperFormat: TypeAlias = Annotated[
    Literal['html', 'pdf'],
    Meta(description='a printable as PDF or as a plain HTML page', title='PaperFormat'),
]


Role1: TypeAlias = Annotated[
    str, Meta(max_length=200, min_length=1, pattern='^[^\\x00]*$')
]


class PersonIn(Struct, kw_only=True):
    """
    Who did it: an employee id, optionally a name and a role.
    """

    id: Annotated[str, Meta(max_length=200, min_length=1, pattern='^[^\\x00]*$')]
    name: Name | None | UnsetType = UNSET
    role: Role1 | None | UnsetType = UNSET


class PersonView(Struct, kw_only=True):
    """
    Who did it: their id, and their name and role where the reader may see them.
    """

    id: str
    name: str | None | UnsetType = UNSET
    role: str | None | UnsetType = UNSET


class PlanLineView(Struct, kw_only=True):
    """
    One line of the response plan and the event types that record it.
    """

    section: str
    text: str
    steps: list[str]
    target_minutes: int | None | UnsetType = UNSET


class PlanView(Struct, kw_only=True):
    """
    The response plan in force (indsatsplan), as data.
    """

    version: int
    title: str
    written: str
    written_by: str
    approved_on: date
    approved_by: str
    timezone: str
    contacts: list[ContactLineView]
    fallback: ContactLineView
    holidays: HolidaysView
    roles: dict[str, str]
    lines: list[PlanLineView]
    steps: dict[str, str]
    catalogue: CatalogueView
    forms: dict[str, list[FormFieldView]]


class Problem(Struct, kw_only=True):
    """
    RFC 9457 problem details.
    """

    type: str
    title: str
    status: int
    detail: str | None | UnsetType = UNSET
    errors: list[FieldError] | None | UnsetType = UNSET
    correlation_id: str | None | UnsetType = UNSET
    request_id: str | None | UnsetType = UNSET
    given_record_id: UUID | None | UnsetType = UNSET
    given_at: datetime | None | UnsetType = UNSET


Purpose: TypeAlias = Annotated[
    Literal['audit', 'back-entry', 'treatment'],
    Meta(
        description="why a citizen's name and CPR number are shown (the access log records it)",
        title='Purpose',
    ),
]


class ReadinessView(Struct, kw_only=True):
    """
    A unit's printed medication list: when it was printed, how old its contents are; and
    its emergency list in nedbrud (`emergency_list` null: the unit keeps none).
    """

    unit: str
    list_printed_at: datetime | None
    list_as_of: datetime | None
    printed_by: str | None
    age_days: float | None
    stale: bool
    max_age_days: int
    emergency_list: EmergencyListReadiness | None | UnsetType = UNSET


class Receipt(Struct, kw_only=True):
    """
    Where the store put the event, and the hash that chains it into the log.
    """

    event_id: UUID
    stream_id: UUID
    version: int
    position: int
    recorded_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    hash: str


Note: TypeAlias = Annotated[
    str, Meta(max_length=4000, min_length=1, pattern='^[^\\x00]*$')
]


class RecordCareDelivery(Struct, kw_only=True):
    """
    A visit for the citizen's assessed help (visiteret hjælp): delivered, partly or missed.
    """

    service: Annotated[str, Meta(max_length=200, min_length=1, pattern='^[^\\x00]*$')]
    status: CareStatus
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    citizen: CitizenIn
    unit: Annotated[
        str,
        Meta(
            description='lowercase ASCII slug',
            max_length=100,
            min_length=1,
            pattern='^[a-z0-9][a-z0-9._-]*$',
        ),
    ]
    by: PersonIn
    occurrence_id: UUID | None | UnsetType = UNSET
    note: Note | None | UnsetType = UNSET
    mode: Mode | None | UnsetType = UNSET


class RecordCounts(Struct, kw_only=True):
    """
    Manual records by their way into the journal.
    """

    pending: int
    entered: int
    voided: int


class RecordCreated(Struct, kw_only=True):
    """
    The receipt of a paper record, with its id and the citizen's citizen_ref.
    """

    event_id: UUID
    stream_id: UUID
    version: int
    position: int
    recorded_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    hash: str
    record_id: UUID
    citizen_ref: str


RecordKind: TypeAlias = Annotated[
    Literal['care-delivery', 'medication-dispensing'],
    Meta(description="a paper record's kind", title='RecordKind'),
]


Reason: TypeAlias = Annotated[
    str, Meta(max_length=4000, min_length=1, pattern='^[^\\x00]*$')
]


class RecordMedicationDispensing(Struct, kw_only=True):
    """
    Medication dispensed and recorded on paper during the outage.
    """

    medication: MedicationIn
    dispensed_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    citizen: CitizenIn
    unit: Annotated[
        str,
        Meta(
            description='lowercase ASCII slug',
            max_length=100,
            min_length=1,
            pattern='^[a-z0-9][a-z0-9._-]*$',
        ),
    ]
    by: PersonIn
    source_list_printed_at: datetime | None | UnsetType = UNSET
    doctor_consulted: DoctorConsultedIn | None | UnsetType = UNSET
    occurrence_id: UUID | None | UnsetType = UNSET
    outcome: Literal['given', 'not-given', 'refused'] | UnsetType = 'given'
    reason: Reason | None | UnsetType = UNSET
    confirm_repeat: bool | UnsetType = False
    note: Note | None | UnsetType = UNSET
    mode: Mode | None | UnsetType = UNSET


RecordStatus: TypeAlias = Annotated[
    Literal['entered', 'pending', 'voided'],
    Meta(
        description='where a paper record is on its way into the journal',
        title='RecordStatus',
    ),
]


class ReplayStarted(Struct, kw_only=True):
    """
    The webhook will be sent every event it wants again, from this position on.
    """

    webhook_id: UUID
    from_position: int


ReportFormat: TypeAlias = Annotated[
    Literal['json', 'pdf'],
    Meta(
        description='a report as JSON or as PDF with its charts', title='ReportFormat'
    ),
]


System: TypeAlias = Annotated[
    str,
    Meta(
        description='lowercase ASCII slug',
        max_length=100,
        min_length=1,
        pattern='^[a-z0-9][a-z0-9._-]*$',
    ),
]


class RestorationVerifiedIn(Struct, kw_only=True, tag_field='type', tag='restoration-verified'):
    """
    A unit confirmed that a system (or, without one, every system) works for it again.
    """

    unit: Annotated[
        str,
        Meta(
            description='lowercase ASCII slug',
            max_length=100,
            min_length=1,
            pattern='^[a-z0-9][a-z0-9._-]*$',
        ),
    ]
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    system: System | None | UnsetType = UNSET
    mode: Mode | None | UnsetType = UNSET


Role: TypeAlias = Annotated[
    Literal['admin', 'auditor', 'it', 'leader', 'reporter', 'staff'],
    Meta(description='what a key may do', title='Role'),
]


class RoundsFigures(Struct, kw_only=True):
    """
    Vital occurrences across the outages: in all, given late, missed and waived.
    """

    vital: int | UnsetType = 0
    vital_given_late: int | UnsetType = 0
    vital_missed: int | UnsetType = 0
    vital_waived: int | UnsetType = 0


class RoundsView(Struct, kw_only=True):
    """
    Runden: the unit's occurrences during the incident, vital overdue first.
    """

    incident_id: UUID
    unit: str
    at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    list_version: int
    counts: Counts
    occurrences: list[OccurrenceView]


Severity: TypeAlias = Annotated[
    Literal['critical', 'high', 'low', 'medium'],
    Meta(description='how bad the outage is', title='Severity'),
]


class SituationChanges(Struct, kw_only=True):
    """
    Ændringer siden sidste situationsbillede.
    """

    opened: list[ChangeOpened] | UnsetType = field(default_factory=list)
    closed: list[ChangeClosed] | UnsetType = field(default_factory=list)
    systems_restored: list[ChangeRestored] | UnsetType = field(default_factory=list)
    escalations: list[ChangeEscalation] | UnsetType = field(default_factory=list)
    statuses: list[ChangeStatus] | UnsetType = field(default_factory=list)
    counts: list[ChangeCount] | UnsetType = field(default_factory=list)


class StaffingDecidedIn(Struct, kw_only=True, tag_field='type', tag='staffing-decided'):
    """
    The nearest leader decided a staffing request.
    """

    request_event_id: UUID
    granted_staff: Annotated[int, Meta(ge=0, le=10000)]
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    mode: Mode | None | UnsetType = UNSET


class StaffingRequestView(Struct, kw_only=True):
    """
    One request for extra staff at a unit, and what was granted.
    """

    request_event_id: UUID
    unit: str
    requested: int
    granted: int | None


class StaffingRequestedIn(Struct, kw_only=True, tag_field='type', tag='staffing-requested'):
    """
    A unit needs extra staff.
    """

    unit: Annotated[
        str,
        Meta(
            description='lowercase ASCII slug',
            max_length=100,
            min_length=1,
            pattern='^[a-z0-9][a-z0-9._-]*$',
        ),
    ]
    extra_staff: Annotated[int, Meta(ge=1, le=10000)]
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    reason: Reason | None | UnsetType = UNSET
    mode: Mode | None | UnsetType = UNSET


class StaffingView(Struct, kw_only=True):
    """
    Extra staff requested and granted (bemanding).
    """

    requested: int
    granted: int
    undecided: int
    requests: list[StaffingRequestView]


class StepDone(Struct, kw_only=True):
    """
    One step of a plan line: when it was first recorded, and by whom (an employee id).
    """

    step: str
    name: str
    done_at: datetime | None | UnsetType = UNSET
    minutes: float | None | UnsetType = UNSET
    by: str | None | UnsetType = UNSET


class SummaryOutage(Struct, kw_only=True):
    """
    One outage the summary counts: its id, title, detection and status.
    """

    incident_id: UUID
    title: str
    detected_at: datetime
    status: str


class SystemDown(Struct, kw_only=True):
    """
    A system down from the detection until it was restored (`down_to` None: still down).
    """

    system: str
    down_from: datetime
    down_to: datetime | None | UnsetType = UNSET
    minutes: float | None | UnsetType = UNSET


class SystemFigures(Struct, kw_only=True):
    """
    One system across the outages: how often it went down, the median and the worst minutes.
    """

    system: str
    outages: int
    median_minutes: float | None | UnsetType = UNSET
    worst_minutes: float | None | UnsetType = UNSET


class SystemRestoredIn(Struct, kw_only=True, tag_field='type', tag='system-restored'):
    """
    A system works again.
    """

    system: Annotated[
        str,
        Meta(
            description='lowercase ASCII slug',
            max_length=100,
            min_length=1,
            pattern='^[a-z0-9][a-z0-9._-]*$',
        ),
    ]
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    mode: Mode | None | UnsetType = UNSET


class TimelineEntry(Struct, kw_only=True):
    """
    One event of an incident's timeline.
    """

    event_id: UUID
    type: str
    occurred_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    recorded_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    position: int
    version: int
    stream_id: UUID
    by: PersonView | None
    data: dict[str, Any]
    summary: str | None | UnsetType = UNSET


TimelineFormat: TypeAlias = Annotated[
    Literal['csv', 'json'],
    Meta(description='the timeline as JSON or as CSV', title='TimelineFormat'),
]


class UnitPaper(Struct, kw_only=True):
    """
    One unit's paper records (manuelle registreringer): made, entered, voided, pending.
    """

    unit: str
    made: int | UnsetType = 0
    entered: int | UnsetType = 0
    voided: int | UnsetType = 0
    pending: int | UnsetType = 0


class UnitRoundsReport(Struct, kw_only=True):
    """
    Runden for one unit over the outage: counts, and each vital occurrence that went wrong.
    """

    unit: str
    list_version: int
    occurrences: int | UnsetType = 0
    given: int | UnsetType = 0
    given_late: int | UnsetType = 0
    missed: int | UnsetType = 0
    waived: int | UnsetType = 0
    overdue: int | UnsetType = 0
    vital: int | UnsetType = 0
    vital_given: int | UnsetType = 0
    vital_given_late: int | UnsetType = 0
    vital_missed: int | UnsetType = 0
    vital_waived: int | UnsetType = 0
    vital_overdue: int | UnsetType = 0
    vital_issues: list[OccurrenceIssue] | UnsetType = field(default_factory=list)


class UnitsNotifiedIn(Struct, kw_only=True, tag_field='type', tag='units-notified'):
    """
    IT informed these units about the acknowledged fault.
    """

    units: Annotated[list[Unit], Meta(max_length=500, min_length=1)]
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    mode: Mode | None | UnsetType = UNSET


class VendorContactedIn(Struct, kw_only=True, tag_field='type', tag='vendor-contacted'):
    """
    The vendor was contacted about scope and resolution.
    """

    vendor: Annotated[str, Meta(max_length=200, min_length=1, pattern='^[^\\x00]*$')]
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    reference: Reference | None | UnsetType = UNSET
    mode: Mode | None | UnsetType = UNSET


class VoidIn(Struct, kw_only=True):
    """
    The paper record was made in error and will not be entered.
    """

    by: PersonIn
    reason: Annotated[str, Meta(max_length=4000, min_length=1, pattern='^[^\\x00]*$')]
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    mode: Mode | None | UnsetType = UNSET


class WebhookCreated(Struct, kw_only=True):
    """
    A webhook just registered, with its signing secret (shown this once).
    """

    webhook_id: UUID
    url: str
    event_types: list[str]
    mode: str
    units: list[str] | None
    created_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    position: int
    secret: str


Units1Item: TypeAlias = Annotated[
    str,
    Meta(
        description='lowercase ASCII slug',
        max_length=100,
        min_length=1,
        pattern='^[a-z0-9][a-z0-9._-]*$',
    ),
]


Units1: TypeAlias = Annotated[list[Units1Item], Meta(max_length=500, min_length=1)]


class WebhookIn(Struct, kw_only=True):
    """
    A new subscriber: where to post and which events (`*`: all).
    """

    url: Annotated[
        str,
        Meta(
            description='http(s); a host with a private or loopback address is refused unless NEDBRUD_WEBHOOK_ALLOW_PRIVATE=1',
            max_length=2000,
            pattern='^https?://[^\\x00-\\x20\\x7f/?#@]+(?:[/?#][^\\x00-\\x20\\x7f]*)?$',
        ),
    ]
    event_types: Annotated[
        list[Literal['*', 'alarm-received', 'care-delivered', 'colleagues-informed', 'communication-sent', 'communications-decided', 'doctor-consulted', 'emergency-list-published', 'emergency-list-replaced', 'entered-in-journal', 'escalated', 'escalation-assessed', 'event-corrected', 'incident-closed', 'incident-detected', 'it-contacted', 'leader-informed', 'medication-dispensed', 'medication-list-printed', 'note-added', 'record-voided', 'restoration-verified', 'scope-assessed', 'staffing-decided', 'staffing-requested', 'system-restored', 'unit-registered', 'units-notified', 'vendor-contacted', 'workaround-agreed']],
        Meta(max_length=100, min_length=1),
    ]
    mode: Mode | UnsetType = 'actual'
    units: Units1 | None | UnsetType = UNSET


class WebhookView(Struct, kw_only=True):
    """
    A webhook, without its secret: what it receives and how far it has got.
    """

    webhook_id: UUID
    url: str
    event_types: list[str]
    mode: str
    units: list[str] | None
    created_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    position: int


Weekday: TypeAlias = Annotated[
    Literal['fri', 'mon', 'sat', 'sun', 'thu', 'tue', 'wed'],
    Meta(description='a day of the week', title='Weekday'),
]


class WorkaroundAgreedIn(Struct, kw_only=True, tag_field='type', tag='workaround-agreed'):
    """
    For an outage isolated to one unit: how work continues without IT.
    """

    unit: Annotated[
        str,
        Meta(
            description='lowercase ASCII slug',
            max_length=100,
            min_length=1,
            pattern='^[a-z0-9][a-z0-9._-]*$',
        ),
    ]
    department_leader: PersonIn
    nearest_leader: PersonIn
    arrangement: Annotated[
        str, Meta(max_length=4000, min_length=1, pattern='^[^\\x00]*$')
    ]
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    mode: Mode | None | UnsetType = UNSET


GetIncidentTimelineResponse: TypeAlias = list[TimelineEntry]


GetReadinessResponse: TypeAlias = list[ReadinessView]


By: TypeAlias = Annotated[
    str, Meta(description='text/csv only: who keeps it', max_length=200)
]


By1: TypeAlias = Annotated[
    str, Meta(description='who prints (employee id)', max_length=200)
]


ListAccessLogResponse: TypeAlias = list[AccessView]


Unit2: TypeAlias = Annotated[str, Meta(pattern='^[a-z0-9][a-z0-9._-]*$')]


CitizenRef: TypeAlias = Annotated[str, Meta(pattern='^cit_[a-z2-7]{24}$')]


PostCloudEventsRequest: TypeAlias = Annotated[
    list[Any], Meta(max_length=100, min_length=1)
]


ListWebhooksResponse: TypeAlias = list[WebhookView]


ListWebhookDeliveriesResponse: TypeAlias = list[DeliveryView]


class AlarmReceivedIn(Struct, kw_only=True, tag_field='type', tag='alarm-received'):
    """
    An alarm about the outage arrived (vendor, monitoring, another system).
    """

    source: Annotated[str, Meta(max_length=200, min_length=1, pattern='^[^\\x00]*$')]
    summary: Annotated[str, Meta(max_length=4000, min_length=1, pattern='^[^\\x00]*$')]
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    mode: Mode | None | UnsetType = UNSET


class BackEntry(Struct, kw_only=True):
    """
    Efterregistrering: from the restoration of the last system to the last journal entry.
    """

    restored_at: datetime | None | UnsetType = UNSET
    last_entry_at: datetime | None | UnsetType = UNSET
    hours: float | None | UnsetType = UNSET
    records: int | UnsetType = 0
    entered: int | UnsetType = 0
    voided: int | UnsetType = 0
    pending: int | UnsetType = 0
    completion: float | None | UnsetType = UNSET
    points: list[BurnDownPoint] | UnsetType = field(default_factory=list)


class BackEntryItemView(Struct, kw_only=True):
    """
    One paper record on the back-entry worklist (efterregistrering).
    """

    record_id: UUID
    incident_id: UUID
    kind: RecordKind
    unit: str
    citizen_ref: str
    summary: str
    occurred_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    recorded_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    by: str
    status: RecordStatus
    entered_by: str | None | UnsetType = UNSET
    entered_at: datetime | None | UnsetType = UNSET
    journal_reference: str | None | UnsetType = UNSET
    citizen_name: str | None | UnsetType = UNSET
    citizen_cpr: str | None | UnsetType = UNSET


class ColleaguesInformedIn(Struct, kw_only=True, tag_field='type', tag='colleagues-informed'):
    """
    The employee who learned of the outage informed colleagues.
    """

    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    mode: Mode | None | UnsetType = UNSET


class CommunicationSentIn(Struct, kw_only=True, tag_field='type', tag='communication-sent'):
    """
    Staff, citizens, relatives or partners were informed.
    """

    audience: Literal['citizens', 'partners', 'relatives', 'staff']
    channel: Annotated[str, Meta(max_length=200, min_length=1, pattern='^[^\\x00]*$')]
    summary: Annotated[str, Meta(max_length=4000, min_length=1, pattern='^[^\\x00]*$')]
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    mode: Mode | None | UnsetType = UNSET


class CommunicationsDecidedIn(Struct, kw_only=True, tag_field='type', tag='communications-decided'):
    """
    Leaders decided whether Kommunikationsafdelingen is involved.
    """

    involve_communications: bool
    reason: Annotated[str, Meta(max_length=4000, min_length=1, pattern='^[^\\x00]*$')]
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    mode: Mode | None | UnsetType = UNSET


class DeclareIncident(Struct, kw_only=True):
    """
    An outage is declared (detected).
    """

    title: Annotated[str, Meta(max_length=200, min_length=1, pattern='^[^\\x00]*$')]
    detected_via: Literal['employee', 'external-system', 'monitoring', 'vendor']
    reported_by: PersonIn
    affected_systems: Annotated[
        list[AffectedSystem], Meta(max_length=100, min_length=1)
    ]
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    affected_units: Annotated[list[AffectedUnit], Meta(max_length=500)] | UnsetType = (
        field(default_factory=list)
    )
    description: Description | None | UnsetType = UNSET
    mode: Mode | UnsetType = 'actual'


class DoctorConsultedForUnitIn(Struct, kw_only=True, tag_field='type', tag='doctor-consulted'):
    """
    The doctor was contacted about doubt over dosing at a unit, and what was agreed.
    """

    unit: Annotated[
        str,
        Meta(
            description='lowercase ASCII slug',
            max_length=100,
            min_length=1,
            pattern='^[a-z0-9][a-z0-9._-]*$',
        ),
    ]
    doctor: Annotated[str, Meta(max_length=4000, min_length=1, pattern='^[^\\x00]*$')]
    outcome: Annotated[str, Meta(max_length=4000, min_length=1, pattern='^[^\\x00]*$')]
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    mode: Mode | None | UnsetType = UNSET


class EscalatedIn(Struct, kw_only=True, tag_field='type', tag='escalated'):
    """
    The situation was escalated to a role.
    """

    to_role: Literal['kommunikationsafdeling', 'naermeste-leder', 'socialchef']
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    to: PersonIn | None | UnsetType = UNSET
    mode: Mode | None | UnsetType = UNSET


class EscalationAssessedIn(Struct, kw_only=True, tag_field='type', tag='escalation-assessed'):
    """
    The department leader assessed whom to inform.
    """

    inform_nearest_leader: bool
    inform_socialchef: bool
    reason: Annotated[str, Meta(max_length=4000, min_length=1, pattern='^[^\\x00]*$')]
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    mode: Mode | None | UnsetType = UNSET


class EventAnswer(Struct, kw_only=True):
    """
    One event's answer in a batch: accepted, duplicate (answered before) or refused.
    """

    id: str | None
    source: str | None
    status: AnswerStatus
    http_status: int
    receipt: Receipt | None | UnsetType = UNSET
    problem: Problem | None | UnsetType = UNSET


class EventCorrectedIn(Struct, kw_only=True, tag_field='type', tag='event-corrected'):
    """
    A correction of an earlier event of this incident or its manual records.
    """

    corrects_event_id: UUID
    reason: Annotated[str, Meta(max_length=4000, min_length=1, pattern='^[^\\x00]*$')]
    correction: dict[str, Any]
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    mode: Mode | None | UnsetType = UNSET


class EventView(Struct, kw_only=True):
    """
    One event of the global feed: its place in the log and its plain payload (never the
    sealed part).
    """

    position: int
    event_id: UUID
    stream_id: UUID
    stream_type: str
    version: int
    type: str
    occurred_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    recorded_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    actor: str | None
    source: str | None
    correlation_id: UUID | None
    causation_id: UUID | None
    mode: Mode
    data: dict[str, Any]
    hash: str


class FhirBundle(Struct, kw_only=True):
    """
    A FHIR R4 Bundle of type collection (hl7.org/fhir/R4/bundle.html): a
    MedicationAdministration per medication record and a Procedure per care record.
    """

    resourceType: Literal['Bundle']
    type: Literal['collection']
    timestamp: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    entry: list[FhirBundleEntry]


class IncidentClosedIn(Struct, kw_only=True, tag_field='type', tag='incident-closed'):
    """
    The outage is over; a waiver is needed while paper records are pending.
    """

    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    waiver_reason: WaiverReason | None | UnsetType = UNSET
    mode: Mode | None | UnsetType = UNSET


class IncidentView(Struct, kw_only=True):
    """
    An incident as the situation picture shows it; `rounds`: each affected unit's rounds
    counts, for the units that keep an emergency list (in the picture and its stream).
    """

    incident_id: UUID
    title: str
    status: IncidentStatus
    detected_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    detected_via: str
    systems_down: list[str]
    systems_restored: list[str]
    affected_units: list[str]
    isolated_to_single_unit: bool | None
    severity: str | None
    expected_restoration_at: datetime | None
    steps_done: list[str]
    steps_outstanding: list[OutstandingStepView]
    escalated_to: list[str]
    staffing: StaffingView
    manual_records: RecordCounts
    closing: ClosingView
    mode: Mode
    version: int
    last_change_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    closed_at: datetime | None
    rounds: dict[str, Counts] | UnsetType = field(default_factory=dict)


class ItContactedIn(Struct, kw_only=True, tag_field='type', tag='it-contacted'):
    """
    IT was contacted; without a channel, the plan's contact rule at occurred_at gives it.
    """

    method: Literal['intranet-case', 'phone']
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    channel: ContactChannel | None | UnsetType = UNSET
    reference: Reference | None | UnsetType = UNSET
    mode: Mode | None | UnsetType = UNSET


class JournalEntriesIn(Struct, kw_only=True):
    """
    Many paper records entered into the journal at once, by one person, under one reference.
    """

    record_ids: Annotated[list[UUID], Meta(max_length=500, min_length=1)]
    by: PersonIn
    entered_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    journal_reference: JournalReference | None | UnsetType = UNSET
    mode: Mode | None | UnsetType = UNSET


class JournalEntryAnswer(Struct, kw_only=True):
    """
    One record's answer: accepted, duplicate (this request's key answered it before) or
    refused with the problem its own journal-entry would get.
    """

    record_id: UUID
    status: AnswerStatus
    http_status: int
    receipt: Receipt | None | UnsetType = UNSET
    problem: Problem | None | UnsetType = UNSET


class JournalEntryIn(Struct, kw_only=True):
    """
    The paper record was entered into the journal.
    """

    by: PersonIn
    entered_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    journal_reference: JournalReference | None | UnsetType = UNSET
    mode: Mode | None | UnsetType = UNSET


class KeyCreated(Struct, kw_only=True):
    """
    The new key: `key` is shown only in this answer; store it now.
    """

    key_id: UUID
    key: str
    role: Role
    units: list[str] | None
    label: str
    created_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]


class KeyIn(Struct, kw_only=True):
    """
    A key to make: its role, who holds it, and optionally the units it may act for.
    """

    role: Role
    label: Annotated[
        str,
        Meta(
            max_length=200,
            min_length=1,
            pattern='^[ \\t\\n\\r\\f\\v]*[^ \\t\\n\\r\\f\\v\\x00][^\\x00]*$',
        ),
    ]
    units: Units | None | UnsetType = UNSET


class KeyView(Struct, kw_only=True):
    """
    A registered key, without its secret.
    """

    key_id: UUID
    role: Role
    units: list[str] | None
    label: str
    created_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    revoked_at: datetime | None
    bootstrap: bool


class LeaderInformedIn(Struct, kw_only=True, tag_field='type', tag='leader-informed'):
    """
    The nearest leader was informed.
    """

    leader: PersonIn
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    mode: Mode | None | UnsetType = UNSET


class LineReport(Struct, kw_only=True):
    """
    A line of the plan (indsatsplanens linje): done when its first step was, or not done.
    """

    number: int
    section: str
    text: str
    steps: list[StepDone]
    target_minutes: int | None | UnsetType = UNSET
    done: bool | UnsetType = False
    done_at: datetime | None | UnsetType = UNSET
    minutes: float | None | UnsetType = UNSET
    by: str | None | UnsetType = UNSET
    late: bool | UnsetType = False


Days: TypeAlias = Annotated[list[Weekday], Meta(max_length=7)]


class ListItemIn(Struct, kw_only=True):
    """
    One thing a citizen is to receive: a medication or a visit of assessed help.
    """

    item_id: Annotated[str, Meta(max_length=200, min_length=1, pattern='^[^\\x00]*$')]
    kind: ListItemKind
    times: Annotated[list[Time], Meta(max_length=48)]
    medication: MedicationIn | None | UnsetType = UNSET
    service: Service | None | UnsetType = UNSET
    days: Days | None | UnsetType = UNSET
    window_minutes: int | UnsetType = 60
    vital: bool | UnsetType = False


class ListItemView(Struct, kw_only=True):
    """
    An item as the reader may see it: its medication or help only with a purpose.
    """

    item_id: str
    kind: ListItemKind
    times: list[str]
    days: list[str]
    window_minutes: int
    vital: bool
    medication: ListMedicationView | None | UnsetType = UNSET
    service: str | None | UnsetType = UNSET


class ManualRecordView(Struct, kw_only=True):
    """
    A paper record and where it is on its way into the journal (no CPR, no name).
    """

    record_id: UUID
    incident_id: UUID
    kind: RecordKind
    unit: str
    citizen_ref: str
    occurred_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    by: str
    status: RecordStatus
    entered_by: str | None
    entered_at: datetime | None
    journal_reference: str | None
    mode: Mode
    version: int
    citizen_name: str | None | UnsetType = UNSET
    citizen_cpr: str | None | UnsetType = UNSET


class MedicationListPrintIn(Struct, kw_only=True):
    """
    The unit's medication list was printed and placed at the unit.
    """

    printed_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    list_as_of: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    mode: Mode | None | UnsetType = UNSET


class NoteAddedIn(Struct, kw_only=True, tag_field='type', tag='note-added'):
    """
    A note for the situation picture.
    """

    text: Annotated[str, Meta(max_length=4000, min_length=1, pattern='^[^\\x00]*$')]
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    mode: Mode | None | UnsetType = UNSET


class OwnKey(Struct, kw_only=True):
    """
    The key asking: its role and the units it may act for (none: every unit).
    """

    key_id: UUID
    role: Role
    units: list[str] | None


class PaperReport(Struct, kw_only=True):
    """
    The outage's paper records, per unit and per hour.
    """

    by_unit: list[UnitPaper]
    by_hour: list[HourPaper]


class ReportSummary(Struct, kw_only=True):
    """
    Evaluering på tværs af nedbrud (one mode: real outages or drills).
    """

    mode: str
    outages: list[SummaryOutage]
    lines: list[LineFigures]
    systems: list[SystemFigures]
    back_entry: BackEntryFigures
    rounds: RoundsFigures


class ScopeAssessedIn(Struct, kw_only=True, tag_field='type', tag='scope-assessed'):
    """
    The scope was clarified; it replaces the scope first reported.
    """

    affected_systems: Annotated[
        list[AffectedSystem], Meta(max_length=100, min_length=1)
    ]
    affected_units: Annotated[list[AffectedUnit], Meta(max_length=500)]
    isolated_to_single_unit: bool
    occurred_at: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    severity: Severity | None | UnsetType = UNSET
    expected_restoration_at: datetime | None | UnsetType = UNSET
    mode: Mode | None | UnsetType = UNSET


class SituationChange(Struct, kw_only=True):
    """
    One change of the picture: the incident as it stands after the event at `position`. A
    change made by a paper record the reader may not see says only that the counts changed.
    """

    position: int
    event_type: str
    incident: IncidentView


class SituationPicture(Struct, kw_only=True):
    """
    Situationsbilledet: whom to call now and every open incident, as of `position`.
    """

    generated_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    position: int
    contact_now: ContactNow
    incidents: list[IncidentView]


class SituationReport(Struct, kw_only=True):
    """
    Situationsrapport: whom to call now, every open incident as of `position`, and the
    changes after `since_position` up to it (ændringer i forhold til tidligere
    situationsbilleder).
    """

    generated_at: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    position: int
    since_position: int
    contact_now: ContactNow
    incidents: list[IncidentView]
    changes: SituationChanges


ListIncidentsResponse: TypeAlias = list[IncidentView]


RecordIncidentStepRequest: TypeAlias = ColleaguesInformedIn | LeaderInformedIn | ItContactedIn | VendorContactedIn | AlarmReceivedIn | ScopeAssessedIn | UnitsNotifiedIn | EscalationAssessedIn | EscalatedIn | CommunicationsDecidedIn | WorkaroundAgreedIn | StaffingRequestedIn | StaffingDecidedIn | DoctorConsultedForUnitIn | CommunicationSentIn | NoteAddedIn | SystemRestoredIn | RestorationVerifiedIn | IncidentClosedIn | EventCorrectedIn


ListBackEntryResponse: TypeAlias = list[BackEntryItemView]


ListEventsResponse: TypeAlias = list[EventView]


ListKeysResponse: TypeAlias = list[KeyView]


class BatchAnswer(Struct, kw_only=True):
    """
    A batch's answer: one per event, in the batch's order.
    """

    results: list[EventAnswer]


class IncidentReport(Struct, kw_only=True):
    """
    Evalueringsrapport: one outage, line by line of the plan, as its events tell it.
    """

    incident_id: UUID
    title: str
    mode: str
    status: str
    plan_version: int
    detected_at: datetime
    closed_at: datetime | None
    at: datetime
    position: int
    units: list[str]
    lines: list[LineReport]
    systems: list[SystemDown]
    paper: PaperReport
    back_entry: BackEntry
    rounds: list[UnitRoundsReport]


class JournalEntriesAnswer(Struct, kw_only=True):
    """
    Each record's answer, in the order of `record_ids`.
    """

    results: list[JournalEntryAnswer]


class ListCitizenIn(Struct, kw_only=True):
    """
    A citizen on the list, what they have vital needs of, and their items.
    """

    citizen: CitizenIn
    items: Annotated[list[ListItemIn], Meta(max_length=5000)]
    vital_needs: VitalNeeds | None | UnsetType = UNSET


class ListCitizenView(Struct, kw_only=True):
    """
    One citizen on the emergency list and the items due for them.
    """

    citizen_ref: str
    items: list[ListItemView]
    citizen_name: str | None | UnsetType = UNSET
    cpr: str | None | UnsetType = UNSET
    vital_needs: str | None | UnsetType = UNSET
    erased: bool | UnsetType = False


PostCloudEventsResponse: TypeAlias = BatchAnswer | Receipt


class EmergencyListIn(Struct, kw_only=True):
    """
    A whole new version of a unit's emergency list (nødliste).
    """

    list_as_of: Annotated[
        datetime,
        Meta(
            description='RFC 3339 with an offset; a time without one, one before 2000 or one in the future is refused'
        ),
    ]
    by: PersonIn
    citizens: Annotated[list[ListCitizenIn], Meta(max_length=500)]


class EmergencyListView(Struct, kw_only=True):
    """
    A unit's current emergency list; names, CPR, needs and medication only with a purpose.
    """

    unit: str
    list_version: int
    list_as_of: Annotated[datetime, Meta(description='RFC 3339, in UTC')]
    citizens: list[ListCitizenView]
