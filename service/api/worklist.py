"""Efterregistrering: the back-entry worklist of paper records, and the global event feed."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, Parameter

from service import reads
from service.api.guards import principal_of, require_unit
from service.api.incidents import WITHHELD
from service.api.reading import AfterPosition, ModeQuery, caught_up, pool_of
from service.api.schemas import SLUG_PATTERN, BackEntryItemView, EventView
from service.citizens import REF_PATTERN
from service.incidents import IncidentService
from service.projections import BACK_ENTRY
from service.views import back_entry_view, event_view

Limit = Annotated[int, Parameter(ge=1, le=500, description="at most 500 per page")]
Offset = Annotated[int, Parameter(ge=0, le=1_000_000)]


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
        after_position: AfterPosition = None,
    ) -> Response[list[BackEntryItemView]]:
        """The worklist, oldest first, by incident, unit, status or citizen_ref; the total count
        is in `X-Total-Count`."""
        await caught_up(request, BACK_ENTRY.name, after_position)
        principal = principal_of(request)
        if unit is not None:
            require_unit(principal, unit)
        total, items = await reads.back_entry(
            pool_of(request),
            mode=mode,
            incident=incident,
            unit=unit,
            status=status,
            citizen_ref=citizen_ref,
            units=principal.units,
            limit=limit,
            offset=offset,
        )
        first = {i.first_event_id for i in items if i.first_event_id is not None}
        papers = {e.event_id: e for e in await incidents.store.find_many(list(first))}
        body = [
            back_entry_view(
                item,
                incidents.codec.data(papers[item.first_event_id], withhold=WITHHELD)
                if item.first_event_id in papers
                else {},
            )
            for item in items
        ]
        return Response(body, headers={"X-Total-Count": str(total)})

    @get("/events", operation_id="listEvents", tags=["feed"])
    async def events(
        self,
        incidents: NamedDependency[IncidentService],
        after_position: Annotated[int, Parameter(ge=0)] = 0,
        limit: Limit = 100,
    ) -> list[EventView]:
        """The global feed in commit order, plain payload only: page on with the last position."""
        return [event_view(e) for e in await incidents.store.read_all(after_position, limit)]
