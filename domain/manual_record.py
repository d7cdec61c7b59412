"""ManualRecord: one paper record made during the outage, until it is entered into the journal.

Medicin: medication dispensing is recorded manually (from the botilbud's printed medication list,
with the citizen's doctor contacted if there is doubt about the dose) and written into the system
when it works again. Opgaver: assessed citizens (visiterede borgere) get the help they are assessed
for, so each visit is recorded as delivered, partly delivered or missed. Each paper record is its
own stream, so many carers write at once without waiting on the incident's stream.

The record names the citizen by an opaque `citizen_ref`; CPR number and name travel only in the
sealed part of the event.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

import msgspec
from eventsourcing.domain import event

from domain.base import DataSubject, Person, PlanAggregate, Sealed
from domain.errors import AlreadyEnteredInJournal, BeforeItHappened, RecordVoided
from domain.rounds_errors import OutcomeNeedsReason


class RecordKind(StrEnum):
    MEDICATION_DISPENSING = "medication-dispensing"
    CARE_DELIVERY = "care-delivery"


class CareStatus(StrEnum):
    """Visiteret hjælp: delivered in full, in part, or missed."""

    DELIVERED = "delivered"
    PARTLY = "partly"
    MISSED = "missed"


class Outcome(StrEnum):
    """What became of a dose on the list: given, refused by the citizen, or not given."""

    GIVEN = "given"
    REFUSED = "refused"
    NOT_GIVEN = "not-given"


class RecordStatus(StrEnum):
    """Where a paper record is on its way into the journal."""

    PENDING = "pending"
    ENTERED = "entered"
    VOIDED = "voided"


class Citizen(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The citizen's identity, sealed: CPR number and name."""

    cpr: Annotated[str | None, Sealed] = None
    name: Annotated[str | None, Sealed] = None


