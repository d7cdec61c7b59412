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

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from service.api.idempotency import REPLAYED
from service.api.problems import answer_to
from service.api.record_schemas import JournalEntriesAnswer, JournalEntriesIn, JournalEntryAnswer
from service.api.schemas import Receipt
from service.api.steps import person
from service.api.writes import IdempotencyKey, context_of
from service.log.events import Receipt as StoreReceipt
from service.write.commands import EnterManyInJournal
from service.write.use_cases import UseCases


class JournalEntriesController(Controller):
    """Indtastet i journal, for many paper records at once."""

    path = "/v1/manual-records"
    tags = ["manual records"]

    @post("/journal-entries", operation_id="markManyEnteredInJournal", status_code=200)
    async def enter_many(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[JournalEntriesIn],
        use_cases: NamedDependency[UseCases],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[JournalEntriesAnswer]:
        """Up to 500 paper records entered into the journal with one `by`, `entered_at` and
        `journal_reference`: each answered on its own (accepted, duplicate or refused with the
        problem its own journal-entry would get), in the order of `record_ids`."""
        return await enter_many(request, use_cases, data, idempotency_key)


async def enter_many(
    request: Request[Any, Any, Any],
    use_cases: UseCases,
    data: JournalEntriesIn,
    idempotency_key: str | None,
) -> Response[JournalEntriesAnswer]:
    cmd = EnterManyInJournal(
        tuple(data.record_ids), data.journal_reference, person(data.by), data.entered_at, data.mode
    )
    ctx = context_of(request, idempotency_key, data)
    bulk = await use_cases.enter_many_in_journal(cmd, ctx)
    results = [
        JournalEntryAnswer(r.record_id, "duplicate", 201, receipt=wire(r.outcome))
        if r.duplicate and isinstance(r.outcome, StoreReceipt)
        else answer(request, r.record_id, r.outcome)
        for r in bulk.results
    ]
    headers = {REPLAYED: "true"} if bulk.replayed else None
    return Response(JournalEntriesAnswer(results), status_code=200, headers=headers)


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
