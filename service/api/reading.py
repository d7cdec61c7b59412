"""What the read handlers share: query parameters, and waiting for one's own write."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import asyncpg
import msgspec
from litestar import Request
from litestar.params import Parameter

from service.api.problems import InvalidField
from service.api.schemas import AwareTime
from service.read.notifier import Notifier
from service.read.reads import wait_for

# Far beyond any log, within a bigint, and exact as a JSON number (2**63 - 1 is not).
MAX_POSITION = 10**15

AfterPosition = Annotated[
    int,
    Parameter(
        ge=0,
        le=MAX_POSITION,
        required=False,
        description="wait (up to 5 s) until the view includes this position: read your own "
        "write (0: no wait)",
    ),
]
ModeQuery = Annotated[
    Literal["actual", "exercise"],
    Parameter(description="exercise shows the drills instead of the real incidents"),
]

Purpose = Annotated[
    Literal["treatment", "back-entry", "audit"] | None,
    Parameter(
        required=False,
        description="why personal data are needed: names, CPR numbers, free text and the paper "
        "records' details are shown only for a purpose the key's role may have, and every "
        "citizen shown is written to the access log",
    ),
]
# A time in a query is taken as a string and read here, strictly: Litestar would also take a
# bare number ("0.5") as seconds since 1970, which the document does not promise.
QueryTime = Annotated[
    str | None,
    Parameter(
        required=False,
        schema_extra={"format": "date-time"},
        description="RFC 3339 with an offset, like 2026-11-26T08:00:00+01:00",
    ),
]


def query_time(field: str, value: str | None) -> datetime | None:
    """The time a query parameter gives, or a 422 naming the parameter."""
    if value is None:
        return None
    try:
        return msgspec.convert(value, AwareTime, strict=True)
    except msgspec.ValidationError:
        raise InvalidField(field, "is not a time with an offset (RFC 3339)") from None


def pool_of(request: Request[Any, Any, Any]) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


async def caught_up(request: Request[Any, Any, Any], name: str, after: int | None) -> int:
    """The projection's position, once it has reached `after`."""
    notifier: Notifier = request.app.state.notifier
    return await wait_for(pool_of(request), notifier, name, after)
