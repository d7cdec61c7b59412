"""Efterregistrering: the back-entry worklist of paper records, and the global event feed."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, Parameter
from msgspec import Struct

from domain.worklist import BackEntryItem
from service.access.access_log import accesses
from service.access.disclosure import Disclosure, Reader, record_units
from service.api.guards import principal_of, require_unit
from service.api.reading import (
    MAX_POSITION,
    AfterPosition,
    ModeQuery,
    Purpose,
    caught_up,
    pool_of,
)
from service.api.schemas import SLUG_PATTERN, BackEntryItemView, EventView, Instant
from service.api.views import back_entry_view, event_view
from service.log.chain import verify_chain
from service.log.checkpoints import check_checkpoint, latest_checkpoint
from service.read import reads
from service.read.projections import BACK_ENTRY
from service.write.citizens import REF_PATTERN
from service.write.incidents import IncidentService

Limit = Annotated[int, Parameter(ge=1, le=500, description="at most 500 per page")]
Offset = Annotated[int, Parameter(ge=0, le=1_000_000)]


class ChainCheck(Struct, omit_defaults=True):
    """The hash chain, recomputed: `first_bad_position` only when it does not hold."""

    ok: bool
    checked: int
    first_bad_position: int | None = None


class AccessView(Struct):
    """One look-up of a citizen's identity."""

    at: Instant
    key_id: str
    role: str
    purpose: str
    citizen_ref: str
    endpoint: str
    outcome: str


async def worklist_page(
    request: Request[Any, Any, Any],
    incidents: IncidentService,
    disclosure: Disclosure,
    **filters: Any,
) -> tuple[int, list[tuple[BackEntryItem, dict[str, Any], dict[str, Any]]]]:
    """One page of the worklist as the reader may see it: each record, its first event's data
    (without the citizen) and the citizen's identity where the disclosure allows it; the total."""
    total, items = await reads.back_entry(
        pool_of(request), units=record_units(disclosure.reader), **filters
    )
    first = {i.first_event_id for i in items if i.first_event_id is not None}
    found = await incidents.streams.open(await incidents.store.find_many(list(first)))
    papers = {e.event_id: e for e in found}
    page = []
    for item in items:
        paper = papers.get(item.first_event_id) if item.first_event_id else None
        data = incidents.codec.data(paper) if paper is not None else {}
        citizen = disclosure.citizen(item.citizen_ref, data.pop("citizen", None))
        page.append((item, data, citizen))
    return total, page


class WorklistController(Controller):
    """The paper records still to be entered into the journal, and the log for integrations."""

    path = "/v1"
    tags = ["back-entry"]

    @get("/back-entry", operation_id="listBackEntry")
    async def back_entry(
        self,
        request: Request[Any, Any, Any],
        incidents: NamedDependency[IncidentService],
        incident: FromQuery[UUID | None] = None,
        unit: Annotated[str | None, Parameter(pattern=SLUG_PATTERN, required=False)] = None,
        status: FromQuery[Literal["pending", "entered", "voided"] | None] = None,
        citizen_ref: Annotated[str | None, Parameter(pattern=REF_PATTERN, required=False)] = None,
        mode: ModeQuery = "actual",
        limit: Limit = 100,
        offset: Offset = 0,
        after_position: AfterPosition = 0,
        purpose: Purpose = None,
    ) -> Response[list[BackEntryItemView]]:
        """The worklist, oldest first, by incident, unit, status or citizen_ref; the total count
        is in `X-Total-Count`."""
        await caught_up(request, BACK_ENTRY.name, after_position)
        disclosure = Disclosure(
            Reader.of(principal_of(request), purpose), incidents.codec, "GET /v1/back-entry"
        )
        if unit is not None:
            require_unit(principal_of(request), unit)
        total, page = await worklist_page(
            request,
            incidents,
            disclosure,
            mode=mode,
            incident=incident,
            unit=unit,
            status=status,
            citizen_ref=citizen_ref,
            limit=limit,
            offset=offset,
        )
        body = [back_entry_view(item, data, citizen) for item, data, citizen in page]
        await disclosure.release(pool_of(request))  # if it cannot be written, nothing leaves
        return Response(body, headers={"X-Total-Count": str(total)})

    @get("/access-log", operation_id="listAccessLog", tags=["audit"])
    async def access_log(
        self,
        request: Request[Any, Any, Any],
        citizen_ref: Annotated[str, Parameter(pattern=REF_PATTERN)],
    ) -> list[AccessView]:
        """Who saw this citizen's name or CPR number, when, and for what purpose."""
        return [
            AccessView(**dataclasses.asdict(a))
            for a in await accesses(pool_of(request), citizen_ref)
        ]

    @get("/audit/verify", operation_id="verifyLog", tags=["audit"])
    async def verify(self, request: Request[Any, Any, Any]) -> ChainCheck:
        """Recompute the hash chain from the first event, and compare the log with the latest
        signed checkpoint this service wrote: `ok`, how many events were checked, and the first
        position that does not match (for a removed tail: the first one missing)."""
        state = request.app.state
        async with pool_of(request).acquire() as conn, conn.transaction(readonly=True):
            # Reading a long log takes longer than the pool's statement timeout allows.
            await conn.execute("SET LOCAL statement_timeout = 0")
            result = await verify_chain(conn)
            signer = state.get("checkpoint_signer")
            latest = await asyncio.to_thread(latest_checkpoint, state.checkpoint_dir)
            if result.ok and signer is not None and latest is not None:
                check = await check_checkpoint(conn, latest, signer.public_key())
                if not check.ok:
                    return ChainCheck(False, result.checked, check.first_bad_position)
        return ChainCheck(result.ok, result.checked, result.first_bad_position)

    @get("/events", operation_id="listEvents", tags=["feed"])
    async def events(
        self,
        request: Request[Any, Any, Any],
        after_position: Annotated[
            int, Parameter(ge=0, le=MAX_POSITION, description="the feed after this position")
        ] = 0,
        limit: Limit = 100,
    ) -> list[EventView]:
        """The global feed in commit order, plain payload only: page on with the last position.
        Paper records' events only of the units the key may see records of."""
        reader = Reader.of(principal_of(request))
        feed = await reads.feed(
            pool_of(request), after_position, limit, record_units(reader), reader.units
        )
        return [event_view(e) for e in feed]
