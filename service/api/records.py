"""Manual records: paper made during the outage, and its way into the journal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.manual_record import (
    CareStatus,
    Citizen,
    DoctorConsulted,
    ManualRecord,
    Medication,
    Outcome,
)
from domain.matching import RoundRecord
from domain.rounds import check_repeat_dose
from service.api.guards import UnitNotAllowed, principal_of, require_unit
from service.api.problems import InvalidField
from service.api.reading import Purpose
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
from service.api.writes import IdempotencyKey, answer_write
from service.citizens import CitizenRefs, normalise_cpr
from service.disclosure import Disclosure, Reader, RecordRef
from service.events import Receipt as StoreReceipt
from service.records import ManualRecordService, record_id_for
from service.rounds import RoundsService
from service.streams import WriteContext


def citizen(given: CitizenIn, refs: CitizenRefs) -> tuple[str, Citizen | None]:
    """The citizen_ref for the event, and the identity that goes in its sealed part."""
    if (given.cpr is None) == (given.ref is None):
        raise InvalidField("citizen", "give either cpr (with name) or ref")
    if given.ref is not None:
        return given.ref, Citizen(name=given.name) if given.name else None
    assert given.cpr is not None
    cpr = normalise_cpr(given.cpr)
    if cpr is None:
        raise InvalidField("citizen.cpr", "is not a valid CPR number (DDMMYY-XXXX)")
    return refs.ref_for(cpr), Citizen(cpr=cpr, name=given.name)


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
        idempotency_key: IdempotencyKey = None,
    ) -> Response[RecordCreated]:
        """Record a medication dispensing made on paper during the outage."""
        return await record_dispensing(request, incident_id, data, idempotency_key)

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
        idempotency_key: IdempotencyKey = None,
    ) -> Response[RecordCreated]:
        """Record a visit for a citizen's assessed help: delivered, partly delivered or missed."""
        return await record_care_delivery(request, incident_id, data, idempotency_key)

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
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Receipt]:
        """The paper record has been entered into the journal (indtastet i journal)."""
        return await mark_entered_in_journal(request, record_id, data, idempotency_key)

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
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Receipt]:
        """The paper record was made in error and will not be entered into the journal."""
        return await void_record(request, record_id, data, idempotency_key)

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
        await disclosure.release(request.app.state.pool)  # before anything leaves
        if citizen:
            body = msgspec.structs.replace(
                body, citizen_name=citizen.get("name"), citizen_cpr=citizen.get("cpr")
            )
        return Response(body, headers={"ETag": f'"{record.version}"'})


async def record_dispensing(
    request: Request[Any, Any, Any],
    incident_id: UUID,
    data: RecordMedicationDispensing,
    idempotency_key: str | None,
) -> Response[Any]:
    """recordMedicationDispensing, for the REST endpoint and for CloudEvents alike."""
    ref, identity = citizen(data.citizen, request.app.state.citizen_refs)
    doctor = data.doctor_consulted
    med = data.medication

    def build(record_id: UUID) -> ManualRecord:
        return ManualRecord.dispense_medication(
            id=record_id,
            incident_id=incident_id,
            unit=data.unit,
            citizen_ref=ref,
            citizen=identity,
            medication=Medication(med.name, med.dose, med.strength, med.route),
            source_list_printed_at=data.source_list_printed_at,
            doctor_consulted=None
            if doctor is None
            else DoctorConsulted(doctor.doctor, doctor.outcome),
            note=data.note,
            by=person(data.by),
            occurred_at=data.dispensed_at,
            occurrence_id=data.occurrence_id,
            outcome=Outcome(data.outcome),
            reason=data.reason,
            confirm_repeat=data.confirm_repeat,
        )

    async def occurrence() -> UUID | None:
        """The occurrence a dose given accounts for; a dose already given is refused unless
        the repeat is confirmed with a reason (`domain.rounds.check_repeat_dose`)."""
        if data.outcome != "given":
            return None
        service: RoundsService = request.app.state.rounds
        incident, events = await service.incident(incident_id)
        found = await service.for_unit(incident, events, data.unit, data.dispensed_at)
        if found is None:  # no rounds of this unit: the id it names is none of its own
            return None
        dose = RoundRecord.dispensing(
            uuid4(), ref, med.name, data.dispensed_at, occurrence_id=data.occurrence_id
        )
        target = check_repeat_dose(found.rounds, dose, data.confirm_repeat, data.reason)
        # Only an occurrence of this unit's rounds gives the slot: another unit's id (computable
        # from unit, citizen_ref and item) would take that unit's dose slots from its carers.
        return None if target is None else target.occurrence_id

    times = {
        "dispensed_at": data.dispensed_at,
        "source_list_printed_at": data.source_list_printed_at,
    }
    return await create(request, incident_id, data, idempotency_key, build, ref, times, occurrence)


