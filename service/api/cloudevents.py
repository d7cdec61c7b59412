"""CloudEvents 1.0 in (structured and batch modes): other systems post the plan's events here.

Each CloudEvent is translated into the REST operation it names (`type`), on the resource its
`subject` names, with `data` as the body and `time` as the occurred-at time when `data` leaves it
out, and dispatched through this same app. So both ways in share every rule, refusal and receipt.
`source` + `id` become the Idempotency-Key: a retried event is answered from the store. In a batch
each event gets its own answer, and a refused event never blocks the others.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

import msgspec
from litestar import Controller, Request, Response, post
from msgspec import Meta, Struct

from service.api.guards import principal_of
from service.api.problems import PROBLEM_JSON, ApiProblem
from service.api.schemas import AwareTime
from service.api.steps import IncidentStep

STRUCTURED = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"
MAX_BATCH = 100
PREFIX = "dk.nedbrud."
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
STEP_TYPES = {t.__struct_config__.tag for t in IncidentStep.__args__}


class CloudEvent(Struct, forbid_unknown_fields=False):
    """A CloudEvents 1.0 event in structured mode."""

    specversion: Literal["1.0"]
    id: Annotated[str, Meta(min_length=1, max_length=200)]
    source: Annotated[str, Meta(min_length=1, max_length=500)]
    type: Annotated[str, Meta(min_length=1, max_length=200)]
    data: dict[str, Any]
    subject: str | None = None
    time: AwareTime | None = None
    datacontenttype: str | None = None

    # Added to the OpenAPI document: filled in below, once the types taken are known.
    json_schema_extra: ClassVar[dict[str, Any]] = {}


class BatchAnswer(Struct):
    """A batch's answer: one per event, in the batch's order."""

    results: list[EventAnswer]


class EventAnswer(Struct, omit_defaults=True):
    """One event's answer in a batch: accepted, duplicate (answered before) or refused."""

    id: str | None
    source: str | None
    status: Literal["accepted", "duplicate", "refused"]
    http_status: int
    receipt: dict[str, Any] | None = None
    problem: dict[str, Any] | None = None


# type (after the prefix) -> (path for a subject, the data field that `time` fills)
Route = tuple[Callable[[str], str], str, Literal["uuid", "slug", None]]
ROUTES: dict[str, Route] = {
    "incident.detected": (lambda _: "/v1/incidents", "occurred_at", None),
    "medication-dispensed": (
        lambda s: f"/v1/incidents/{s}/medication-dispensings",
        "dispensed_at",
        "uuid",
    ),
    "care-delivered": (lambda s: f"/v1/incidents/{s}/care-deliveries", "occurred_at", "uuid"),
    "entered-in-journal": (lambda s: f"/v1/manual-records/{s}/journal-entry", "entered_at", "uuid"),
    "record-voided": (lambda s: f"/v1/manual-records/{s}/void", "occurred_at", "uuid"),
    "medication-list-printed": (
        lambda s: f"/v1/units/{s}/medication-list-prints",
        "printed_at",
        "slug",
    ),
    **{t: (lambda s: f"/v1/incidents/{s}/events", "occurred_at", "uuid") for t in STEP_TYPES},
}


# The document names the types taken; `data` is the body of the REST operation the type names.
CloudEvent.json_schema_extra.update(
    properties={
        "type": {"enum": sorted(PREFIX + name for name in ROUTES)},
        "data": {"description": "the body of the REST operation that `type` names"},
    }
)


def _refusal(status: int, slug: str, detail: str, field: str) -> tuple[int, dict[str, Any]]:
    problem = {
        "type": f"/problems/{slug}",
        "title": slug.replace("-", " ").capitalize(),
        "status": status,
        "detail": detail,
        "errors": [{"field": field, "message": detail}],
    }
    return status, problem


def translate(event: CloudEvent) -> tuple[str, dict[str, Any]] | tuple[int, dict[str, Any]]:
    """The REST path and body for an event, or the status and problem that refuse it."""
    kind = event.type.removeprefix(PREFIX)
    route = ROUTES.get(kind) if event.type.startswith(PREFIX) else None
    if route is None:
        return _refusal(
            422, "unknown-event-type", f"type {event.type!r} is not one we take", "type"
        )
    path_for, time_field, subject_kind = route
    subject = event.subject or ""
    if subject_kind == "uuid" and not UUID_RE.match(subject):
        return _refusal(422, "invalid-request", "subject must be the id it acts on", "subject")
    if subject_kind == "slug" and not SLUG_RE.match(subject):
        return _refusal(422, "invalid-request", "subject must be a unit slug", "subject")
    body = dict(event.data)
    if kind in STEP_TYPES:
        body["type"] = kind
    if event.time is not None and time_field not in body:
        body[time_field] = event.time.isoformat()
    return path_for(subject), body


