"""Situationsbillede: the live situation picture, as one answer and as a stream of changes."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

import asyncpg
import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, HeaderParameter
from litestar.response import Stream
from msgspec import Struct

from domain.plan import Plan
from domain.situation import incident_of
from service.access.auth import Authenticator, Principal
from service.access.disclosure import Disclosure, Reader, RecordRef, record_of
from service.api.contacts import ContactNow, contact_answer
from service.api.guards import principal_of
from service.api.problems import InvalidPosition
from service.api.reading import AfterPosition, ModeQuery, caught_up, pool_of
from service.api.rounds_watch import RoundsWatch
from service.api.schemas import IncidentView, Instant
from service.api.views import IncidentViews, incident_view
from service.log.codec import Codec
from service.log.events import RecordedEvent, StoreUnavailable
from service.log.store import EventStore
from service.read import reads
from service.read.notifier import Notifier
from service.read.projections import SITUATION, fact_of
from service.read.reads import PositionBeyondLog

STREAM = "/v1/situation/stream"
COUNTS_CHANGED = "record-counts-changed"
ROUNDS_CHANGED = "rounds-changed"
KEEP_ALIVE_SECONDS = 15.0
# How often an open stream asks whether its key is still active: a revoked key's stream ends
# within this plus one wait (1 s) plus one page, well inside the 5 s API.md promises.
KEY_CHECK_SECONDS = 2.0
PAGE = 500
POSITION = re.compile(r"[0-9]{1,18}")

LastEventId = Annotated[
    str | None,
    HeaderParameter(
        name="Last-Event-ID",
        required=False,
        description=(
            "resume after this position: no event lost or repeated; each open incident with"
            " rounds is sent first as it stands (rounds-changed)"
        ),
    ),
]


class SituationPicture(Struct):
    """Situationsbilledet: whom to call now and every open incident, as of `position`."""

    generated_at: Instant
    position: int
    contact_now: ContactNow
    incidents: list[IncidentView]


class SituationChange(Struct):
    """One change of the picture: the incident as it stands after the event at `position`. A
    change made by a paper record the reader may not see says only that the counts changed."""

    position: int
    event_type: str
    incident: msgspec.Raw  # an IncidentView, encoded once for every stream

    json_schema_extra: ClassVar[dict[str, Any]] = {
        "properties": {"incident": {"$ref": "#/components/schemas/IncidentView"}}
    }


@dataclass(frozen=True)
class Change:
    """A change as the page found it, before a reader's disclosure policy is applied."""

    position: int
    event_type: str
    record: RecordRef | None
    incident: msgspec.Raw


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
        if after_position:  # read your own write: wait until the projection has it
            await caught_up(request, SITUATION.name, after_position)
        which: Literal["open", "all"] = "all" if include == "closed" else "open"
        position, states = await reads.situation_as_of(pool_of(request), mode=mode, which=which)
        views: IncidentViews = request.app.state.incident_views
        watch: RoundsWatch = request.app.state.rounds_watch
        incidents = await watch.with_rounds([views.view(state) for state in states])
        now = datetime.now(UTC)
        return SituationPicture(
            generated_at=now,
            position=position,
            contact_now=contact_answer(now, plan_in_force),
            incidents=incidents,
        )

    @get(
        "/stream",
        operation_id="streamSituation",
        media_type="text/event-stream",
        response_description="Server-Sent Events: a `snapshot`, then an `incident` per change",
    )
    async def stream(
        self,
        request: Request[Any, Any, Any],
        plan_in_force: NamedDependency[Plan],
        mode: ModeQuery = "actual",
        last_event_id: LastEventId = None,
        after_position: AfterPosition = 0,
    ) -> Stream:
        """Server-Sent Events: one `incident` event per change, its `id` the position in the log.
        Without `Last-Event-ID` the stream starts with a `snapshot` of the whole picture."""
        resume = _position(last_event_id)
        if resume is None:
            resume = after_position or None  # 0, the default: start from a snapshot
        if resume is not None:
            head = await request.app.state.store.head()
            if resume > head:  # nothing would ever come: say so instead of waiting forever
                raise PositionBeyondLog(resume, head)
        return Stream(
            _changes(request, plan_in_force, mode, resume),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )


