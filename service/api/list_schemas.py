"""Wire types of the emergency list (nødliste) and the rounds (runderne)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from msgspec import Meta, Struct

from service.api.record_schemas import CitizenIn, MedicationIn
from service.api.schemas import AwareTime, Counts, Instant, PersonIn, Receipt, ShortText, Text

DayIn = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
TimeOfDay = Annotated[str, Meta(max_length=5, description="local wall-clock time HH:MM")]
Status = Literal["upcoming", "due", "overdue", "given", "missed"]


class ListItemIn(Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """One thing a citizen is to receive: a medication or a visit of assessed help."""

    item_id: ShortText
    kind: Literal["medication", "care"]
    times: Annotated[list[TimeOfDay], Meta(max_length=48)]
    medication: MedicationIn | None = None
    service: ShortText | None = None
    days: Annotated[list[DayIn], Meta(max_length=7)] | None = None
    window_minutes: int = 60
    vital: bool = False


class ListCitizenIn(Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """A citizen on the list, what they have vital needs of, and their items."""

    citizen: CitizenIn
    items: Annotated[list[ListItemIn], Meta(max_length=5000)]
    vital_needs: Text | None = None


class EmergencyListIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """A whole new version of a unit's emergency list (nødliste)."""

    list_as_of: AwareTime
    by: PersonIn
    citizens: Annotated[list[ListCitizenIn], Meta(max_length=500)]


class EmergencyListKept(Receipt):
    """The receipt of a new version of a unit's emergency list (nødliste)."""

    list_version: int


class ListMedicationView(Struct, omit_defaults=True):
    """A medication as the emergency list gives it."""

    name: str
    dose: str
    strength: str | None = None
    route: str | None = None


class ListItemView(Struct, omit_defaults=True):
    """An item as the reader may see it: its medication or help only with a purpose."""

    item_id: str
    kind: Literal["medication", "care"]
    times: list[str]
    days: list[str]
    window_minutes: int
    vital: bool
    medication: ListMedicationView | None = None
    service: str | None = None


class ListCitizenView(Struct, omit_defaults=True):
    """One citizen on the emergency list and the items due for them."""

    citizen_ref: str
    items: list[ListItemView]
    citizen_name: str | None = None
    cpr: str | None = None
    vital_needs: str | None = None
    erased: bool = False


class EmergencyListView(Struct):
    """A unit's current emergency list; names, CPR, needs and medication only with a purpose."""

    unit: str
    list_version: int
    list_as_of: Instant
    citizens: list[ListCitizenView]


class OccurrenceView(Struct, omit_defaults=True):
    """One line of the round. `summary` is the medication and dose (personal: only with a
    purpose, else the kind alone) or the help."""

    occurrence_id: UUID
    citizen_ref: str
    item_id: str
    kind: Literal["medication", "care"]
    summary: str
    vital: bool
    due_at: Instant
    due_from: Instant
    due_until: Instant
    status: Status
    record_id: UUID | None = None
    citizen_name: str | None = None


class RoundsView(Struct):
    """Runden: the unit's occurrences during the incident, vital overdue first."""

    incident_id: UUID
    unit: str
    at: Instant
    list_version: int
    counts: Counts
    occurrences: list[OccurrenceView]
