"""The wire types of the nedbrud API, as `openapi/openapi.json` describes them.

Each Struct has the name and shape of a schema in the document, with the same limits (lengths,
patterns, closed sets), so a record that the server would refuse is refused here first, before it
is queued in the outbox. `tests/client/test_types_match_openapi.py` fails when these drift from
the document.
"""

from __future__ import annotations

import typing
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from msgspec import Meta, Struct, field

# Each pattern ends in `$(?!\n)`, as the server's do: Python's `$` alone would let a final
# newline through.
ShortText = Annotated[str, Meta(max_length=200, min_length=1, pattern="^[^\\x00]*$")]
LongText = Annotated[str, Meta(max_length=4000, min_length=1, pattern="^[^\\x00]*$")]
Slug = Annotated[str, Meta(max_length=100, min_length=1, pattern="^[a-z0-9][a-z0-9._-]*$(?!\\n)")]
Cpr = Annotated[
    str,
    Meta(
        pattern="^(?:(?:0[1-9]|[12][0-9])(?:0[1-9]|1[0-2])|30(?:0[13-9]|1[0-2])"
        "|31(?:0[13578]|1[02]))[0-9]{2}-?[0-9]{4}$(?!\\n)"
    ),
]
CitizenRef = Annotated[str, Meta(pattern="^cit_[a-z2-7]{24}$(?!\\n)")]
Mode = Literal["actual", "exercise"]
# A time with its offset: a time without one is refused (here and by the server).
AwareTime = Annotated[datetime, Meta(tz=True)]
# A time the service answers with, in UTC: a datetime, as the document says (date-time).
Instant = Annotated[datetime, Meta(tz=True)]
CLOUDEVENT_TYPES = (
    "dk.nedbrud.alarm-received",
    "dk.nedbrud.care-delivered",
    "dk.nedbrud.colleagues-informed",
    "dk.nedbrud.communication-sent",
    "dk.nedbrud.communications-decided",
    "dk.nedbrud.entered-in-journal",
    "dk.nedbrud.escalated",
    "dk.nedbrud.escalation-assessed",
    "dk.nedbrud.event-corrected",
    "dk.nedbrud.incident-closed",
    "dk.nedbrud.incident.detected",
    "dk.nedbrud.it-contacted",
    "dk.nedbrud.leader-informed",
    "dk.nedbrud.medication-dispensed",
    "dk.nedbrud.medication-list-printed",
    "dk.nedbrud.note-added",
    "dk.nedbrud.record-voided",
    "dk.nedbrud.restoration-verified",
    "dk.nedbrud.scope-assessed",
    "dk.nedbrud.staffing-decided",
    "dk.nedbrud.staffing-requested",
    "dk.nedbrud.system-restored",
    "dk.nedbrud.units-notified",
    "dk.nedbrud.vendor-contacted",
    "dk.nedbrud.workaround-agreed",
)


class AccessView(Struct, kw_only=True):
    """One look-up of a citizen's identity."""

    at: Instant
    key_id: str
    role: str
    purpose: str
    citizen_ref: str
    endpoint: str
    outcome: str


class AlarmReceivedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """An alarm about the outage arrived (vendor, monitoring, another system)."""

    type: Literal["alarm-received"]
    source: ShortText
    summary: LongText
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class BackEntryItemView(Struct, kw_only=True):
    """One paper record on the back-entry worklist (efterregistrering)."""

    record_id: UUID
    incident_id: UUID
    kind: Literal["care-delivery", "medication-dispensing"]
    unit: str
    citizen_ref: str
    summary: str
    occurred_at: Instant
    recorded_at: Instant
    by: str
    status: Literal["entered", "pending", "voided"]
    entered_by: str | None = None
    entered_at: Instant | None = None
    journal_reference: str | None = None
    citizen_name: str | None = None
    citizen_cpr: str | None = None


class BatchAnswer(Struct, kw_only=True):
    """A batch's answer: one per event, in the batch's order."""

    results: list[EventAnswer]


class ChainCheck(Struct, kw_only=True):
    """The hash chain, recomputed: `first_bad_position` only when it does not hold."""

    ok: bool
    checked: int
    first_bad_position: int | None = None


class CitizenIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """The citizen: a CPR number (and name), or a citizen_ref given earlier. Never put in a URL."""

    cpr: Cpr | None = None
    name: ShortText | None = None
    ref: CitizenRef | None = None
    one_of: ClassVar[dict[str, tuple[str, ...]]] = {
        "CitizenByCpr": ("cpr", "name"),
        "CitizenByRef": ("ref", "name"),
    }


class ClosingView(Struct, kw_only=True):
    """Whether the incident may close now, and what stands in the way."""

    may_close: bool
    may_close_with_waiver: bool
    systems_down: list[str]
    pending_records: int


class CloudEvent(Struct, kw_only=True):
    """A CloudEvents 1.0 event in structured mode."""

    specversion: Literal["1.0"]
    id: Annotated[str, Meta(max_length=200, min_length=1)]
    source: Annotated[str, Meta(max_length=500, min_length=1)]
    type: Annotated[str, Meta(max_length=200, min_length=1)]
    data: dict[str, Any]
    subject: str | None = None
    time: AwareTime | None = None
    datacontenttype: str | None = None
    json_schema_extra: ClassVar[dict[str, Any]] = {
        "properties": {"type": {"enum": list(CLOUDEVENT_TYPES)}}
    }


class ColleaguesInformedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """The employee who learned of the outage informed colleagues."""

    type: Literal["colleagues-informed"]
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class CommunicationSentIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """Staff, citizens, relatives or partners were informed."""

    type: Literal["communication-sent"]
    audience: Literal["citizens", "partners", "relatives", "staff"]
    channel: ShortText
    summary: LongText
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class CommunicationsDecidedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """Leaders decided whether Kommunikationsafdelingen is involved."""

    type: Literal["communications-decided"]
    involve_communications: bool
    reason: LongText
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class ContactLineView(Struct, kw_only=True):
    """ContactLineView"""

    channel: str
    label: str
    phone: str
    note: str
    hours: dict[str, list[str]]


class ContactNow(Struct, kw_only=True):
    """Ring nu til: the channel, its number, the rule that gave it, and until when it holds."""

    channel: Literal["beredskab", "it-vagt", "service-desk"]
    phone: str
    label: str
    rule: str
    valid_from: Instant | None
    valid_until: Instant | None
    plan_version: int
    day_kind: Literal["holiday", "weekday", "weekend"]
    holiday: str | None
    at: Instant


class DeclareIncident(Struct, forbid_unknown_fields=True, kw_only=True):
    """An outage is declared (detected)."""

    title: ShortText
    detected_via: Literal["employee", "external-system", "monitoring", "vendor"]
    reported_by: PersonIn
    affected_systems: Annotated[list[Slug], Meta(max_length=100, min_length=1)]
    occurred_at: AwareTime
    affected_units: Annotated[list[Slug], Meta(max_length=500)] = []
    description: LongText | None = None
    mode: Mode = "actual"


class DoctorConsultedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """The citizen's doctor, contacted because of doubt about the dose, and the outcome."""

    doctor: ShortText
    outcome: LongText


class EscalatedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """The situation was escalated to a role."""

    type: Literal["escalated"]
    to_role: Literal["kommunikationsafdeling", "naermeste-leder", "socialchef"]
    to: PersonIn | None = None
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class EscalationAssessedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """The department leader assessed whom to inform."""

    type: Literal["escalation-assessed"]
    inform_nearest_leader: bool
    inform_socialchef: bool
    reason: LongText
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class EventAnswer(Struct, kw_only=True):
    """One event's answer in a batch: accepted, duplicate (answered before) or refused."""

    id: str | None
    source: str | None
    status: Literal["accepted", "duplicate", "refused"]
    http_status: int
    receipt: dict[str, Any] | None = None
    problem: dict[str, Any] | None = None

    # Typed in the document: the receipt of the REST operation the event names (with its own
    # fields, such as record_id), or the problem it was refused with.
    json_schema_extra: ClassVar[dict[str, Any]] = {
        "properties": {
            name: {"anyOf": [{"$ref": f"#/components/schemas/{schema}"}, {"type": "null"}]}
            for name, schema in (("receipt", "Receipt"), ("problem", "Problem"))
        }
    }


class EventCorrectedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """A correction of an earlier event of this incident or its manual records."""

    type: Literal["event-corrected"]
    corrects_event_id: UUID
    reason: LongText
    correction: dict[str, Any]
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class EventView(Struct, kw_only=True):
    """One event of the global feed: its place in the log and its plain payload (never the
    sealed part)."""

    position: int
    event_id: UUID
    stream_id: UUID
    stream_type: str
    version: int
    type: str
    occurred_at: Instant
    recorded_at: Instant
    actor: str | None
    source: str | None
    correlation_id: UUID | None
    causation_id: UUID | None
    mode: Mode
    data: dict[str, Any]
    hash: str


class FhirBundleEntry(Struct, kw_only=True):
    """One resource of the bundle, named by its urn:uuid."""

    fullUrl: str
    resource: dict[str, Any]


class FhirBundle(Struct, kw_only=True):
    """A FHIR R4 Bundle of type collection: a MedicationAdministration per medication record
    and a Procedure per care record."""

    resourceType: Literal["Bundle"]
    type: Literal["collection"]
    timestamp: Instant
    entry: list[FhirBundleEntry]


class FieldError(Struct, kw_only=True):
    """FieldError"""

    field: str
    message: str


class Health(Struct, kw_only=True):
    """Health"""

    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unavailable"] | None = None


class HolidaysView(Struct, kw_only=True):
    """HolidaysView"""

    follow: str
    observed: list[str]
    extra_dates: list[date]


class IncidentClosedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """The outage is over; a waiver is needed while paper records are pending."""

    type: Literal["incident-closed"]
    waiver_reason: LongText | None = None
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class IncidentDeclared(Struct, kw_only=True):
    """IncidentDeclared"""

    event_id: UUID
    stream_id: UUID
    version: int
    position: int
    recorded_at: Instant
    hash: str
    incident_id: UUID


class IncidentView(Struct, kw_only=True):
    """An incident as the situation picture shows it."""

    incident_id: UUID
    title: str
    status: Literal["closed", "open", "partly-restored", "restored"]
    detected_at: Instant
    detected_via: str
    systems_down: list[str]
    systems_restored: list[str]
    affected_units: list[str]
    isolated_to_single_unit: bool | None
    severity: str | None
    expected_restoration_at: Instant | None
    steps_done: list[str]
    steps_outstanding: list[OutstandingStepView]
    escalated_to: list[str]
    staffing: StaffingView
    manual_records: RecordCounts
    closing: ClosingView
    mode: Mode
    version: int
    last_change_at: Instant
    closed_at: Instant | None
    rounds: dict[str, Counts] = {}


class ItContactedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """IT was contacted; without a channel, the plan's contact rule at occurred_at gives it."""

    type: Literal["it-contacted"]
    method: Literal["intranet-case", "phone"]
    channel: Literal["beredskab", "it-vagt", "service-desk"] | None = None
    reference: ShortText | None = None
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class JournalEntriesAnswer(Struct, kw_only=True):
    """Each record's answer, in the order of `record_ids`."""

    results: list[JournalEntryAnswer]


class JournalEntriesIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """Many paper records entered into the journal at once, by one person, under one reference."""

    record_ids: Annotated[
        list[UUID], Meta(max_length=500, min_length=1, extra_json_schema={"uniqueItems": True})
    ]
    by: PersonIn
    entered_at: AwareTime
    journal_reference: ShortText | None = None
    mode: Mode | None = None


class JournalEntryAnswer(Struct, kw_only=True):
    """One record's answer: accepted, duplicate (this request's key answered it before) or
    refused with the problem its own journal-entry would get."""

    record_id: UUID
    status: Literal["accepted", "duplicate", "refused"]
    http_status: int
    receipt: Receipt | None = None
    problem: dict[str, Any] | None = None

    # Typed in the document: the problem its own journal-entry would have been refused with.
    json_schema_extra: ClassVar[dict[str, Any]] = {
        "properties": {
            "problem": {"anyOf": [{"$ref": "#/components/schemas/Problem"}, {"type": "null"}]}
        }
    }


class JournalEntryIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """The paper record was entered into the journal."""

    by: PersonIn
    entered_at: AwareTime
    journal_reference: ShortText | None = None
    mode: Mode | None = None


KeyRole = Literal["admin", "auditor", "it", "leader", "reporter", "staff"]
KeyLabel = Annotated[
    str,
    Meta(
        max_length=200,
        min_length=1,
        pattern="^[ \\t\\n\\r\\f\\v]*[^ \\t\\n\\r\\f\\v\\x00][^\\x00]*$(?!\\n)",
    ),
]


class KeyIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """A key to make (admin): its role, who holds it, and optionally its units."""

    role: KeyRole
    label: KeyLabel
    units: Annotated[list[Slug], Meta(max_length=500, min_length=1)] | None = None


class KeyCreated(Struct, kw_only=True):
    """The new key: `key` is shown only in this answer; store it now."""

    key_id: UUID
    key: str
    role: KeyRole
    units: list[str] | None
    label: str
    created_at: Instant


class OwnKey(Struct, kw_only=True):
    """The key asking: its role and the units it may act for (none: every unit)."""

    key_id: UUID
    role: KeyRole
    units: list[str] | None


class KeyView(Struct, kw_only=True):
    """A registered key, without its secret."""

    key_id: UUID
    role: KeyRole
    units: list[str] | None
    label: str
    created_at: Instant
    revoked_at: Instant | None
    bootstrap: bool


class LeaderInformedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """The nearest leader was informed."""

    type: Literal["leader-informed"]
    leader: PersonIn
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class ManualRecordView(Struct, kw_only=True):
    """A paper record and where it is on its way into the journal (no CPR, no name)."""

    record_id: UUID
    incident_id: UUID
    kind: Literal["care-delivery", "medication-dispensing"]
    unit: str
    citizen_ref: str
    occurred_at: Instant
    by: str
    status: Literal["entered", "pending", "voided"]
    entered_by: str | None
    entered_at: Instant | None
    journal_reference: str | None
    mode: Mode
    version: int
    citizen_name: str | None = None
    citizen_cpr: str | None = None


class MedicationIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """As on the printed medication list."""

    name: ShortText
    dose: ShortText
    strength: ShortText | None = None
    route: ShortText | None = None


class MedicationListPrintIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """The unit's medication list was printed and placed at the unit."""

    printed_at: AwareTime
    by: PersonIn
    list_as_of: AwareTime
    mode: Mode | None = None


class NoteAddedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """A note for the situation picture."""

    type: Literal["note-added"]
    text: LongText
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class OutstandingStepView(Struct, kw_only=True):
    """A step the plan still asks for, with the plan line that asks for it."""

    step: str
    label: str
    plan_line: str | None = None
    unit: str | None = None
    role: str | None = None
    audience: str | None = None


class PersonIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """Who did it: an employee id, optionally a name and a role."""

    id: ShortText
    name: ShortText | None = None
    role: ShortText | None = None


class PlanLineView(Struct, kw_only=True):
    """PlanLineView"""

    section: str
    text: str
    steps: list[str]
    target_minutes: int | None = None


class CatalogueEntryView(Struct, kw_only=True):
    """CatalogueEntryView"""

    slug: str
    name: str


class CatalogueView(Struct, kw_only=True):
    """The municipality's systems and units, with the names people know them by."""

    systems: list[CatalogueEntryView]
    units: list[CatalogueEntryView]


class PlanView(Struct, kw_only=True):
    """The response plan in force (indsatsplan), as data."""

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


class Problem(Struct, kw_only=True):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = None
    correlation_id: str | None = None
    request_id: str | None = None
    given_record_id: UUID | None = None


