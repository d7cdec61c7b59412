"""Incidents: declare an outage, record the plan's steps on it, read it back."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID, uuid5

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody

from domain.base import Person
from domain.incident import DetectedVia, Incident
from service.api import idempotency
from service.api.guards import principal_of
from service.api.problems import ApiProblem, IdempotencyKeyReused, NotFound
from service.api.schemas import (
    DeclareIncident,
    IncidentClosedIn,
    IncidentDeclared,
    IncidentStep,
    IncidentView,
    NoteAddedIn,
    PersonIn,
    Receipt,
    SystemRestoredIn,
    TimelineEntry,
)
from service.auth import Role
from service.events import EventIdReused
from service.events import Receipt as StoreReceipt
from service.incidents import IncidentNotFound, IncidentService, WriteContext

IdempotencyKey = Annotated[str | None, HeaderParameter(name="Idempotency-Key", required=False)]
IfMatch = Annotated[str | None, HeaderParameter(name="If-Match", required=False)]
WRITERS = (Role.REPORTER, Role.STAFF, Role.LEADER, Role.IT)
READERS = (Role.STAFF, Role.LEADER, Role.IT, Role.AUDITOR)


def person(p: PersonIn) -> Person:
    return Person(id=p.id, name=p.name, role=p.role)


def receipt_body(receipt: StoreReceipt) -> Receipt:
    return Receipt(**dataclasses.asdict(receipt))


def view(incident: Incident, mode: str) -> IncidentView:
    return IncidentView(
        incident_id=incident.id,
        title=incident.title,
        status=incident.status,  # type: ignore[arg-type]
        detected_at=incident.detected_at,
        detected_via=incident.detected_via.value,
        systems_down=incident.systems_down,
        systems_restored=list(incident.systems_restored),
        affected_units=list(incident.affected_units),
        mode=mode,  # type: ignore[arg-type]
        version=incident.version,
        last_change_at=incident.last_change_at,
        closed_at=incident.closed_at,
    )


def parse_if_match(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip().removeprefix("W/").strip('"'))
    except ValueError:
        raise ApiProblem(400, "invalid-if-match", 'If-Match must be a version, like "3"') from None


def apply_step(step: IncidentStep) -> Any:
    by, at = person(step.by), step.occurred_at
    if isinstance(step, SystemRestoredIn):
        return lambda i: i.restore(step.system, by, at)
    if isinstance(step, NoteAddedIn):
        return lambda i: i.add_note(step.text, by, at)
    assert isinstance(step, IncidentClosedIn)
    return lambda i: i.close(by, at, step.waiver_reason)


class IncidentController(Controller):
    """IT-nedbrud: the outage and every step of the plan recorded on it."""

    path = "/v1/incidents"
    tags = ["incidents"]

    @post("/", operation_id="declareIncident", status_code=201, opt={"roles": WRITERS})
    async def declare(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[DeclareIncident],
        incidents: NamedDependency[IncidentService],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[IncidentDeclared]:
        """Declare an outage (the plan's alarmering starts here)."""
        principal = principal_of(request)
        event_id = idempotency.event_id_for(principal, idempotency.check_key(idempotency_key))
        incident_id = uuid5(event_id, "incident")
        record = idempotency.record_for(
            request, principal, idempotency_key, data, 201, {"incident_id": incident_id}
        )
        if stored := await idempotency.replay(request.app.state.pool, incidents.store, record):
            return stored
        incident = Incident(
            id=incident_id,
            title=data.title,
            description=data.description,
            detected_via=DetectedVia(data.detected_via),
            reported_by=person(data.reported_by),
            affected_systems=tuple(data.affected_systems),
            affected_units=tuple(data.affected_units),
            occurred_at=data.occurred_at,
        )
        ctx = WriteContext(event_id, source=principal.scope, mode=data.mode, idempotency=record)
        try:
            receipt = await incidents.declare(incident, ctx)
        except EventIdReused:
            raise IdempotencyKeyReused() from None
        body = IncidentDeclared(
            **msgspec.structs.asdict(receipt_body(receipt)), incident_id=incident_id
        )
        return Response(body, status_code=201, headers={"Location": f"/v1/incidents/{incident_id}"})

    @post(
        "/{incident_id:uuid}/events",
        operation_id="recordIncidentStep",
        status_code=201,
        opt={"roles": WRITERS},
    )
    async def record_step(
        self,
        request: Request[Any, Any, Any],
        incident_id: FromPath[UUID],
        data: JSONBody[IncidentStep],
        incidents: NamedDependency[IncidentService],
        idempotency_key: IdempotencyKey = None,
        if_match: IfMatch = None,
    ) -> Response[Receipt]:
        """Record that a step of the plan happened on this incident."""
        principal = principal_of(request)
        event_id = idempotency.event_id_for(principal, idempotency.check_key(idempotency_key))
        record = idempotency.record_for(request, principal, idempotency_key, data, 201)
        if stored := await idempotency.replay(request.app.state.pool, incidents.store, record):
            return stored
        ctx = WriteContext(event_id, source=principal.scope, mode=data.mode, idempotency=record)
        try:
            receipt = await incidents.act(
                incident_id, apply_step(data), ctx, if_match=parse_if_match(if_match)
            )
        except IncidentNotFound:
            raise NotFound("the incident") from None
        except EventIdReused:
            raise IdempotencyKeyReused() from None
        return Response(receipt_body(receipt), status_code=201)

    @get("/{incident_id:uuid}", operation_id="getIncident", opt={"roles": READERS})
    async def get_incident(
        self, incident_id: FromPath[UUID], incidents: NamedDependency[IncidentService]
    ) -> Response[IncidentView]:
        """The incident's current state, with its version as ETag."""
        try:
            history = await incidents.history(incident_id)
        except IncidentNotFound:
            raise NotFound("the incident") from None
        incident = incidents.codec.replay(history)
        assert isinstance(incident, Incident)
        return Response(view(incident, history[0].mode), headers={"ETag": f'"{incident.version}"'})

    @get("/{incident_id:uuid}/timeline", operation_id="getIncidentTimeline", opt={"roles": READERS})
    async def timeline(
        self,
        incident_id: FromPath[UUID],
        incidents: NamedDependency[IncidentService],
        occurred_before: FromQuery[datetime | None] = None,
        known_at: FromQuery[datetime | None] = None,
    ) -> list[TimelineEntry]:
        """Every event of the incident, by when it happened, as known at `known_at`."""
        try:
            history = await incidents.history(incident_id)
        except IncidentNotFound:
            raise NotFound("the incident") from None
        for name, at in (("occurred_before", occurred_before), ("known_at", known_at)):
            if at is not None and at.tzinfo is None:
                raise ApiProblem(422, "invalid-request", f"{name}: a time needs an offset")
        entries = [
            TimelineEntry(
                event_id=e.event_id,
                type=e.type,
                occurred_at=e.occurred_at,
                recorded_at=e.recorded_at,
                position=e.position,
                version=e.version,
                stream_id=e.stream_id,
                by=(data := incidents.codec.data(e)).get("by"),
                data=data,
            )
            for e in history
            if (occurred_before is None or e.occurred_at < occurred_before)
            and (known_at is None or e.recorded_at <= known_at)
        ]
        return sorted(entries, key=lambda t: (t.occurred_at, t.position))