def _position(last_event_id: str | None) -> int | None:
    """The position a `Last-Event-ID` resumes after; 400 unless it is a non-negative integer
    (an empty one, which no browser sends, is taken as none)."""
    if not last_event_id:
        return None
    if not POSITION.fullmatch(last_event_id):
        raise InvalidPosition("Last-Event-ID")
    return int(last_event_id)


def message(event: str, position: int, data: bytes) -> bytes:
    """One Server-Sent Event. `data` is JSON from msgspec: one line, never a line break."""
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (position, event.encode(), data)


KEEP_ALIVE = b": keep-alive\n\n"

# A page of the log as every stream reads it: the position it ends at (None: nothing new), its
# changes with their incident views already encoded, and whether it was full (more may follow).
Page = tuple[int | None, list[Change], bool]


def messages(changes: list[Change], disclosure: Disclosure) -> bytes:
    """The page's `incident` messages for this reader: what a paper record it may not see did
    shows as counts changed (the incident's counts are everyone's; the record is not)."""
    return b"".join(
        message(
            "incident",
            c.position,
            msgspec.json.encode(
                SituationChange(
                    c.position,
                    c.event_type if disclosure.may_see(c.record) else COUNTS_CHANGED,
                    c.incident,
                )
            ),
        )
        for c in changes
    )


def rounds_messages(incidents: list[msgspec.Raw], position: int) -> bytes:
    """Incidents whose rounds the clock moved (`watch.since` a serial), or that a stream which
    resumes is sent as they stand: counts only, which every reader of the picture sees; the `id`
    is the stream's position (no event caused them)."""
    return b"".join(
        message(
            "incident",
            position,
            msgspec.json.encode(SituationChange(position, ROUNDS_CHANGED, incident)),
        )
        for incident in incidents
    )


async def rounds_standing(
    request: Request[Any, Any, Any], mode: str, after: int
) -> list[msgspec.Raw]:
    """Each open incident with rounds as it stands, for a stream that resumes after `after`: no
    position tells what the clock moved while it was away. The incident is read once the picture
    holds `after` (never older than what the reader saw; the closed left out: their close is in
    the page after `after`, or was seen before it), with its counts as the watch's last turn
    worked them out: a change since is a tick the stream sends after these."""
    shared: SharedChanges = request.app.state.shared_changes
    views: IncidentViews = request.app.state.incident_views
    await caught_up(request, SITUATION.name, after)
    _, states = await reads.situation_as_of(pool_of(request), mode=mode, which="open")
    standing = []
    for view in (views.view(state) for state in states):
        if counts := shared.watch.last_counts(view.incident_id):
            shown = msgspec.structs.replace(view, rounds=counts)
            standing.append(msgspec.Raw(msgspec.json.encode(shown)))
    return standing


