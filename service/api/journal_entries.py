"""Efterregistrering at scale: many paper records entered into the journal in one request.

Each record is entered as its own journal-entry would be (the same rule, the same refusals, the
same receipt) and answered on its own, like an event of a CloudEvents batch; a refused record
never holds up the others. The records are read in one query and appended together, so group
commit stores hundreds of them in a few transactions instead of one round each.

A record of a unit the key may not act for is answered as one that does not exist: nothing
about it leaves. With an `Idempotency-Key` each record answers under a key of its own made from
it, and the request's own key is stored with the first record entered: the same key and body
again get each record's first receipt (`duplicate`), the same key with another body 409.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, post
from litestar.params import JSONBody

from domain.manual_record import ManualRecord
from service.api import idempotency
from service.api.guards import may_act_for, principal_of
from service.api.idempotency import REPLAYED, FirstAnswers
from service.api.problems import IdempotencyKeyReused, InvalidField, answer_to
from service.api.record_schemas import JournalEntriesAnswer, JournalEntriesIn, JournalEntryAnswer
from service.api.schemas import Receipt
from service.api.steps import person
from service.api.writes import IdempotencyKey, refuse_implausible_times
from service.events import IdempotencyRecord
from service.events import Receipt as StoreReceipt
from service.records import ManualRecordService
from service.streams import StreamNotFound, WriteContext


def record_key(key: str, record_id: UUID) -> str:
    """The key one record of a bulk request answers under. The space keeps it apart from every
    key a client can send (those are printable ASCII without spaces)."""
    return f"{key} {record_id}"


class JournalEntriesController(Controller):
    """Indtastet i journal, for many paper records at once."""

    path = "/v1/manual-records"
    tags = ["manual records"]

    @post("/journal-entries", operation_id="markManyEnteredInJournal", status_code=200)
    async def enter_many(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[JournalEntriesIn],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[JournalEntriesAnswer]:
        """Up to 500 paper records entered into the journal with one `by`, `entered_at` and
        `journal_reference`: each answered on its own (accepted, duplicate or refused with the
        problem its own journal-entry would get), in the order of `record_ids`."""
        return await enter_many(request, data, idempotency_key)


async def enter_many(
    request: Request[Any, Any, Any], data: JournalEntriesIn, idempotency_key: str | None
) -> Response[JournalEntriesAnswer]:
    principal = principal_of(request)
    key = idempotency.check_key(idempotency_key)
    ids = data.record_ids
    if len(set(ids)) != len(ids):
        raise InvalidField("record_ids", "names a record more than once")
    whole = idempotency.record_for(request, principal, key, data, 200)
    answers: FirstAnswers = request.app.state.first_answers
    records: ManualRecordService = request.app.state.records
    by = person(data.by)

    def step(record: ManualRecord) -> None:
        if not may_act_for(principal, record.unit):
            raise StreamNotFound(record.id)  # as if it did not exist: nothing about it leaves
        record.mark_entered_in_journal(data.journal_reference, by, data.entered_at)

    def context(record_id: UUID) -> WriteContext:
        if whole is None:
            event_id = idempotency.event_id_for(principal, None)
            return WriteContext(event_id, principal.scope, mode=data.mode)
        own = dataclasses.replace(whole, key=record_key(whole.key, record_id), status=201)
        event_id = idempotency.event_id_for(principal, own.key)
        return WriteContext(event_id, principal.scope, mode=data.mode, idempotency=own)

    async with answers.turn(whole):
        seen, first = await first_receipts(request, whole, ids)
        refuse_implausible_times({"entered_at": data.entered_at})
        todo = [record_id for record_id in ids if record_id not in first]
        steps = [(record_id, step, context(record_id)) for record_id in todo]
        outcomes = dict(
            zip(todo, await records.act_each(steps, () if whole is None else (whole,)), strict=True)
        )
    results = [
        JournalEntryAnswer(record_id, "duplicate", 201, receipt=wire(first[record_id]))
        if record_id in first
        else answer(request, record_id, outcomes[record_id])
        for record_id in ids
    ]
    headers = {REPLAYED: "true"} if seen else None
    return Response(JournalEntriesAnswer(results), status_code=200, headers=headers)


async def first_receipts(
    request: Request[Any, Any, Any], whole: IdempotencyRecord | None, ids: list[UUID]
) -> tuple[bool, dict[UUID, StoreReceipt]]:
    """Whether this request's key was answered before, and the records it entered then; 409
    when the key was used with another body."""
    if whole is None:
        return False, {}
    answers: FirstAnswers = request.app.state.first_answers
    rows = await asyncio.gather(
        answers.find(whole.scope, whole.key),
        *(answers.find(whole.scope, record_key(whole.key, record_id)) for record_id in ids),
    )
    if any(r is not None and bytes(r["request_digest"]) != whole.request_digest for r in rows):
        raise IdempotencyKeyReused()
    entered = {rid: row["event_id"] for rid, row in zip(ids, rows[1:], strict=True) if row}
    events = await request.app.state.store.find_many(list(entered.values()))
    receipts = {event.event_id: event.receipt() for event in events}
    found = {rid: receipts[eid] for rid, eid in entered.items() if eid in receipts}
    return rows[0] is not None, found


def wire(receipt: StoreReceipt) -> Receipt:
    return msgspec.convert(msgspec.to_builtins(receipt), Receipt)


def answer(
    request: Request[Any, Any, Any], record_id: UUID, outcome: StoreReceipt | BaseException
) -> JournalEntryAnswer:
    """One record's answer: its receipt, or the problem its own journal-entry would get."""
    if isinstance(outcome, StoreReceipt):
        return JournalEntryAnswer(record_id, "accepted", 201, receipt=wire(outcome))
    if not isinstance(outcome, Exception):
        raise outcome  # cancelled: the request goes, not just this record
    refusal = answer_to(request, outcome)
    problem = msgspec.to_builtins(refusal.content)
    return JournalEntryAnswer(record_id, "refused", refusal.status_code or 422, problem=problem)
