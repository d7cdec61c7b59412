"""Manual records: paper made during the outage, and its way into the journal."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.manual_record import CareStatus, DoctorConsulted, ManualRecord, Medication, Outcome
from service.access.disclosure import Disclosure, Reader, RecordRef
from service.api.guards import UnitNotAllowed, principal_of
from service.api.reading import Purpose, pool_of
from service.api.record_schemas import (
    CitizenIn,
    JournalEntryIn,
    ManualRecordView,
    RecordCareDelivery,
    RecordCreated,
    RecordMedicationDispensing,
    VoidIn,
)
from service.api.schemas import Receipt
from service.api.steps import person
from service.api.writes import IdempotencyKey, context_of, respond
from service.write import commands
from service.write.records import ManualRecordService
from service.write.use_cases import UseCases


def view(record: ManualRecord, mode: str) -> ManualRecordView:
    return ManualRecordView(
        record_id=record.id,
        incident_id=record.incident_id,
        kind=record.kind.value,
        unit=record.unit,
        citizen_ref=record.citizen_ref,
        occurred_at=record.occurred_at,
        by=record.by.id,
        status=record.status.value,
        entered_by=None if record.entered_by is None else record.entered_by.id,
        entered_at=record.entered_at,
        journal_reference=record.journal_reference,
        mode=mode,  # type: ignore[arg-type]
        version=record.version,
    )


class ManualRecordController(Controller):
    """Manuel registrering: medication dispensed and care delivered on paper, then the journal."""

    path = "/v1"
    tags = ["manual records"]

    @post(
        "/incidents/{incident_id:uuid}/medication-dispensings",
        operation_id="recordMedicationDispensing",
        status_code=201,
    )
    async def dispense(
        self,
        request: Request[Any, Any, Any],
        incident_id: FromPath[UUID],
        data: JSONBody[RecordMedicationDispensing],
        use_cases: NamedDependency[UseCases],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[RecordCreated]:
        """Record a medication dispensing made on paper during the outage."""
        ctx = context_of(request, idempotency_key, data)
        return respond(
            await use_cases.record_dispensing(dispensing_command(incident_id, data), ctx)
        )

    @post(
        "/incidents/{incident_id:uuid}/care-deliveries",
        operation_id="recordCareDelivery",
        status_code=201,
    )
    async def deliver(
        self,
        request: Request[Any, Any, Any],
        incident_id: FromPath[UUID],
        data: JSONBody[RecordCareDelivery],
        use_cases: NamedDependency[UseCases],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[RecordCreated]:
        """Record a visit for a citizen's assessed help: delivered, partly delivered or missed."""
        ctx = context_of(request, idempotency_key, data)
        return respond(await use_cases.record_care_delivery(care_command(incident_id, data), ctx))

    @post(
        "/manual-records/{record_id:uuid}/journal-entry",
        operation_id="markEnteredInJournal",
        status_code=201,
    )
    async def enter_in_journal(
        self,
        request: Request[Any, Any, Any],
        record_id: FromPath[UUID],
        data: JSONBody[JournalEntryIn],
        use_cases: NamedDependency[UseCases],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Receipt]:
        """The paper record has been entered into the journal (indtastet i journal)."""
        ctx = context_of(request, idempotency_key, data)
        return respond(
            await use_cases.mark_entered_in_journal(journal_command(record_id, data), ctx)
        )

    @post(
        "/manual-records/{record_id:uuid}/void",
        operation_id="voidManualRecord",
        status_code=201,
    )
    async def void(
        self,
        request: Request[Any, Any, Any],
        record_id: FromPath[UUID],
        data: JSONBody[VoidIn],
        use_cases: NamedDependency[UseCases],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Receipt]:
        """The paper record was made in error and will not be entered into the journal."""
        ctx = context_of(request, idempotency_key, data)
        return respond(await use_cases.void_record(void_command(record_id, data), ctx))

    @get("/manual-records/{record_id:uuid}", operation_id="getManualRecord")
    async def get_record(
        self,
        request: Request[Any, Any, Any],
        record_id: FromPath[UUID],
        record_service: NamedDependency[ManualRecordService],
        purpose: Purpose = None,
    ) -> Response[ManualRecordView]:
        """A paper record and its status; the citizen's name and CPR number only with a
        `purpose` the key's role may have, and written to the access log."""
        disclosure = Disclosure(
            Reader.of(principal_of(request), purpose),
            record_service.streams.codec,
            "GET /v1/manual-records/{record_id}",
        )
        record, history = await record_service.load(record_id)
        if not disclosure.may_see(RecordRef(record.id, record.unit, record.citizen_ref)):
            raise UnitNotAllowed(record.unit)
        body = view(record, history[0].mode)
        identity = record_service.streams.codec.data(history[0]).get("citizen")
        citizen = disclosure.citizen(record.citizen_ref, identity)
        await disclosure.release(pool_of(request))  # before anything leaves
        if citizen:
            body = msgspec.structs.replace(
                body, citizen_name=citizen.get("name"), citizen_cpr=citizen.get("cpr")
            )
        return Response(body, headers={"ETag": f'"{record.version}"'})


def named(given: CitizenIn) -> commands.NamedCitizen:
    return commands.NamedCitizen(cpr=given.cpr, name=given.name, ref=given.ref)


def dispensing_command(
    incident_id: UUID, data: RecordMedicationDispensing
) -> commands.DispenseMedication:
    """recordMedicationDispensing's body as the write side's command."""
    doctor, med = data.doctor_consulted, data.medication
    return commands.DispenseMedication(
        incident_id=incident_id,
        unit=data.unit,
        citizen=named(data.citizen),
        medication=Medication(med.name, med.dose, med.strength, med.route),
        by=person(data.by),
        dispensed_at=data.dispensed_at,
        source_list_printed_at=data.source_list_printed_at,
        doctor_consulted=None if doctor is None else DoctorConsulted(doctor.doctor, doctor.outcome),
        note=data.note,
        occurrence_id=data.occurrence_id,
        outcome=Outcome(data.outcome),
        reason=data.reason,
        confirm_repeat=data.confirm_repeat,
        mode=data.mode,
    )


def care_command(incident_id: UUID, data: RecordCareDelivery) -> commands.DeliverCare:
    """recordCareDelivery's body as the write side's command."""
    return commands.DeliverCare(
        incident_id=incident_id,
        unit=data.unit,
        citizen=named(data.citizen),
        service=data.service,
        status=CareStatus(data.status),
        by=person(data.by),
        occurred_at=data.occurred_at,
        note=data.note,
        occurrence_id=data.occurrence_id,
        mode=data.mode,
    )


def journal_command(record_id: UUID, data: JournalEntryIn) -> commands.EnterInJournal:
    """markEnteredInJournal's body as the write side's command."""
    return commands.EnterInJournal(
        record_id, data.journal_reference, person(data.by), data.entered_at, data.mode
    )


def void_command(record_id: UUID, data: VoidIn) -> commands.VoidRecord:
    """voidManualRecord's body as the write side's command."""
    return commands.VoidRecord(record_id, data.reason, person(data.by), data.occurred_at, data.mode)
