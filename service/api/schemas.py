"""Wire types of the HTTP API (kept apart from the stored events, which may never change shape)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import Meta, Struct

AwareTime = Annotated[
    datetime,
    Meta(
        tz=True,
        description="RFC 3339 with an offset; a time without one, one before 2000 or one in "
        "the future is refused",
    ),
]


def typed_or_null(**fields: str) -> dict[str, Any]:
    """A Struct's `json_schema_extra` for fields it holds as untyped dicts (answers passed on as
    they were given) that the document types: each field a `$ref` to the named schema, or null."""
    return {
        "properties": {
            name: {"anyOf": [{"$ref": f"#/components/schemas/{schema}"}, {"type": "null"}]}
            for name, schema in fields.items()
        }
    }


# A time the service answers with: always in UTC (`Z`); `tz` makes the document say date-time.
Instant = Annotated[datetime, Meta(tz=True, description="RFC 3339, in UTC")]
# PostgreSQL cannot store NUL in text or jsonb: refuse it here, with the field named.
Text = Annotated[str, Meta(min_length=1, max_length=4000, pattern=r"^[^\x00]*$")]
ShortText = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]*$(?!\n)"  # the lookahead: see service/write/citizens.py
Slug = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=100,
        pattern=SLUG_PATTERN,
        description="lowercase ASCII slug",
    ),
]
Mode = Literal["actual", "exercise"]
Page = Annotated[int, Meta(ge=1, le=500)]


class PersonIn(Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Who did it: an employee id, optionally a name and a role."""

    id: ShortText
    name: ShortText | None = None
    role: ShortText | None = None


class DeclareIncident(Struct, forbid_unknown_fields=True, kw_only=True):
    """An outage is declared (detected)."""

    title: ShortText
    detected_via: Literal["vendor", "employee", "monitoring", "external-system"]
    reported_by: PersonIn
    affected_systems: Annotated[list[Slug], Meta(min_length=1, max_length=100)]
    occurred_at: AwareTime
    affected_units: Annotated[list[Slug], Meta(max_length=500)] = msgspec.field(
        default_factory=list
    )
    description: Text | None = None
    mode: Mode = "actual"


class Receipt(Struct):
    """Where the store put the event, and the hash that chains it into the log."""

    event_id: UUID
    stream_id: UUID
    version: int
    position: int
    recorded_at: Instant
    hash: str


class IncidentDeclared(Receipt):
    """The receipt of a declared incident, with the incident's id."""

    incident_id: UUID


class OutstandingStepView(Struct, omit_defaults=True):
    """A step the plan still asks for, with the plan line that asks for it."""

    step: str
    label: str
    plan_line: str | None = None
    unit: str | None = None
    role: str | None = None
    audience: str | None = None


class StaffingRequestView(Struct):
    """One request for extra staff at a unit, and what was granted."""

    request_event_id: UUID
    unit: str
    requested: int
    granted: int | None


class StaffingView(Struct):
    """Extra staff requested and granted (bemanding)."""

    requested: int
    granted: int
    undecided: int
    requests: list[StaffingRequestView]


class RecordCounts(Struct):
    """Manual records by their way into the journal."""

    pending: int
    entered: int
    voided: int


class ClosingView(Struct):
    """Whether the incident may close now, and what stands in the way."""

    may_close: bool
    may_close_with_waiver: bool
    systems_down: list[str]
    pending_records: int


class Counts(Struct):
    """How many occurrences are in each state; `overdue` includes `overdue_vital`."""

    upcoming: int
    due: int
    overdue: int
    overdue_vital: int
    given: int
    missed: int


class IncidentView(Struct):
    """An incident as the situation picture shows it; `rounds`: each affected unit's rounds
    counts, for the units that keep an emergency list (in the picture and its stream)."""

    incident_id: UUID
    title: str
    status: Literal["open", "partly-restored", "restored", "closed"]
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
    rounds: dict[str, Counts] = msgspec.field(default_factory=dict)


class BackEntryItemView(Struct, omit_defaults=True):
    """One paper record on the back-entry worklist (efterregistrering)."""

    record_id: UUID
    incident_id: UUID
    kind: Literal["medication-dispensing", "care-delivery"]
    unit: str
    citizen_ref: str
    summary: str
    occurred_at: Instant
    recorded_at: Instant
    by: str
    status: Literal["pending", "entered", "voided"]
    entered_by: str | None = None
    entered_at: Instant | None = None
    journal_reference: str | None = None
    citizen_name: str | None = None
    citizen_cpr: str | None = None


class EmergencyListReadiness(Struct):
    """The unit's emergency list (nødliste) in nedbrud: its version, its date, its age."""

    list_version: int
    list_as_of: Instant
    kept_at: Instant
    age_days: float
    stale: bool


class ReadinessView(Struct):
    """A unit's printed medication list: when it was printed, how old its contents are; and
    its emergency list in nedbrud (`emergency_list` null: the unit keeps none)."""

    unit: str
    list_printed_at: Instant | None
    list_as_of: Instant | None
    printed_by: str | None
    age_days: float | None
    stale: bool
    max_age_days: int
    emergency_list: EmergencyListReadiness | None = None


class EventView(Struct):
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


class PersonView(Struct, omit_defaults=True):
    """Who did it: their id, and their name and role where the reader may see them."""

    id: str
    name: str | None = None
    role: str | None = None


class TimelineEntry(Struct):
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
    # A paper record's first event: what it says in a line (medication and dose, or the help).
    summary: str | None = None


class Health(Struct, omit_defaults=True):
    """Whether the service, and its database, answer."""

    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unavailable"] | None = None


class FieldError(Struct):
    """One invalid field: its JSON path and what is wrong with it."""

    field: str
    message: str


class Problem(Struct, omit_defaults=True):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = None
    correlation_id: str | None = None
    request_id: str | None = None
    given_record_id: UUID | None = None  # already-given: the record of the dose given
    given_at: Instant | None = None  # already-given: when that dose was given