class ReadinessView(Struct, kw_only=True):
    """A unit's printed medication list: when it was printed, how old its contents are."""

    unit: str
    list_printed_at: Instant | None
    list_as_of: Instant | None
    printed_by: str | None
    age_days: float | None
    stale: bool
    max_age_days: int
    emergency_list: EmergencyListReadiness | None = None


class Receipt(Struct, kw_only=True):
    """Where the store put the event, and the hash that chains it into the log."""

    event_id: UUID
    stream_id: UUID
    version: int
    position: int
    recorded_at: Instant
    hash: str


class RecordCareDelivery(Struct, forbid_unknown_fields=True, kw_only=True):
    """A visit for the citizen's assessed help (visiteret hjælp): delivered, partly or missed."""

    service: ShortText
    status: Literal["delivered", "missed", "partly"]
    occurred_at: AwareTime
    occurrence_id: UUID | None = None
    citizen: CitizenIn
    unit: Slug
    by: PersonIn
    note: LongText | None = None
    mode: Mode | None = None


class RecordCounts(Struct, kw_only=True):
    """Manual records by their way into the journal."""

    pending: int
    entered: int
    voided: int


class RecordCreated(Struct, kw_only=True):
    """RecordCreated"""

    event_id: UUID
    stream_id: UUID
    version: int
    position: int
    recorded_at: Instant
    hash: str
    record_id: UUID
    citizen_ref: str


class RecordMedicationDispensing(Struct, forbid_unknown_fields=True, kw_only=True):
    """Medication dispensed and recorded on paper during the outage."""

    medication: MedicationIn
    dispensed_at: AwareTime
    source_list_printed_at: AwareTime | None = None
    doctor_consulted: DoctorConsultedIn | None = None
    occurrence_id: UUID | None = None
    outcome: Literal["given", "not-given", "refused"] = "given"
    reason: LongText | None = None
    confirm_repeat: bool = False
    citizen: CitizenIn
    unit: Slug
    by: PersonIn
    note: LongText | None = None
    mode: Mode | None = None


class RestorationVerifiedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """A unit confirmed that a system (or, without one, every system) works for it again."""

    type: Literal["restoration-verified"]
    unit: Slug
    system: Slug | None = None
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class ScopeAssessedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """The scope was clarified; it replaces the scope first reported."""

    type: Literal["scope-assessed"]
    affected_systems: Annotated[list[Slug], Meta(max_length=100, min_length=1)]
    affected_units: Annotated[list[Slug], Meta(max_length=500)]
    isolated_to_single_unit: bool
    severity: Literal["critical", "high", "low", "medium"] | None = None
    expected_restoration_at: AwareTime | None = None
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class SituationPicture(Struct, kw_only=True):
    """Situationsbilledet: whom to call now and every open incident, as of `position`."""

    generated_at: Instant
    position: int
    contact_now: ContactNow
    incidents: list[IncidentView]


class StaffingDecidedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """The nearest leader decided a staffing request."""

    type: Literal["staffing-decided"]
    request_event_id: UUID
    granted_staff: Annotated[int, Meta(ge=0, le=10000)]
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class StaffingRequestView(Struct, kw_only=True):
    """StaffingRequestView"""

    request_event_id: UUID
    unit: str
    requested: int
    granted: int | None


class StaffingRequestedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """A unit needs extra staff."""

    type: Literal["staffing-requested"]
    unit: Slug
    extra_staff: Annotated[int, Meta(ge=1, le=10000)]
    reason: LongText | None = None
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class StaffingView(Struct, kw_only=True):
    """Extra staff requested and granted (bemanding)."""

    requested: int
    granted: int
    undecided: int
    requests: list[StaffingRequestView]


class SystemRestoredIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """A system works again."""

    type: Literal["system-restored"]
    system: Slug
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class PersonView(Struct, kw_only=True, omit_defaults=True):
    """Who did it: their id, and their name and role where the reader may see them."""

    id: str
    name: str | None = None
    role: str | None = None


class TimelineEntry(Struct, kw_only=True):
    """One event of an incident's timeline."""

    event_id: UUID
    type: str
    occurred_at: Instant
    recorded_at: Instant
    position: int
    version: int
    stream_id: UUID
    by: PersonView | None
    data: dict[str, Any]
    summary: str | None = None


class UnitsNotifiedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """IT informed these units about the acknowledged fault."""

    type: Literal["units-notified"]
    units: Annotated[list[Slug], Meta(max_length=500, min_length=1)]
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class VendorContactedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """The vendor was contacted about scope and resolution."""

    type: Literal["vendor-contacted"]
    vendor: ShortText
    reference: ShortText | None = None
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class VoidIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """The paper record was made in error and will not be entered."""

    by: PersonIn
    reason: LongText
    occurred_at: AwareTime
    mode: Mode | None = None


class WorkaroundAgreedIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """For an outage isolated to one unit: how work continues without IT."""

    type: Literal["workaround-agreed"]
    unit: Slug
    department_leader: PersonIn
    nearest_leader: PersonIn
    arrangement: LongText
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


# The body of `recordIncidentStep`: one of the plan's steps, told apart by `type`.
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
Purpose = Literal["treatment", "back-entry", "audit"]
RecordStatus = Literal["pending", "entered", "voided"]


def _step_name(step: type[Struct]) -> str:
    literal = typing.get_type_hints(step)["type"]
    return str(typing.get_args(literal)[0])


# Each step by the name the API gives it (`it-contacted`, `system-restored`, ...).
STEPS: dict[str, type[Struct]] = {_step_name(s): s for s in typing.get_args(IncidentStep)}


WebhookEventType = Annotated[
    str,
    Meta(
        max_length=120,
        extra_json_schema={
            "enum": [
                "*", "alarm-received", "care-delivered", "colleagues-informed",
                "communication-sent", "communications-decided", "emergency-list-published",
                "emergency-list-replaced", "entered-in-journal", "escalated",
                "escalation-assessed", "event-corrected", "incident-closed", "incident-detected",
                "it-contacted", "leader-informed", "medication-dispensed",
                "medication-list-printed", "note-added", "record-voided", "restoration-verified",
                "scope-assessed", "staffing-decided", "staffing-requested", "system-restored",
                "unit-registered", "units-notified", "vendor-contacted", "workaround-agreed",
            ]
        },
    ),
]  # fmt: skip
WebhookUrl = Annotated[
    str,
    Meta(
        max_length=2000,
        pattern="^https?://[^\\x00-\\x20\\x7f/?#@]+(?:[/?#][^\\x00-\\x20\\x7f]*)?$(?!\\n)",
    ),
]


class WebhookIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """A new subscriber (admin): where to post and which events (`*`: all)."""

    url: WebhookUrl
    event_types: Annotated[list[WebhookEventType], Meta(max_length=100, min_length=1)]
    mode: Mode = "actual"
    units: Annotated[list[Slug], Meta(max_length=500, min_length=1)] | None = None


class WebhookView(Struct, kw_only=True):
    """A webhook, without its secret."""

    webhook_id: UUID
    url: str
    event_types: list[str]
    mode: str
    units: list[str] | None
    created_at: Instant
    position: int


class WebhookCreated(WebhookView, kw_only=True):
    """A webhook just registered, with its signing secret (shown this once)."""

    secret: str


class DeliveryView(Struct, kw_only=True):
    """One event sent (or being sent) to a webhook, and what the receiver answered."""

    delivery_id: int
    position: int
    event_id: UUID
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    first_attempt_at: Instant | None
    last_attempt_at: Instant | None
    next_attempt_at: Instant | None
    response_status: int | None
    error: str | None


class ReplayStarted(Struct, kw_only=True):
    """The webhook will be sent every event it wants again, from this position on."""

    webhook_id: UUID
    from_position: int


class SituationChange(Struct, kw_only=True):
    """One message of the live stream: the incident as it stands after the event at `position`
    (`event_type` record-counts-changed: a paper record the key may not see changed its counts)."""

    position: int
    event_type: str
    incident: IncidentView


# The emergency list (nødliste) and the rounds (runderne).

Day = Literal["fri", "mon", "sat", "sun", "thu", "tue", "wed"]
TimeOfDay = Annotated[str, Meta(max_length=5)]
ItemKind = Literal["care", "medication"]


