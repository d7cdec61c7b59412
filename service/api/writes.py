"""What every POST shares: the Idempotency-Key, the event id, the receipt, the refusals.

A handler says what to do with a `WriteContext`; `answer_write` derives the event id from the
key (so a retry collides with the first try), replays a stored answer, checks that no time lies in
the future, and turns the store's receipt into the 201 body.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, Response
from litestar.params import HeaderParameter

from service.api import idempotency
from service.api.guards import principal_of
from service.api.problems import ApiProblem, IdempotencyKeyReused, InvalidField
from service.events import EventIdReused, Receipt
from service.streams import WriteContext

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        pattern=r"^[\x21-\x7e]{1,200}$(?!\n)",
        description="1-200 printable ASCII characters; a retry with the same key and body "
        "gets the first answer again",
    ),
]
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        required=False,
        pattern=r'^(W/)?"?[0-9]{1,18}"?$(?!\n)',
        description='the version read, like "3": refused with 412 if the incident has moved on',
    ),
]

# A clock a few minutes fast on a carer's phone is normal; an hour is a mistake.
FUTURE_TOLERANCE = timedelta(minutes=10)
# Nothing this log records happened before 2000. The bound also keeps the year-1 times a client
# may send away from PostgreSQL, which would store them as -infinity.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def refuse_implausible_times(times: Mapping[str, datetime | None]) -> None:
    """A time in the future (beyond a clock's drift) or before 2000 is a mistake: 422."""
    limit = datetime.now(UTC) + FUTURE_TOLERANCE
    for field, at in times.items():
        if at is not None and at > limit:
            raise InvalidField(field, "lies in the future; give the time it happened")
        if at is not None and at < EARLIEST:
            raise InvalidField(field, "lies before 2000; give the time it happened")


def parse_if_match(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip().removeprefix("W/").strip('"'))
    except ValueError:
        raise ApiProblem(400, "invalid-if-match", 'If-Match must be a version, like "3"') from None


async def answer_write(
    request: Request[Any, Any, Any],
    body: msgspec.Struct,
    idempotency_key: str | None,
    perform: Callable[[WriteContext], Awaitable[Receipt]],
    *,
    mode: str | None,
    times: Mapping[str, datetime | None],
    ids: Callable[[UUID], dict[str, Any]] = lambda _: {},
    location: str | None = None,
) -> Response[Any]:
    """Do one write and answer 201 with its receipt (plus `ids`), or the stored first answer."""
    principal = principal_of(request)
    event_id = idempotency.event_id_for(principal, idempotency.check_key(idempotency_key))
    extras = ids(event_id)
    record = idempotency.record_for(request, principal, idempotency_key, body, 201, extras)
    answers: idempotency.FirstAnswers = request.app.state.first_answers
    async with answers.turn(record):
        if stored := await idempotency.replay(answers, request.app.state.store, record):
            return stored
        refuse_implausible_times(times)
        ctx = WriteContext(event_id, source=principal.scope, mode=mode, idempotency=record)
        try:
            receipt = await perform(ctx)
        except EventIdReused:
            raise IdempotencyKeyReused() from None
    content = msgspec.to_builtins(receipt) | msgspec.to_builtins(extras)
    headers = {"Location": location.format(**extras)} if location else None
    return Response(content, status_code=201, headers=headers)
