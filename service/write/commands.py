"""The write side's commands: what a caller asks for, in the domain's words.

The edge translates a wire struct into one of these (and a CloudEvent's `data` into the same
wire struct first); the use cases in `service/write/use_cases.py` carry them out. Times are as
the caller gave them: the use case refuses one in the future or before 2000.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.base import Person
from domain.emergency_list import ListItem
from domain.incident import Incident
from domain.manual_record import CareStatus, DoctorConsulted, Medication, Outcome


@dataclass(frozen=True)
class NamedCitizen:
    """A citizen as a caller names one: a CPR number (and name), or a citizen_ref given earlier."""

    cpr: str | None = None
    name: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class DeclareIncident:
    title: str
    description: str | None
    detected_via: str
    reported_by: Person
    affected_systems: tuple[str, ...]
    affected_units: tuple[str, ...]
    occurred_at: datetime
    mode: str | None = None


@dataclass(frozen=True)
class RecordStep:
    """One step of the plan on an incident. `decide` makes the incident's command from the
    step's event id (a staffing request is named by it)."""

    incident_id: UUID
    decide: Callable[[UUID], Callable[[Incident], None]]
    occurred_at: datetime
    mode: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class CloseIncident:
    incident_id: UUID
    by: Person
    occurred_at: datetime
    waiver_reason: str | None = None
    mode: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class CorrectEvent:
    incident_id: UUID
    corrects_event_id: UUID
    reason: str
    correction: dict[str, Any]
    by: Person
    occurred_at: datetime
    mode: str | None = None
    expected_version: int | None = None


IncidentStepCommand = RecordStep | CloseIncident | CorrectEvent


@dataclass(frozen=True)
class DispenseMedication:
    incident_id: UUID
    unit: str
    citizen: NamedCitizen
    medication: Medication
    by: Person
    dispensed_at: datetime
    source_list_printed_at: datetime | None = None
    doctor_consulted: DoctorConsulted | None = None
    note: str | None = None
    occurrence_id: UUID | None = None
    outcome: Outcome = Outcome.GIVEN
    reason: str | None = None
    confirm_repeat: bool = False
    mode: str | None = None


@dataclass(frozen=True)
class DeliverCare:
    incident_id: UUID
    unit: str
    citizen: NamedCitizen
    service: str
    status: CareStatus
    by: Person
    occurred_at: datetime
    note: str | None = None
    occurrence_id: UUID | None = None
    mode: str | None = None


@dataclass(frozen=True)
class EnterInJournal:
    record_id: UUID
    journal_reference: str | None
    by: Person
    entered_at: datetime
    mode: str | None = None


@dataclass(frozen=True)
class EnterManyInJournal:
    record_ids: tuple[UUID, ...]
    journal_reference: str | None
    by: Person
    entered_at: datetime
    mode: str | None = None


@dataclass(frozen=True)
class VoidRecord:
    record_id: UUID
    reason: str
    by: Person
    occurred_at: datetime
    mode: str | None = None


@dataclass(frozen=True)
class PrintMedicationList:
    unit: str
    list_as_of: datetime
    by: Person
    printed_at: datetime
    mode: str | None = None


@dataclass(frozen=True)
class ListCitizenGiven:
    """A citizen of an emergency list, named as a caller names one."""

    citizen: NamedCitizen
    vital_needs: str | None
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class KeepEmergencyList:
    unit: str
    list_as_of: datetime
    by: Person
    citizens: tuple[ListCitizenGiven, ...]