class SharedChanges:
    """Every stream of one process reads and renders each page of the log once.

    With fifty dashboards open, each event would otherwise be read from the log, waited for in
    the projection, looked up and rendered fifty times. Streams at the same position and mode
    await the same page; the last pages are kept for streams a little behind.

    A page is shared only within one generation of the notifier (its current waiter): a page
    read before the last notification may lack what that notification announced, and a stream
    that took its waiter in that generation is woken by it and reads again."""

    KEPT = 64

    def __init__(
        self,
        store: EventStore,
        notifier: Notifier,
        pool: asyncpg.Pool,
        plan: Plan,
        codec: Codec,
        watch: RoundsWatch,
    ) -> None:
        self.store, self.notifier, self.pool, self.plan = store, notifier, pool, plan
        self.codec, self.watch = codec, watch
        self._pages: dict[tuple[int, str, asyncio.Event], asyncio.Task[Page]] = {}

    def page(self, after: int, mode: str, generation: asyncio.Event) -> asyncio.Task[Page]:
        key = (after, mode, generation)
        if (task := self._pages.get(key)) is None or (task.done() and task.exception()):
            task = asyncio.ensure_future(self._render(after, mode))
            self._pages[key] = task
            while len(self._pages) > self.KEPT:
                self._pages.pop(next(iter(self._pages)))
        return task

    async def _render(self, after: int, mode: str) -> Page:
        """One message per incident the page changed, as it stands after the page's last change
        to it, in the order of those changes. Events that arrive together are so sent together:
        a stream that has fallen behind catches up in a few messages, not one per event."""
        events = await self.store.read_all(after, PAGE)
        last: dict[UUID, RecordedEvent] = {}
        for event in events:
            incident_id = incident_of(fact_of(event))
            if incident_id is not None and event.mode == mode:
                last.pop(incident_id, None)  # re-inserted: dicts keep the order of the last change
                last[incident_id] = event
        changes: list[Change] = []
        if last:
            newest = max(event.position for event in last.values())
            await reads.wait_for(self.pool, self.notifier, SITUATION.name, newest)
        entries = await reads.situation_entries(self.pool, list(last)) if last else {}
        heads = await reads.record_heads(self.pool, list(last.values()))
        listed = await self.watch.listed_units() if entries else set()
        for incident_id, event in last.items():
            if (entry := entries.get(incident_id)) is not None:
                shown = incident_view(entry, self.plan)
                counts = await self.watch.counts(incident_id, shown.affected_units, listed)
                shown = msgspec.structs.replace(shown, rounds=counts) if counts else shown
                view = msgspec.Raw(msgspec.json.encode(shown))
                changes.append(Change(event.position, event.type, record_of(event, heads), view))
        # The stream moves past the events that changed nothing it shows, too. The views are
        # encoded here once, for every stream at this page.
        end = events[-1].position if events else None
        return end, changes, len(events) == PAGE


async def _changes(
    request: Request[Any, Any, Any], plan: Plan, mode: str, resume: int | None
) -> AsyncIterator[bytes]:
    notifier: Notifier = request.app.state.notifier
    pool = pool_of(request)
    shared: SharedChanges = request.app.state.shared_changes
    disclosure = Disclosure(Reader.of(principal_of(request)), shared.codec, "GET " + STREAM)
    if resume is None:
        views: IncidentViews = request.app.state.incident_views
        after, states = await reads.situation_as_of(pool, mode=mode, which="open")
        snapshot = await shared.watch.with_rounds([views.view(state) for state in states])
        yield message("snapshot", after, msgspec.json.encode(snapshot))
    else:
        after = resume
    # A stream that resumes missed the rounds the clock moved while it was away: it is sent each
    # open incident with rounds as it stands, before the page after its position, then the
    # changes from the watch's last turn on (taken together: no turn ends between them).
    standing = await rounds_standing(request, mode, after) if resume is not None else []
    ticked = shared.watch.serial  # the rounds' changes from now on
    idle = 0.0
    authenticator: Authenticator = request.app.state.authenticator
    principal = principal_of(request)
    loop = asyncio.get_running_loop()
    checked = loop.time()
    while True:
        if loop.time() - checked >= KEY_CHECK_SECONDS:
            checked = loop.time()
            if not await _still_valid(authenticator, principal):
                yield b": the key was revoked\n\n"
                return
        woken = notifier.waiter()
        # shield: one stream closing must not cancel the page the others are waiting for.
        end, changes, full = await asyncio.shield(shared.page(after, mode, woken))
        after = after if end is None else end
        moved = [t.incident for t in shared.watch.since(ticked, mode)]
        # The clock's changes before the page's: a page read after a tick (an incident closed
        # since) must come last, so that the reader is left with the newer.
        chunk = (
            rounds_messages(standing, after)
            + rounds_messages(moved, after)
            + messages(changes, disclosure)
        )
        ticked, standing = shared.watch.serial, []
        if chunk:
            yield chunk
            idle = 0.0
        if not full:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), 1.0)
            idle += 1.0
            if idle >= KEEP_ALIVE_SECONDS:
                idle = 0.0
                yield KEEP_ALIVE


async def _still_valid(authenticator: Authenticator, principal: Principal) -> bool:
    """A stream lives no longer than its key; one the database cannot answer for ends too (the
    client reconnects and is told why)."""
    try:
        return await authenticator.still_valid(principal)
    except StoreUnavailable:
        return False