class Medication(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What was given, as the printed medication list says it."""

    name: Annotated[str, Sealed]
    dose: Annotated[str, Sealed]
    strength: Annotated[str | None, Sealed] = None
    route: Annotated[str | None, Sealed] = None


class DoctorConsulted(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The citizen's doctor, contacted because of doubt about the dose, and what was agreed."""

    doctor: Annotated[str, Sealed]
    outcome: Annotated[str, Sealed]


class ManualRecord(PlanAggregate):
    """Manuel registrering: a paper record of a dispensing or a visit, awaiting the journal."""

    def __init__(
        self, incident_id: UUID, unit: str, citizen_ref: str, by: Person, occurred_at: datetime
    ) -> None:
        self.incident_id, self.unit, self.citizen_ref = incident_id, unit, citizen_ref
        self.by, self.occurred_at = by, occurred_at
        self.kind = RecordKind.MEDICATION_DISPENSING
        self.status = RecordStatus.PENDING
        self.entered_by: Person | None = None
        self.entered_at: datetime | None = None
        self.journal_reference: str | None = None

    @property
    def data_subject(self) -> str:
        """A paper record's every event is about its citizen: forgetting them erases it all."""
        return self.citizen_ref

    class MedicationDispensed(PlanAggregate.Created):
        incident_id: UUID
        unit: str
        citizen_ref: Annotated[str, DataSubject]
        citizen: Annotated[Citizen | None, Sealed]
        medication: Annotated[Medication, Sealed]
        source_list_printed_at: datetime | None
        doctor_consulted: Annotated[DoctorConsulted | None, Sealed]
        note: Annotated[str | None, Sealed]
        by: Person
        occurred_at: datetime
        # Added with the rounds (payload evolution: defaults, so older events still decode).
        occurrence_id: UUID | None = None
        outcome: Outcome = Outcome.GIVEN
        reason: Annotated[str | None, Sealed] = None
        confirm_repeat: bool = False

        def apply(self, aggregate: ManualRecord) -> None:
            aggregate.kind = RecordKind.MEDICATION_DISPENSING

    class CareDelivered(PlanAggregate.Created):
        incident_id: UUID
        unit: str
        citizen_ref: Annotated[str, DataSubject]
        citizen: Annotated[Citizen | None, Sealed]
        service: Annotated[str, Sealed]
        status: CareStatus
        note: Annotated[str | None, Sealed]
        by: Person
        occurred_at: datetime
        occurrence_id: UUID | None = None

        def apply(self, aggregate: ManualRecord) -> None:
            aggregate.kind = RecordKind.CARE_DELIVERY

    @classmethod
    def dispense_medication(
        cls,
        id: UUID,
        incident_id: UUID,
        unit: str,
        citizen_ref: str,
        citizen: Citizen | None,
        medication: Medication,
        source_list_printed_at: datetime | None,
        doctor_consulted: DoctorConsulted | None,
        note: str | None,
        by: Person,
        occurred_at: datetime,
        occurrence_id: UUID | None = None,
        outcome: Outcome = Outcome.GIVEN,
        reason: str | None = None,
        confirm_repeat: bool = False,
    ) -> ManualRecord:
        """Medication was dispensed and written on paper (medicinudlevering registreres manuelt),
        or, for an occurrence on the list, refused or not given, with the reason why."""
        if source_list_printed_at is not None and source_list_printed_at > occurred_at:
            raise BeforeItHappened("dispensed_at", "source_list_printed_at")
        if outcome is not Outcome.GIVEN and not (reason and reason.strip()):
            raise OutcomeNeedsReason(outcome.value)
        return cls._create(
            cls.MedicationDispensed,
            id=id,
            incident_id=incident_id,
            unit=unit,
            citizen_ref=citizen_ref,
            citizen=citizen,
            medication=medication,
            source_list_printed_at=source_list_printed_at,
            doctor_consulted=doctor_consulted,
            note=note,
            by=by,
            occurred_at=occurred_at,
            occurrence_id=occurrence_id,
            outcome=outcome,
            reason=reason,
            confirm_repeat=confirm_repeat,
        )

    @classmethod
    def deliver_care(
        cls,
        id: UUID,
        incident_id: UUID,
        unit: str,
        citizen_ref: str,
        citizen: Citizen | None,
        service: str,
        status: CareStatus,
        note: str | None,
        by: Person,
        occurred_at: datetime,
        occurrence_id: UUID | None = None,
    ) -> ManualRecord:
        """A visit for the citizen's assessed help was delivered, partly delivered or missed."""
        return cls._create(
            cls.CareDelivered,
            id=id,
            incident_id=incident_id,
            unit=unit,
            citizen_ref=citizen_ref,
            citizen=citizen,
            service=service,
            status=status,
            note=note,
            by=by,
            occurred_at=occurred_at,
            occurrence_id=occurrence_id,
        )

    def mark_entered_in_journal(
        self, journal_reference: str | None, by: Person, occurred_at: datetime
    ) -> None:
        """The paper record is written into the journal now that it works again."""
        if self.status is RecordStatus.ENTERED:
            raise AlreadyEnteredInJournal()
        if self.status is RecordStatus.VOIDED:
            raise RecordVoided()
        if occurred_at < self.occurred_at:
            raise BeforeItHappened("entered_at", "the time the record was made")
        self._entered_in_journal(
            journal_reference=journal_reference, by=by, occurred_at=occurred_at
        )

    @event("EnteredInJournal")
    def _entered_in_journal(
        self, journal_reference: str | None, by: Person, occurred_at: datetime
    ) -> None:
        self.status = RecordStatus.ENTERED
        self.entered_by, self.entered_at = by, occurred_at
        self.journal_reference = journal_reference

    def void(self, reason: str, by: Person, occurred_at: datetime) -> None:
        """The record was made in error (a duplicate, the wrong citizen) and is not entered."""
        if self.status is RecordStatus.ENTERED:
            raise AlreadyEnteredInJournal()
        if self.status is RecordStatus.VOIDED:
            raise RecordVoided()
        self._voided(reason=reason, by=by, occurred_at=occurred_at)

    @event("Voided")
    def _voided(self, reason: Annotated[str, Sealed], by: Person, occurred_at: datetime) -> None:
        self.status = RecordStatus.VOIDED


STREAM_TYPE = "manual-record"

EVENT_TYPES: dict[str, type[PlanAggregate.Event]] = {
    "medication-dispensed": ManualRecord.MedicationDispensed,
    "care-delivered": ManualRecord.CareDelivered,
    "entered-in-journal": ManualRecord.EnteredInJournal,  # type: ignore[attr-defined]
    "record-voided": ManualRecord.Voided,  # type: ignore[attr-defined]
}