class Counts(Struct, kw_only=True):
    """How many occurrences are in each state; `overdue` includes `overdue_vital`."""

    upcoming: int
    due: int
    overdue: int
    overdue_vital: int
    given: int
    missed: int


class ListItemIn(Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """One thing a citizen is to receive: a medication or a visit of assessed help."""

    item_id: ShortText
    kind: ItemKind
    times: Annotated[list[TimeOfDay], Meta(max_length=48)]
    medication: MedicationIn | None = None
    service: ShortText | None = None
    days: Annotated[list[Day], Meta(max_length=7)] | None = None
    window_minutes: int = 60
    vital: bool = False


class ListCitizenIn(Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """A citizen on the list, what they have vital needs of, and their items."""

    citizen: CitizenIn
    items: Annotated[list[ListItemIn], Meta(max_length=5000)]
    vital_needs: LongText | None = None


class EmergencyListIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """A whole new version of a unit's emergency list (nødliste)."""

    list_as_of: AwareTime
    by: PersonIn
    citizens: Annotated[list[ListCitizenIn], Meta(max_length=500)]


class EmergencyListKept(Struct, kw_only=True):
    """EmergencyListKept"""

    event_id: UUID
    stream_id: UUID
    version: int
    position: int
    recorded_at: Instant
    hash: str
    list_version: int


class ListMedicationView(Struct, kw_only=True):
    name: str
    dose: str
    strength: str | None = None
    route: str | None = None


class ListItemView(Struct, kw_only=True):
    """An item as the reader may see it: its medication only with a purpose."""

    item_id: str
    kind: ItemKind
    times: list[str]
    days: list[str]
    window_minutes: int
    vital: bool
    medication: ListMedicationView | None = None
    service: str | None = None


class ListCitizenView(Struct, kw_only=True):
    citizen_ref: str
    items: list[ListItemView]
    citizen_name: str | None = None
    cpr: str | None = None
    vital_needs: str | None = None
    erased: bool = False


class EmergencyListView(Struct, kw_only=True):
    """A unit's current emergency list; names, CPR, needs and medication only with a purpose."""

    unit: str
    list_version: int
    list_as_of: Instant
    citizens: list[ListCitizenView]


class EmergencyListReadiness(Struct, kw_only=True):
    """The unit's emergency list (nødliste) in nedbrud: its version, its date, its age."""

    list_version: int
    list_as_of: Instant
    kept_at: Instant
    age_days: float
    stale: bool


class OccurrenceView(Struct, kw_only=True):
    """One line of the round."""

    occurrence_id: UUID
    citizen_ref: str
    item_id: str
    kind: ItemKind
    summary: str
    vital: bool
    due_at: Instant
    due_from: Instant
    due_until: Instant
    status: Literal["due", "given", "missed", "overdue", "upcoming"]
    record_id: UUID | None = None
    citizen_name: str | None = None


class RoundsView(Struct, kw_only=True):
    """Runden: the unit's occurrences during the incident, vital overdue first."""

    incident_id: UUID
    unit: str
    at: Instant
    list_version: int
    counts: Counts
    occurrences: list[OccurrenceView]


# Reports (evaluering, the figures across outages, the situation report).


class OccurrenceIssue(Struct, kw_only=True):
    """A vital occurrence that went wrong: given late, missed, or waived (citizen_ref only)."""

    occurrence_id: UUID
    citizen_ref: str
    item_id: str
    kind: str
    due_at: Instant
    due_until: Instant
    outcome: str
    accounted_at: Instant | None = None


class UnitRoundsReport(Struct, kw_only=True):
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
    vital_issues: list[OccurrenceIssue] = field(default_factory=list)


class StepDone(Struct, kw_only=True):
    """One step of a plan line: when it was first recorded, and by whom (an employee id)."""

    step: str
    name: str
    done_at: Instant | None = None
    minutes: float | None = None
    by: str | None = None


class LineReport(Struct, kw_only=True):
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


class SystemDown(Struct, kw_only=True):
    """A system down from the detection until it was restored (`down_to` None: still down)."""

    system: str
    down_from: Instant
    down_to: Instant | None = None
    minutes: float | None = None


class UnitPaper(Struct, kw_only=True):
    """One unit's paper records (manuelle registreringer): made, entered, voided, pending."""

    unit: str
    made: int = 0
    entered: int = 0
    voided: int = 0
    pending: int = 0


class HourPaper(Struct, kw_only=True):
    """The paper records made in one hour (from `hour`, UTC), in all and per unit."""

    hour: Instant
    count: int
    by_unit: dict[str, int]


class BurnDownPoint(Struct, kw_only=True):
    """How many paper records still waited for the journal at `at`."""

    at: Instant
    pending: int


class BackEntry(Struct, kw_only=True):
    """Efterregistrering: from the restoration of the last system to the last journal entry."""

    restored_at: Instant | None = None
    last_entry_at: Instant | None = None
    hours: float | None = None
    records: int = 0
    entered: int = 0
    voided: int = 0
    pending: int = 0
    completion: float | None = None
    points: list[BurnDownPoint] = field(default_factory=list)


class PaperReport(Struct, kw_only=True):
    """PaperReport"""

    by_unit: list[UnitPaper]
    by_hour: list[HourPaper]


class IncidentReport(Struct, kw_only=True):
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


class SummaryOutage(Struct, kw_only=True):
    """SummaryOutage"""

    incident_id: UUID
    title: str
    detected_at: Instant
    status: str


class LineFigures(Struct, kw_only=True):
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


class SystemFigures(Struct, kw_only=True):
    """SystemFigures"""

    system: str
    outages: int
    median_minutes: float | None = None
    worst_minutes: float | None = None


class BackEntryFigures(Struct, kw_only=True):
    """BackEntryFigures"""

    records: int = 0
    entered: int = 0
    voided: int = 0
    pending: int = 0
    completion: float | None = None
    median_hours: float | None = None
    worst_hours: float | None = None


class RoundsFigures(Struct, kw_only=True):
    """RoundsFigures"""

    vital: int = 0
    vital_given_late: int = 0
    vital_missed: int = 0
    vital_waived: int = 0


class ReportSummary(Struct, kw_only=True):
    """Evaluering på tværs af nedbrud (one mode: real outages or drills)."""

    mode: str
    outages: list[SummaryOutage]
    lines: list[LineFigures]
    systems: list[SystemFigures]
    back_entry: BackEntryFigures
    rounds: RoundsFigures


class ChangeOpened(Struct, kw_only=True):
    """ChangeOpened"""

    incident_id: UUID
    title: str
    detected_at: Instant


class ChangeClosed(Struct, kw_only=True):
    """ChangeClosed"""

    incident_id: UUID
    title: str
    closed_at: Instant


class ChangeRestored(Struct, kw_only=True):
    """ChangeRestored"""

    incident_id: UUID
    system: str
    restored_at: Instant


class ChangeEscalation(Struct, kw_only=True):
    """ChangeEscalation"""

    incident_id: UUID
    to_role: str


class ChangeStatus(Struct, kw_only=True):
    """ChangeStatus"""

    incident_id: UUID
    before: str | None
    after: str


class ChangeCount(Struct, kw_only=True):
    """A count of the incident's paper records that moved: `made`, `entered`, `voided`,"""

    incident_id: UUID
    count: str
    before: int
    after: int


class SituationChanges(Struct, kw_only=True):
    """Ændringer siden sidste situationsbillede."""

    opened: list[ChangeOpened] = field(default_factory=list)
    closed: list[ChangeClosed] = field(default_factory=list)
    systems_restored: list[ChangeRestored] = field(default_factory=list)
    escalations: list[ChangeEscalation] = field(default_factory=list)
    statuses: list[ChangeStatus] = field(default_factory=list)
    counts: list[ChangeCount] = field(default_factory=list)


class SituationReport(Struct, kw_only=True):
    """Situationsrapport: the picture, and what changed since an earlier one."""

    generated_at: Instant
    position: int
    since_position: int
    contact_now: ContactNow
    incidents: list[IncidentView]
    changes: SituationChanges
