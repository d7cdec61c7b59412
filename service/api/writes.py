"""What every POST shares at the edge: the Idempotency-Key and If-Match headers, the use case's
context made from the request, and its answer said as HTTP.

The write itself (the event id from the key, the replay of a stored answer, the refusal of a
time in the future) is the use case's: `service/write/use_cases.py`.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, Response
from litestar.params import HeaderParameter

from service.api.guards import principal_of
from service.api.idempotency import REPLAYED
from service.api.problems import ApiProblem
from service.write.use_cases import Answer, Context

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


def parse_if_match(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip().removeprefix("W/").strip('"'))
    except ValueError:
        raise ApiProblem(400, "invalid-if-match", 'If-Match must be a version, like "3"') from None


def context_of(
    request: Request[Any, Any, Any], idempotency_key: str | None, body: msgspec.Struct
) -> Context:
    """The use case's context for a request: its key, its Idempotency-Key, and what a retry
    under that key must repeat (method, path and body)."""
    call = (request.method, request.url.path, msgspec.to_builtins(body))
    return Context(principal_of(request), idempotency_key, call)


def respond(answer: Answer) -> Response[Any]:
    """A use case's answer as HTTP: 201 with the receipt, Location, Idempotent-Replayed."""
    headers = {"Location": answer.location} if answer.location else {}
    if answer.replayed:
        headers[REPLAYED] = "true"
    return Response(answer.body, status_code=answer.status, headers=headers or None)