async def record_care_delivery(
    request: Request[Any, Any, Any],
    incident_id: UUID,
    data: RecordCareDelivery,
    idempotency_key: str | None,
) -> Response[Any]:
    """recordCareDelivery, for the REST endpoint and for CloudEvents alike."""
    ref, identity = citizen(data.citizen, request.app.state.citizen_refs)

    def build(record_id: UUID) -> ManualRecord:
        return ManualRecord.deliver_care(
            id=record_id,
            incident_id=incident_id,
            unit=data.unit,
            citizen_ref=ref,
            citizen=identity,
            service=data.service,
            status=CareStatus(data.status),
            note=data.note,
            by=person(data.by),
            occurred_at=data.occurred_at,
            occurrence_id=data.occurrence_id,
        )

    times = {"occurred_at": data.occurred_at}
    return await create(request, incident_id, data, idempotency_key, build, ref, times)


async def mark_entered_in_journal(
    request: Request[Any, Any, Any],
    record_id: UUID,
    data: JournalEntryIn,
    idempotency_key: str | None,
) -> Response[Any]:
    """markEnteredInJournal, for the REST endpoint and for CloudEvents alike."""
    by = person(data.by)
    return await act_on_record(
        request,
        record_id,
        data,
        idempotency_key,
        lambda r: r.mark_entered_in_journal(data.journal_reference, by, data.entered_at),
        {"entered_at": data.entered_at},
    )


async def void_record(
    request: Request[Any, Any, Any],
    record_id: UUID,
    data: VoidIn,
    idempotency_key: str | None,
) -> Response[Any]:
    """voidManualRecord, for the REST endpoint and for CloudEvents alike."""
    by = person(data.by)
    return await act_on_record(
        request,
        record_id,
        data,
        idempotency_key,
        lambda r: r.void(data.reason, by, data.occurred_at),
        {"occurred_at": data.occurred_at},
    )


async def create(
    request: Request[Any, Any, Any],
    incident_id: UUID,
    data: RecordMedicationDispensing | RecordCareDelivery,
    idempotency_key: str | None,
    build: Callable[[UUID], ManualRecord],
    citizen_ref: str,
    times: Mapping[str, datetime | None],
    occurrence: Callable[[], Awaitable[UUID | None]] | None = None,
) -> Response[Any]:
    """A new paper record of a unit the key acts for; a dose given on the occurrence's lock."""
    require_unit(principal_of(request), data.unit)
    records: ManualRecordService = request.app.state.records

    async def perform(ctx: WriteContext) -> StoreReceipt:
        if occurrence is not None:
            return await records.record_dose(incident_id, build, ctx, occurrence)
        return await records.record(incident_id, build, ctx)

    response = await answer_write(
        request,
        data,
        idempotency_key,
        perform,
        mode=data.mode,
        times=times,
        ids=lambda event_id: {"record_id": record_id_for(event_id), "citizen_ref": citizen_ref},
        location="/v1/manual-records/{record_id}",
    )
    # A dose for an occurrence is stored on the occurrence's dose slot: the record is the stream.
    if isinstance(response.content, dict) and response.status_code == 201:
        record_id = str(response.content["stream_id"])
        response.content["record_id"] = record_id
        response.headers["Location"] = f"/v1/manual-records/{record_id}"
    return response


async def act_on_record(
    request: Request[Any, Any, Any],
    record_id: UUID,
    data: JournalEntryIn | VoidIn,
    idempotency_key: str | None,
    step: Callable[[ManualRecord], None],
    times: Mapping[str, datetime | None],
) -> Response[Any]:
    """A step on an existing paper record, of a unit the key acts for."""
    principal = principal_of(request)
    records: ManualRecordService = request.app.state.records

    def checked(record: ManualRecord) -> None:
        require_unit(principal, record.unit)
        step(record)

    async def perform(ctx: WriteContext) -> StoreReceipt:
        return await records.act(record_id, checked, ctx)

    return await answer_write(request, data, idempotency_key, perform, mode=data.mode, times=times)
