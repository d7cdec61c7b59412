"""Situationsbillede: the live situation picture, as one answer and as a stream of changes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, HeaderParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage
from msgspec import Struct

from domain.plan import Plan
from domain.situation import incident_of
from service import reads
from service.api.contacts import ContactNow, contact_answer
from service.api.reading import AfterPosition, ModeQuery, caught_up, pool_of
from service.api.schemas import IncidentView
from service.notifier import Notifier
from service.projections import SITUATION, fact_of
from service.reads import PositionBeyondLog
from service.store import EventStore
from service.views import incident_view

KEEP_ALIVE_SECONDS = 15.0
PAGE = 500

LastEventId = Annotated[
    str | None,
    HeaderParameter(
        name="Last-Event-ID",
        required=False,
        description="resume after this position: nothing lost, nothing repeated",
    ),
]


class SituationPicture(Struct):
    """Situationsbilledet: whom to call now and every open incident, as of `position`."""

    generated_at: datetime
    position: int
    contact_now: ContactNow
    incidents: list[IncidentView]


class SituationChange(Struct):
    """One change of the picture: the incident as it stands after the event at `position`."""

    position: int
    event_type: str
    incident: IncidentView


class SituationController(Controller):
    """The situation picture of the outages in progress."""

    path = "/v1/situation"
    tags = ["situation"]

    @get("/", operation_id="getSituation")
    async def picture(
        self,
        request: Request[Any, Any, Any],
        plan_in_force: NamedDependency[Plan],
        include: FromQuery[Literal["closed"] | None] = None,
        mode: ModeQuery = "actual",
        after_position: AfterPosition = 0,
    ) -> SituationPicture:
        """Open incidents (`include=closed` for all) with their outstanding steps, and whom to
        call right now."""
        position = await caught_up(request, SITUATION.name, after_position)
        which: Literal["open", "all"] = "all" if include == "closed" else "open"
        entries = await reads.situation(pool_of(request), mode=mode, which=which)
        now = datetime.now(UTC)
        return SituationPicture(
            generated_at=now,
            position=position,
            contact_now=contact_answer(now, plan_in_force),
            incidents=[incident_view(e, plan_in_force) for e in entries],
        )

    @get("/stream", operation_id="streamSituation", media_type="text/event-stream")
    async def stream(
        self,
        request: Request[Any, Any, Any],
        plan_in_force: NamedDependency[Plan],
        mode: ModeQuery = "actual",
        last_event_id: LastEventId = None,
        after_position: AfterPosition = 0,
    ) -> ServerSentEvent:
        """Server-Sent Events: one `incident` event per change, its `id` the position in the log.
        Without `Last-Event-ID` the stream starts with a `snapshot` of the whole picture."""
        resume = _position(last_event_id)
        if resume is None:
            resume = after_position or None  # 0, the default: start from a snapshot
        if resume is not None:
            head = await request.app.state.store.head()
            if resume > head:  # nothing would ever come: say so instead of waiting forever
                raise PositionBeyondLog(resume, head)
        return ServerSentEvent(
            _changes(request, plan_in_force, mode, resume),
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )


def _position(last_event_id: str | None) -> int | None:
    try:
        return None if last_event_id is None else max(0, int(last_event_id))
    except ValueError:
        return None


async def _changes(
    request: Request[Any, Any, Any], plan: Plan, mode: str, resume: int | None
) -> AsyncIterator[ServerSentEventMessage]:
    store: EventStore = request.app.state.store
    notifier: Notifier = request.app.state.notifier
    pool = pool_of(request)
    if resume is None:
        after = await reads.projection_position(pool, SITUATION.name)
        entries = await reads.situation(pool, mode=mode, which="open")
        snapshot = [incident_view(e, plan) for e in entries]
        yield ServerSentEventMessage(
            event="snapshot", id=str(after), data=msgspec.json.encode(snapshot).decode()
        )
    else:
        after = resume
    idle = 0.0
    while True:
        woken = notifier.waiter()
        batch = await store.read_all(after, PAGE)
        for event in batch:
            after = event.position
            incident_id = incident_of(fact_of(event))
            if incident_id is None or event.mode != mode:
                continue
            await reads.wait_for(pool, notifier, SITUATION.name, event.position)
            entry = await reads.situation_entry(pool, incident_id)
            if entry is None:
                continue
            change = SituationChange(event.position, event.type, incident_view(entry, plan))
            yield ServerSentEventMessage(
                event="incident", id=str(event.position), data=msgspec.json.encode(change).decode()
            )
            idle = 0.0
        if len(batch) < PAGE:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), 1.0)
            idle += 1.0
            if idle >= KEEP_ALIVE_SECONDS:
                idle = 0.0
                yield ServerSentEventMessage(comment="keep-alive")