async def dispatch(
    request: Request[Any, Any, Any], path: str, body: dict[str, Any], key: str
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """POST `body` to `path` through this app, as the caller, with `key` as Idempotency-Key."""
    payload = msgspec.json.encode(body)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        (b"idempotency-key", key.encode()),
        (b"authorization", request.headers.get("authorization", "").encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": request.scope.get("client"),
        "server": request.scope.get("server"),
        "state": {},
    }
    sent = False
    status, chunks, answer_headers = 500, [], {}

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": payload, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
            answer_headers.update({k.decode().lower(): v.decode() for k, v in message["headers"]})
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await request.app(scope, receive, send)  # type: ignore[arg-type]
    content = b"".join(chunks)
    return status, (msgspec.json.decode(content) if content else {}), answer_headers


def idempotency_key(event: CloudEvent) -> str:
    return "ce-" + hashlib.sha256(f"{event.source}\n{event.id}".encode()).hexdigest()


async def handle(request: Request[Any, Any, Any], raw: Any) -> EventAnswer:
    try:
        event = msgspec.convert(raw, CloudEvent)
    except msgspec.ValidationError as exc:
        named = re.search(r"field `([^`]+)`|at `\$\.([^`]+)`", str(exc))
        field = next((g for g in named.groups() if g), "event") if named else "event"
        status, problem = _refusal(422, "invalid-request", str(exc), field)
        ident = raw.get("id") if isinstance(raw, dict) else None
        source = raw.get("source") if isinstance(raw, dict) else None
        return EventAnswer(
            str(ident) if ident else None,
            str(source) if source else None,
            "refused",
            status,
            problem=problem,
        )
    route = translate(event)
    if isinstance(route[0], int):
        return EventAnswer(event.id, event.source, "refused", route[0], problem=route[1])
    path, body = route
    status, answer, headers = await dispatch(request, path, body, idempotency_key(event))
    if status < 300:
        replayed = headers.get("idempotent-replayed") == "true"
        return EventAnswer(
            event.id, event.source, "duplicate" if replayed else "accepted", status, receipt=answer
        )
    return EventAnswer(event.id, event.source, "refused", status, problem=answer)


async def handle_batch(request: Request[Any, Any, Any], raw: list[Any]) -> list[EventAnswer]:
    """Each event's answer, in the batch's order. Events about the same subject (or repeating the
    same source and id) are taken one after another, in order; the rest at once, so that group
    commit writes them in a few transactions instead of one each."""
    groups: dict[Any, list[int]] = {}
    for index, item in enumerate(raw):
        item = item if isinstance(item, dict) else {}
        subject = item.get("subject")
        key: tuple[str, ...] = (
            ("subject", subject)
            if isinstance(subject, str) and subject
            else ("event", str(item.get("source")), str(item.get("id")))
        )
        groups.setdefault(key, []).append(index)
    answers: list[EventAnswer | None] = [None] * len(raw)

    async def in_order(indexes: list[int]) -> None:
        for index in indexes:
            answers[index] = await handle(request, raw[index])

    await asyncio.gather(*(in_order(indexes) for indexes in groups.values()))
    return [answer for answer in answers if answer is not None]


class CloudEventsController(Controller):
    """CloudEvents from other municipal systems (monitoring, care systems, alarm systems)."""

    path = "/v1/cloudevents"
    tags = ["cloudevents"]

    @post("/", operation_id="postCloudEvents", status_code=200)
    async def receive(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """One structured CloudEvent (answered like its REST operation), or a batch of up to 100
        (answered per event)."""
        principal_of(request)
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in (STRUCTURED, BATCH):
            raise ApiProblem(415, "unsupported-media-type", f"send {STRUCTURED} or {BATCH}")
        try:
            raw = msgspec.json.decode(await request.body())
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            raise ApiProblem(400, "malformed-json", "the body is not valid JSON") from None
        if media == STRUCTURED:
            answer = await handle(request, raw)
            if answer.status == "refused":
                return Response(
                    answer.problem, status_code=answer.http_status, media_type=PROBLEM_JSON
                )
            headers = {"Idempotent-Replayed": "true"} if answer.status == "duplicate" else None
            return Response(answer.receipt, status_code=answer.http_status, headers=headers)
        if not isinstance(raw, list) or not raw or len(raw) > MAX_BATCH:
            raise ApiProblem(
                422,
                "invalid-batch",
                f"a batch is a JSON array of 1 to {MAX_BATCH} events",
            )
        return Response(BatchAnswer(results=await handle_batch(request, raw)), status_code=200)
