"""Incidents: declare an outage, record the plan's steps on it, read it back."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from litestar import Controller, HttpMethod, Request, Response, get, post, route
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from domain.plan import Plan
from service.access.disclosure import Disclosure, Reader
from service.api.guards import principal_of
from service.api.reading import (
    AfterPosition,
    ModeQuery,
    Purpose,
    QueryTime,
    caught_up,
    pool_of,
    query_time,
)
from service.api.schemas import (
    DeclareIncident,
    IncidentDeclared,
    IncidentView,
    Receipt,
    TimelineEntry,
)
from service.api.steps import EventCorrectedIn, IncidentClosedIn, IncidentStep, command, person
from service.api.timeline import timeline_csv, timeline_entries
from service.api.views import incident_view
from service.api.writes import IdempotencyKey, IfMatch, context_of, parse_if_match, respond
from service.log.streams import StreamNotFound
from service.read import reads
from service.read.projections import SITUATION
from service.write import commands
from service.write.incidents import IncidentService
from service.write.use_cases import UseCases


def declare_command(data: DeclareIncident) -> commands.DeclareIncident:
    """declareIncident's body as the write side's command."""
    return commands.DeclareIncident(
        title=data.title,
        description=data.description,
        detected_via=data.detected_via,
        reported_by=person(data.reported_by),
        affected_systems=tuple(data.affected_systems),
        affected_units=tuple(data.affected_units),
        occurred_at=data.occurred_at,
        mode=data.mode,
    )


def step_command(
    incident_id: UUID, data: IncidentStep, plan: Plan, expected: int | None = None
) -> commands.IncidentStepCommand:
    """recordIncidentStep's body as the write side's command: closing and corrections are
    commands of their own, every other step the incident's command for it."""
    by, at = person(data.by), data.occurred_at
    if isinstance(data, IncidentClosedIn):
        return commands.CloseIncident(
            incident_id, by, at, data.waiver_reason, data.mode, expected_version=expected
        )
    if isinstance(data, EventCorrectedIn):
        return commands.CorrectEvent(
            incident_id,
            data.corrects_event_id,
            data.reason,
            data.correction,
            by,
            at,
            data.mode,
            expected_version=expected,
        )
    return commands.RecordStep(
        incident_id,
        lambda event_id: command(data, event_id, plan),
        at,
        data.mode,
        expected_version=expected,
    )


class IncidentController(Controller):
    """IT-nedbrud: the outage and every step of the plan recorded on it."""

    path = "/v1/incidents"
    tags = ["incidents"]

    @post("/", operation_id="declareIncident", status_code=201)
    async def declare(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[DeclareIncident],
        use_cases: NamedDependency[UseCases],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[IncidentDeclared]:
        """Declare an outage (the plan's alarmering starts here)."""
        ctx = context_of(request, idempotency_key, data)
        return respond(await use_cases.declare_incident(declare_command(data), ctx))

    @post(
        "/{incident_id:uuid}/events",
        operation_id="recordIncidentStep",
        status_code=201,
    )
    async def record_step(
        self,
        request: Request[Any, Any, Any],
        incident_id: FromPath[UUID],
        data: JSONBody[IncidentStep],
        use_cases: NamedDependency[UseCases],
        plan_in_force: NamedDependency[Plan],
        idempotency_key: IdempotencyKey = None,
        if_match: IfMatch = None,
    ) -> Response[Receipt]:
        """Record that a step of the plan happened on this incident."""
        cmd = step_command(incident_id, data, plan_in_force, parse_if_match(if_match))
        ctx = context_of(request, idempotency_key, data)
        return respond(await use_cases.record_incident_step(cmd, ctx))

    @route("/", http_method=HttpMethod.OPTIONS, include_in_schema=False)
    async def allowed_methods(self) -> Response[None]:
        """Litestar 2 answers OPTIONS itself naming only the first of a path's methods (its
        #4169); this handler is found first (handlers are taken by name), so it answers."""
        return Response(None, status_code=204, headers={"Allow": "GET, OPTIONS, POST"})

    @get("/", operation_id="listIncidents")
    async def list_incidents(
        self,
        request: Request[Any, Any, Any],
        plan_in_force: NamedDependency[Plan],
        status: FromQuery[Literal["open", "closed", "all"]] = "open",
        mode: ModeQuery = "actual",
        after_position: AfterPosition = 0,
    ) -> list[IncidentView]:
        """The incidents, oldest first: open (not yet closed) by default."""
        await caught_up(request, SITUATION.name, after_position)
        entries = await reads.situation(pool_of(request), mode=mode, which=status)
        return [incident_view(e, plan_in_force) for e in entries]

    @get("/{incident_id:uuid}", operation_id="getIncident")
    async def get_incident(
        self,
        request: Request[Any, Any, Any],
        incident_id: FromPath[UUID],
        incidents: NamedDependency[IncidentService],
        plan_in_force: NamedDependency[Plan],
    ) -> Response[IncidentView]:
        """The incident as the situation picture shows it, with its version as ETag; it always
        includes the incident's own latest event."""
        latest = await incidents.store.last_position_of(incident_id)
        if latest is None:
            raise StreamNotFound(incident_id)
        await caught_up(request, SITUATION.name, latest)
        entry = await reads.situation_entry(pool_of(request), incident_id)
        if entry is None:
            raise StreamNotFound(incident_id)
        body = incident_view(entry, plan_in_force)
        return Response(body, headers={"ETag": f'"{entry.version}"'})

    @get("/{incident_id:uuid}/timeline", operation_id="getIncidentTimeline")
    async def timeline(
        self,
        request: Request[Any, Any, Any],
        incident_id: FromPath[UUID],
        incidents: NamedDependency[IncidentService],
        occurred_before: QueryTime = None,
        known_at: QueryTime = None,
        format: FromQuery[Literal["json", "csv"] | None] = None,
        purpose: Purpose = None,
    ) -> Response[list[TimelineEntry]]:
        """Every event of the incident and the paper records this key sees, by when it happened,
        as known at `known_at`; `Accept: text/csv` or `format=csv` for a spreadsheet. Names, free
        text and the records' details only with a `purpose` (access log)."""
        before = query_time("occurred_before", occurred_before)
        known = query_time("known_at", known_at)
        disclosure = Disclosure(
            Reader.of(principal_of(request), purpose),
            incidents.codec,
            "GET /v1/incidents/{incident_id}/timeline",
        )
        history = await incidents.timeline(incident_id)
        shown = [
            e
            for e in history
            if (before is None or e.occurred_at < before)
            and (known is None or e.recorded_at <= known)
        ]
        entries = sorted(
            timeline_entries(disclosure, shown, history), key=lambda t: (t.occurred_at, t.position)
        )
        await disclosure.release(pool_of(request))  # before anything leaves
        wants_csv = format == "csv" or (
            format is None and "text/csv" in request.headers.get("accept", "")
        )
        if wants_csv:
            filename = f"tidslinje-{incident_id}.csv"
            return Response(
                timeline_csv(entries),  # type: ignore[arg-type]
                media_type="text/csv",  # Litestar adds "; charset=utf-8"
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )
        return Response(entries)
