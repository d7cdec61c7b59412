"""The application layer: one use case per write operation, `(command, context) -> Answer`.

The HTTP handlers and the CloudEvents path both call these; neither HTTP nor Litestar is known
here. A `Context` says who asks (the key: its id, role and units), the clock, and the
Idempotency-Key with the request it fingerprints. Each use case refuses with the exceptions of
`service/write/errors.py`, the domain's and the store's; the edge says them as problem+json.

The services are bound once (`UseCases(...)`, made where the app starts) so a caller passes only
the command and the context.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec

from domain.emergency_list import ListCitizen
from domain.ids import uuid5
from domain.incident import DetectedVia, Incident
from domain.manual_record import Citizen, ManualRecord, Outcome
from domain.matching import RoundRecord
from domain.plan import Plan
from domain.rounds import check_repeat_dose
from service.access.auth import Principal
from service.access.matrix import WAIVERS
from service.log.events import EventIdReused, IdempotencyRecord, Receipt
from service.log.streams import StreamNotFound, Streams, WriteContext
from service.write import commands as c
from service.write import idempotency
from service.write.citizens import CitizenRefs, normalise_cpr
from service.write.emergency_lists import EmergencyListService
from service.write.errors import (
    FieldRefused,
    IdempotencyKeyReused,
    ListCitizenRefused,
    UnitNotAllowed,
)
from service.write.idempotency import AnswerBook, EventLookup
from service.write.incidents import IncidentService
from service.write.records import ManualRecordService, record_id_for
from service.write.rounds import RoundsService
from service.write.units import UnitService

# A clock a few minutes fast on a carer's phone is normal; an hour is a mistake.
FUTURE_TOLERANCE = timedelta(minutes=10)
# Nothing this log records happened before 2000. The bound also keeps the year-1 times a client
# may send away from PostgreSQL, which would store them as -infinity.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Context:
    """Who asks, when, and under which Idempotency-Key.

    `request` is what a retry with the same key must repeat: (method, path, body as builtins)
    at the HTTP edge; a caller without a key needs none.
    """

    principal: Principal
    idempotency_key: str | None = None
    request: tuple[str, str, Any] = ("POST", "", None)
    clock: Callable[[], datetime] = field(default=utc_now)


@dataclass(frozen=True)
class Answer:
    """A write's answer: the store's receipt with the operation's own ids (`body`), whether it
    is the first answer given again (`replayed`), and where the new thing is (`location`)."""

    body: dict[str, Any]
    status: int = 201
    replayed: bool = False
    location: str | None = None


@dataclass(frozen=True)
class RecordOutcome:
    """One record's answer in a bulk journal entry: its receipt, the first receipt given again
    (`duplicate`), or what refused it."""

    record_id: UUID
    outcome: Receipt | BaseException
    duplicate: bool = False


@dataclass(frozen=True)
class BulkAnswer:
    results: list[RecordOutcome]
    replayed: bool = False


def refuse_implausible_times(times: Mapping[str, datetime | None], now: datetime) -> None:
    """A time in the future (beyond a clock's drift) or before 2000 is a mistake."""
    limit = now + FUTURE_TOLERANCE
    for name, at in times.items():
        if at is not None and at > limit:
            raise FieldRefused(name, "lies in the future; give the time it happened")
        if at is not None and at < EARLIEST:
            raise FieldRefused(name, "lies before 2000; give the time it happened")


def refuse_unstorable(value: Any, name: str) -> None:
    """PostgreSQL's jsonb cannot hold NUL; refuse it anywhere in a free-form object."""
    if isinstance(value, str) and "\x00" in value:
        raise FieldRefused(name, "contains a NUL character")
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        refuse_unstorable(key, name)
        refuse_unstorable(item, f"{name}.{key}")


def may_act_for(principal: Principal, unit: str | None) -> bool:
    """A key without units acts for all of them."""
    return principal.units is None or unit in principal.units


def require_unit(principal: Principal, unit: str | None) -> None:
    if not may_act_for(principal, unit):
        raise UnitNotAllowed(unit or "")


def citizen(given: c.NamedCitizen, refs: CitizenRefs) -> tuple[str, Citizen | None]:
    """The citizen_ref for the event, and the identity that goes in its sealed part."""
    if (given.cpr is None) == (given.ref is None):
        raise FieldRefused("citizen", "give either cpr (with name) or ref")
    if given.ref is not None:
        return given.ref, Citizen(name=given.name) if given.name else None
    assert given.cpr is not None
    cpr = normalise_cpr(given.cpr)
    if cpr is None:
        raise FieldRefused("citizen.cpr", "is not a valid CPR number (DDMMYY-XXXX)")
    return refs.ref_for(cpr), Citizen(cpr=cpr, name=given.name)


def incident_id_for(event_id: UUID) -> UUID:
    return uuid5(event_id, "incident")


def record_key(key: str, record_id: UUID) -> str:
    """The key one record of a bulk request answers under. The space keeps it apart from every
    key a client can send (those are printable ASCII without spaces)."""
    return f"{key} {record_id}"


class UseCases:
    """Every write operation, with the write side's services bound once."""

    def __init__(
        self,
        *,
        incidents: IncidentService,
        records: ManualRecordService,
        units: UnitService,
        lists: EmergencyListService,
        rounds: RoundsService,
        citizen_refs: CitizenRefs,
        first_answers: AnswerBook,
        store: EventLookup,
    ) -> None:
        self.incidents, self.records, self.units = incidents, records, units
        self.lists, self.rounds = lists, rounds
        self.citizen_refs, self.first_answers, self.store = citizen_refs, first_answers, store

    @classmethod
    def over(
        cls,
        streams: Streams,
        plan: Plan,
        citizen_refs: CitizenRefs,
        first_answers: AnswerBook,
        store: EventLookup,
    ) -> UseCases:
        """The use cases over one log (`streams`), with the write side's services made for it:
        what a test with another store needs to call them."""
        lists = EmergencyListService(streams)
        rounds = RoundsService(streams, lists, plan)
        return cls(
            incidents=IncidentService(streams, plan, rounds),
            records=ManualRecordService(streams),
            units=UnitService(streams),
            lists=lists,
            rounds=rounds,
            citizen_refs=citizen_refs,
            first_answers=first_answers,
            store=store,
        )

    # -- what every write shares ---------------------------------------------------------------

    async def write(
        self,
        ctx: Context,
        perform: Callable[[WriteContext], Awaitable[Receipt]],
        *,
        mode: str | None,
        times: Mapping[str, datetime | None],
        ids: Callable[[UUID], dict[str, Any]] = lambda _: {},
        location: str | None = None,
    ) -> Answer:
        """Do one write and answer with its receipt (plus `ids`), or the stored first answer.
        The event id follows from the Idempotency-Key, so a retry collides with the first try."""
        principal = ctx.principal
        event_id = idempotency.event_id_for(principal, idempotency.check_key(ctx.idempotency_key))
        extras = ids(event_id)
        record = idempotency.record_for(
            self.citizen_refs, principal, ctx.idempotency_key, ctx.request, 201, extras
        )
        async with self.first_answers.turn(record):
            if stored := await idempotency.replay(self.first_answers, self.store, record):
                body, status = stored
                return Answer(body, status, replayed=True)
            refuse_implausible_times(times, ctx.clock())
            wctx = WriteContext(event_id, source=principal.scope, mode=mode, idempotency=record)
            try:
                receipt = await perform(wctx)
            except EventIdReused:
                raise IdempotencyKeyReused() from None
        body = msgspec.to_builtins(receipt) | msgspec.to_builtins(extras)
        return Answer(body, location=location.format(**extras) if location else None)

    # -- incidents -----------------------------------------------------------------------------

    async def declare_incident(self, cmd: c.DeclareIncident, ctx: Context) -> Answer:
        """declareIncident."""

        async def perform(wctx: WriteContext) -> Receipt:
            incident = Incident(
                id=incident_id_for(wctx.event_id),
                title=cmd.title,
                description=cmd.description,
                detected_via=DetectedVia(cmd.detected_via),
                reported_by=cmd.reported_by,
                affected_systems=cmd.affected_systems,
                affected_units=cmd.affected_units,
                occurred_at=cmd.occurred_at,
            )
            return await self.incidents.declare(incident, wctx)

        return await self.write(
            ctx,
            perform,
            mode=cmd.mode,
            times={"occurred_at": cmd.occurred_at},
            ids=lambda event_id: {"incident_id": incident_id_for(event_id)},
            location="/v1/incidents/{incident_id}",
        )

    async def record_incident_step(self, cmd: c.IncidentStepCommand, ctx: Context) -> Answer:
        """recordIncidentStep: a plan step, closing (a leader may waive) or a correction."""
        incidents, principal = self.incidents, ctx.principal

        async def perform(wctx: WriteContext) -> Receipt:
            match cmd:
                case c.CloseIncident():
                    return await incidents.close(
                        cmd.incident_id,
                        cmd.by,
                        cmd.occurred_at,
                        cmd.waiver_reason,
                        principal.role in WAIVERS,
                        wctx,
                        if_match=cmd.expected_version,
                    )
                case c.CorrectEvent():
                    refuse_unstorable(cmd.correction, "correction")
                    return await incidents.correct(
                        cmd.incident_id,
                        cmd.corrects_event_id,
                        cmd.reason,
                        cmd.correction,
                        cmd.by,
                        cmd.occurred_at,
                        wctx,
                        writer=(principal.role, principal.units),
                        if_match=cmd.expected_version,
                    )
                case c.RecordStep():
                    step = cmd.decide(wctx.event_id)
                    return await incidents.act(
                        cmd.incident_id, step, wctx, if_match=cmd.expected_version
                    )

        return await self.write(ctx, perform, mode=cmd.mode, times={"occurred_at": cmd.occurred_at})

    # -- manual records ------------------------------------------------------------------------

    async def record_dispensing(self, cmd: c.DispenseMedication, ctx: Context) -> Answer:
        """recordMedicationDispensing: a dose given is refused when already given, unless the
        repeat is confirmed with a reason (`domain.rounds.check_repeat_dose`)."""
        ref, identity = citizen(cmd.citizen, self.citizen_refs)

        def build(record_id: UUID) -> ManualRecord:
            return ManualRecord.dispense_medication(
                id=record_id,
                incident_id=cmd.incident_id,
                unit=cmd.unit,
                citizen_ref=ref,
                citizen=identity,
                medication=cmd.medication,
                source_list_printed_at=cmd.source_list_printed_at,
                doctor_consulted=cmd.doctor_consulted,
                note=cmd.note,
                by=cmd.by,
                occurred_at=cmd.dispensed_at,
                occurrence_id=cmd.occurrence_id,
                outcome=cmd.outcome,
                reason=cmd.reason,
                confirm_repeat=cmd.confirm_repeat,
            )

        async def occurrence() -> UUID | None:
            """The occurrence a dose given accounts for."""
            if cmd.outcome is not Outcome.GIVEN:
                return None
            incident, events = await self.rounds.incident(cmd.incident_id)
            found = await self.rounds.for_unit(incident, events, cmd.unit, cmd.dispensed_at)
            if found is None:  # no rounds of this unit: the id it names is none of its own
                return None
            dose = RoundRecord.dispensing(
                uuid4(), ref, cmd.medication.name, cmd.dispensed_at, occurrence_id=cmd.occurrence_id
            )
            target = check_repeat_dose(found.rounds, dose, cmd.confirm_repeat, cmd.reason)
            # Only an occurrence of this unit's rounds gives the slot: another unit's id
            # (computable from unit, citizen_ref and item) would take that unit's dose slots.
            return None if target is None else target.occurrence_id

        times = {
            "dispensed_at": cmd.dispensed_at,
            "source_list_printed_at": cmd.source_list_printed_at,
        }
        return await self._create(
            cmd.incident_id, cmd.unit, cmd.mode, ctx, build, ref, times, occurrence
        )

    async def record_care_delivery(self, cmd: c.DeliverCare, ctx: Context) -> Answer:
        """recordCareDelivery: a visit for a citizen's assessed help."""
        ref, identity = citizen(cmd.citizen, self.citizen_refs)

        def build(record_id: UUID) -> ManualRecord:
            return ManualRecord.deliver_care(
                id=record_id,
                incident_id=cmd.incident_id,
                unit=cmd.unit,
                citizen_ref=ref,
                citizen=identity,
                service=cmd.service,
                status=cmd.status,
                note=cmd.note,
                by=cmd.by,
                occurred_at=cmd.occurred_at,
                occurrence_id=cmd.occurrence_id,
            )

        times = {"occurred_at": cmd.occurred_at}
        return await self._create(cmd.incident_id, cmd.unit, cmd.mode, ctx, build, ref, times)

    async def _create(
        self,
        incident_id: UUID,
        unit: str,
        mode: str | None,
        ctx: Context,
        build: Callable[[UUID], ManualRecord],
        citizen_ref: str,
        times: Mapping[str, datetime | None],
        occurrence: Callable[[], Awaitable[UUID | None]] | None = None,
    ) -> Answer:
        """A new paper record of a unit the key acts for; a dose given on the occurrence's lock."""
        require_unit(ctx.principal, unit)
        records = self.records

        async def perform(wctx: WriteContext) -> Receipt:
            if occurrence is not None:
                return await records.record_dose(incident_id, build, wctx, occurrence)
            return await records.record(incident_id, build, wctx)

        answer = await self.write(
            ctx,
            perform,
            mode=mode,
            times=times,
            ids=lambda event_id: {"record_id": record_id_for(event_id), "citizen_ref": citizen_ref},
            location="/v1/manual-records/{record_id}",
        )
        # A dose for an occurrence is stored on the occurrence's dose slot: the record is the
        # stream.
        if answer.status != 201:
            return answer
        record_id = str(answer.body["stream_id"])
        body = answer.body | {"record_id": record_id}
        location = f"/v1/manual-records/{record_id}"
        return dataclasses.replace(answer, body=body, location=location)

    async def mark_entered_in_journal(self, cmd: c.EnterInJournal, ctx: Context) -> Answer:
        """markEnteredInJournal."""
        return await self._act_on_record(
            cmd.record_id,
            cmd.mode,
            ctx,
            lambda r: r.mark_entered_in_journal(cmd.journal_reference, cmd.by, cmd.entered_at),
            {"entered_at": cmd.entered_at},
        )

    async def void_record(self, cmd: c.VoidRecord, ctx: Context) -> Answer:
        """voidManualRecord."""
        return await self._act_on_record(
            cmd.record_id,
            cmd.mode,
            ctx,
            lambda r: r.void(cmd.reason, cmd.by, cmd.occurred_at),
            {"occurred_at": cmd.occurred_at},
        )

    async def _act_on_record(
        self,
        record_id: UUID,
        mode: str | None,
        ctx: Context,
        step: Callable[[ManualRecord], None],
        times: Mapping[str, datetime | None],
    ) -> Answer:
        """A step on an existing paper record, of a unit the key acts for."""
        principal, records = ctx.principal, self.records

        def checked(record: ManualRecord) -> None:
            require_unit(principal, record.unit)
            step(record)

        async def perform(wctx: WriteContext) -> Receipt:
            return await records.act(record_id, checked, wctx)

        return await self.write(ctx, perform, mode=mode, times=times)

    async def enter_many_in_journal(self, cmd: c.EnterManyInJournal, ctx: Context) -> BulkAnswer:
        """markManyEnteredInJournal: each record entered as its own journal entry would be,
        and answered on its own. A record of a unit the key may not act for is answered as one
        that does not exist. With an Idempotency-Key each record answers under a key of its own
        made from it, and the request's own key is stored with the first record entered."""
        principal = ctx.principal
        key = idempotency.check_key(ctx.idempotency_key)
        ids = cmd.record_ids
        if len(set(ids)) != len(ids):
            raise FieldRefused("record_ids", "names a record more than once")
        whole = idempotency.record_for(self.citizen_refs, principal, key, ctx.request, 200)

        def step(record: ManualRecord) -> None:
            if not may_act_for(principal, record.unit):
                raise StreamNotFound(record.id)  # as if it did not exist: nothing about it leaves
            record.mark_entered_in_journal(cmd.journal_reference, cmd.by, cmd.entered_at)

        def context(record_id: UUID) -> WriteContext:
            if whole is None:
                event_id = idempotency.event_id_for(principal, None)
                return WriteContext(event_id, principal.scope, mode=cmd.mode)
            own = dataclasses.replace(whole, key=record_key(whole.key, record_id), status=201)
            event_id = idempotency.event_id_for(principal, own.key)
            return WriteContext(event_id, principal.scope, mode=cmd.mode, idempotency=own)

        async with self.first_answers.turn(whole):
            seen, first = await self._first_receipts(whole, ids)
            refuse_implausible_times({"entered_at": cmd.entered_at}, ctx.clock())
            todo = [record_id for record_id in ids if record_id not in first]
            steps = [(record_id, step, context(record_id)) for record_id in todo]
            also = () if whole is None else (whole,)
            outcomes = dict(zip(todo, await self.records.act_each(steps, also), strict=True))
        results = [
            RecordOutcome(record_id, first[record_id], duplicate=True)
            if record_id in first
            else RecordOutcome(record_id, outcomes[record_id])
            for record_id in ids
        ]
        return BulkAnswer(results, replayed=seen)

    async def _first_receipts(
        self, whole: IdempotencyRecord | None, ids: tuple[UUID, ...]
    ) -> tuple[bool, dict[UUID, Receipt]]:
        """Whether this request's key was answered before, and the records it entered then;
        refused when the key was used with another body."""
        if whole is None:
            return False, {}
        answers = self.first_answers
        rows = await asyncio.gather(
            answers.find(whole.scope, whole.key),
            *(answers.find(whole.scope, record_key(whole.key, record_id)) for record_id in ids),
        )
        if any(r is not None and bytes(r["request_digest"]) != whole.request_digest for r in rows):
            raise IdempotencyKeyReused()
        entered = {rid: row["event_id"] for rid, row in zip(ids, rows[1:], strict=True) if row}
        events = await self.store.find_many(list(entered.values()))
        receipts = {event.event_id: event.receipt() for event in events}
        found = {rid: receipts[eid] for rid, eid in entered.items() if eid in receipts}
        return rows[0] is not None, found

    # -- units ---------------------------------------------------------------------------------

    async def record_list_print(self, cmd: c.PrintMedicationList, ctx: Context) -> Answer:
        """recordMedicationListPrint."""
        require_unit(ctx.principal, cmd.unit)
        units = self.units

        async def perform(wctx: WriteContext) -> Receipt:
            return await units.print_medication_list(
                cmd.unit, cmd.list_as_of, cmd.by, cmd.printed_at, wctx
            )

        times = {"printed_at": cmd.printed_at, "list_as_of": cmd.list_as_of}
        return await self.write(ctx, perform, mode=cmd.mode, times=times)

    async def keep_emergency_list(self, cmd: c.KeepEmergencyList, ctx: Context) -> Answer:
        """putEmergencyList: a whole new version of the unit's list; a citizen named wrongly is
        refused with `ListCitizenRefused`, naming `citizens[i]...`."""
        require_unit(ctx.principal, cmd.unit)
        citizens = tuple(self._list_citizen(given, i) for i, given in enumerate(cmd.citizens))
        lists = self.lists

        async def perform(wctx: WriteContext) -> Receipt:
            receipt, _ = await lists.keep(
                cmd.unit, cmd.list_as_of, citizens, cmd.by, ctx.clock(), wctx
            )
            return receipt

        answer = await self.write(ctx, perform, mode=None, times={"list_as_of": cmd.list_as_of})
        # Each version is one event: the list's version is the stream's.
        return dataclasses.replace(
            answer, body=answer.body | {"list_version": answer.body["version"]}
        )

    def _list_citizen(self, given: c.ListCitizenGiven, i: int) -> ListCitizen:
        try:
            ref, identity = citizen(given.citizen, self.citizen_refs)
        except FieldRefused as exc:
            raise ListCitizenRefused(f"citizens[{i}].{exc.field}", exc.message) from None
        return ListCitizen(
            citizen_ref=ref, citizen=identity, vital_needs=given.vital_needs, items=given.items
        )
