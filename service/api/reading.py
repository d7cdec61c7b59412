"""What the read handlers share: query parameters, and waiting for one's own write."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import asyncpg
from litestar import Request
from litestar.params import Parameter

from service.notifier import Notifier
from service.reads import wait_for

AfterPosition = Annotated[
    int,
    Parameter(
        ge=0,
        required=False,
        description="wait (up to 5 s) until the view includes this position: read your own "
        "write (0: no wait)",
    ),
]
ModeQuery = Annotated[
    Literal["actual", "exercise"],
    Parameter(description="exercise shows the drills instead of the real incidents"),
]


def pool_of(request: Request[Any, Any, Any]) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


async def caught_up(request: Request[Any, Any, Any], name: str, after: int | None) -> int:
    """The projection's position, once it has reached `after`."""
    notifier: Notifier = request.app.state.notifier
    return await wait_for(pool_of(request), notifier, name, after)
