"""Wire types of manual records (paper made during the outage) and of unit readiness."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from msgspec import Meta, Struct

from service.api.schemas import (
    AwareTime,
    Instant,
    Mode,
    PersonIn,
    Receipt,
    ShortText,
    Slug,
    Text,
    typed_or_null,
)
from service.write.citizens import CPR_PATTERN, REF_PATTERN

Cpr = Annotated[str, Meta(pattern=CPR_PATTERN, description="CPR number, DDMMYY-XXXX")]
CitizenRef = Annotated[str, Meta(pattern=REF_PATTERN, description="an opaque citizen_ref")]


class CitizenIn(Struct, forbid_unknown_fields=True, omit_defaults=True):
    """The citizen: a CPR number (and name), or a citizen_ref given earlier. Never put in a URL."""

    cpr: Cpr | None = None
    name: ShortText | None = None
    ref: CitizenRef | None = None

    # Exactly one of cpr and ref; a name may come with either (the OpenAPI document's oneOf).
    one_of: ClassVar[dict[str, tuple[str, ...]]] = {
        "CitizenByCpr": ("cpr", "name"),
        "CitizenByRef": ("ref", "name"),
    }


class MedicationIn(Struct, forbid_unknown_fields=True, omit_defaults=True):
    """As on the printed medication list."""

    name: ShortText
    dose: ShortText
    strength: ShortText | None = None
    route: ShortText | None = None


class DoctorConsultedIn(Struct, forbid_unknown_fields=True):
    """The citizen's doctor, contacted because of doubt about the dose, and the outcome."""

    doctor: ShortText
    outcome: Text


class RecordBase(Struct, forbid_unknown_fields=True, kw_only=True):
    citizen: CitizenIn
    unit: Slug
    by: PersonIn
    note: Text | None = None
    mode: Mode | None = None


class RecordMedicationDispensing(RecordBase):
    """Medication dispensed and recorded on paper during the outage."""

    medication: MedicationIn
    dispensed_at: AwareTime
    source_list_printed_at: AwareTime | None = None
    doctor_consulted: DoctorConsultedIn | None = None
    occurrence_id: UUID | None = None
    outcome: Literal["given", "refused", "not-given"] = "given"
    reason: Text | None = None
    confirm_repeat: bool = False


class RecordCareDelivery(RecordBase):
    """A visit for the citizen's assessed help (visiteret hjælp): delivered, partly or missed."""

    service: ShortText
    status: Literal["delivered", "partly", "missed"]
    occurred_at: AwareTime
    occurrence_id: UUID | None = None


class RecordCreated(Receipt):
    """The receipt of a paper record, with its id and the citizen's citizen_ref."""

    record_id: UUID
    citizen_ref: str


class JournalEntryIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """The paper record was entered into the journal."""

    by: PersonIn
    entered_at: AwareTime
    journal_reference: ShortText | None = None
    mode: Mode | None = None


MAX_JOURNAL_ENTRIES = 500


class JournalEntriesIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """Many paper records entered into the journal at once, by one person, under one reference."""

    record_ids: Annotated[
        list[UUID],
        Meta(
            min_length=1,
            max_length=MAX_JOURNAL_ENTRIES,
            extra_json_schema={"uniqueItems": True},  # a record named twice is 422
        ),
    ]
    by: PersonIn
    entered_at: AwareTime
    journal_reference: ShortText | None = None
    mode: Mode | None = None


class JournalEntryAnswer(Struct, omit_defaults=True):
    """One record's answer: accepted, duplicate (this request's key answered it before) or
    refused with the problem its own journal-entry would get."""

    record_id: UUID
    status: Literal["accepted", "duplicate", "refused"]
    http_status: int
    receipt: Receipt | None = None
    problem: dict[str, Any] | None = None

    # Typed in the document: the problem its own journal-entry would have been refused with.
    json_schema_extra: ClassVar[dict[str, Any]] = typed_or_null(problem="Problem")


class JournalEntriesAnswer(Struct):
    """Each record's answer, in the order of `record_ids`."""

    results: list[JournalEntryAnswer]


class VoidIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """The paper record was made in error and will not be entered."""

    by: PersonIn
    reason: Text
    occurred_at: AwareTime
    mode: Mode | None = None


class ManualRecordView(Struct, omit_defaults=True):
    """A paper record and where it is on its way into the journal (no CPR, no name)."""

    record_id: UUID
    incident_id: UUID
    kind: Literal["medication-dispensing", "care-delivery"]
    unit: str
    citizen_ref: str
    occurred_at: Instant
    by: str
    status: Literal["pending", "entered", "voided"]
    entered_by: str | None
    entered_at: Instant | None
    journal_reference: str | None
    mode: Mode
    version: int
    citizen_name: str | None = None
    citizen_cpr: str | None = None


class MedicationListPrintIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """The unit's medication list was printed and placed at the unit."""

    printed_at: AwareTime
    by: PersonIn
    list_as_of: AwareTime
    mode: Mode | None = None
