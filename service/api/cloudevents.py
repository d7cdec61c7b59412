"""CloudEvents 1.0 in (structured, batch and binary modes): other systems post the plan's events
here. In binary mode (the default of many producers) the attributes are `ce-*` headers and the
body is `data`; in structured mode binary data may come as `data_base64`. Either way `data` is
JSON: the body of a REST operation.

Each CloudEvent is translated into the REST operation it names (`type`), on the resource its
`subject` names, with `data` as the body and `time` as the occurred-at time when `data` leaves it
out. The operation's own function does the work, after the same checks the REST endpoint makes
(the role may do it, the key is within its rate limit, the body is the endpoint's body), and its
refusals become the same problems. So both ways in share every rule, refusal and receipt, without
paying for a second trip through the HTTP layer for each event of a batch.
`source` + `id` become the Idempotency-Key: a retried event is answered from the store. In a batch
each event gets its own answer, and a refused event never blocks the others.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, get_args
from urllib.parse import unquote
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from msgspec import Meta, Struct

from service.api.guards import may_do, principal_of
from service.api.incidents import declare_command, step_command
from service.api.problems import PROBLEM_JSON, ApiProblem, answer_to, invalid_body
from service.api.record_schemas import (
    JournalEntryIn,
    MedicationListPrintIn,
    RecordCareDelivery,
    RecordMedicationDispensing,
    VoidIn,
)
from service.api.records import care_command, dispensing_command, journal_command, void_command
from service.api.schemas import AwareTime, DeclareIncident, typed_or_null
from service.api.steps import IncidentStep
from service.api.units import print_command
from service.write.use_cases import Answer, Context, UseCases

STRUCTURED = "application/cloudevents+json"
BATCH = "application/cloudevents-batch+json"
MAX_BATCH = 100
MODES = f"{STRUCTURED} (structured), {BATCH} (batch), or ce-* headers with a JSON body (binary)"
JSON_MEDIA = re.compile(r"^application/(?:[\w.+-]+\+)?json$")
PREFIX = "dk.nedbrud."
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
STEP_TYPES = {t.__struct_config__.tag for t in get_args(IncidentStep)}


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

    # Typed in the document: the receipt of the REST operation the event names (with its own
    # fields, such as record_id), or the problem it was refused with.
    json_schema_extra: ClassVar[dict[str, Any]] = typed_or_null(
        receipt="Receipt", problem="Problem"
    )


@dataclass(frozen=True)
class Operation:
    """The REST operation a CloudEvent type names."""

    operation_id: str
    body: Any  # the type the REST endpoint decodes its body into
    time_field: str  # the body's field that the event's `time` fills
    subject: Literal["uuid", "slug", None]
    path: Callable[[str], str]  # the REST path for a subject (the idempotency fingerprint has it)
    # the use case it calls, with the subject and the body decoded into `body`
    perform: Callable[[UseCases, Context, str, Any], Awaitable[Answer]]


STEP = Operation(
    "recordIncidentStep",
    IncidentStep,
    "occurred_at",
    "uuid",
    lambda s: f"/v1/incidents/{s}/events",
    lambda u, c, s, d: u.record_incident_step(step_command(UUID(s), d, u.incidents.plan), c),
)
# type, after the prefix -> its operation
ROUTES: dict[str, Operation] = {
    "incident.detected": Operation(
        "declareIncident",
        DeclareIncident,
        "occurred_at",
        None,
        lambda _: "/v1/incidents",
        lambda u, c, _, d: u.declare_incident(declare_command(d), c),
    ),
    "medication-dispensed": Operation(
        "recordMedicationDispensing",
        RecordMedicationDispensing,
        "dispensed_at",
        "uuid",
        lambda s: f"/v1/incidents/{s}/medication-dispensings",
        lambda u, c, s, d: u.record_dispensing(dispensing_command(UUID(s), d), c),
    ),
    "care-delivered": Operation(
        "recordCareDelivery",
        RecordCareDelivery,
        "occurred_at",
        "uuid",
        lambda s: f"/v1/incidents/{s}/care-deliveries",
        lambda u, c, s, d: u.record_care_delivery(care_command(UUID(s), d), c),
    ),
    "entered-in-journal": Operation(
        "markEnteredInJournal",
        JournalEntryIn,
        "entered_at",
        "uuid",
        lambda s: f"/v1/manual-records/{s}/journal-entry",
        lambda u, c, s, d: u.mark_entered_in_journal(journal_command(UUID(s), d), c),
    ),
    "record-voided": Operation(
        "voidManualRecord",
        VoidIn,
        "occurred_at",
        "uuid",
        lambda s: f"/v1/manual-records/{s}/void",
        lambda u, c, s, d: u.void_record(void_command(UUID(s), d), c),
    ),
    "medication-list-printed": Operation(
        "recordMedicationListPrint",
        MedicationListPrintIn,
        "printed_at",
        "slug",
        lambda s: f"/v1/units/{s}/medication-list-prints",
        lambda u, c, s, d: u.record_list_print(print_command(s, d), c),
    ),
    **dict.fromkeys(STEP_TYPES, STEP),
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


def translate(
    event: CloudEvent,
) -> tuple[Operation, str, dict[str, Any]] | tuple[int, dict[str, Any]]:
    """The operation, subject and body for an event, or the status and problem that refuse it."""
    kind = event.type.removeprefix(PREFIX)
    operation = ROUTES.get(kind) if event.type.startswith(PREFIX) else None
    if operation is None:
        return _refusal(
            422, "unknown-event-type", f"type {event.type!r} is not one we take", "type"
        )
    subject = event.subject or ""
    if operation.subject == "uuid" and not UUID_RE.match(subject):
        return _refusal(422, "invalid-request", "subject must be the id it acts on", "subject")
    if operation.subject == "slug" and not SLUG_RE.match(subject):
        return _refusal(422, "invalid-request", "subject must be a unit slug", "subject")
    body = dict(event.data)
    if kind in STEP_TYPES:
        body["type"] = kind
    if event.time is not None and operation.time_field not in body:
        body[operation.time_field] = event.time.isoformat()
    return operation, subject, body


def as_call(request: Request[Any, Any, Any], path: str) -> Request[Any, Any, Any]:
    """The batch's request as the REST operation's refusals see it: the same caller, app and
    request id, POSTed to the operation's own path, with no headers of its own (so no If-Match)."""
    scope: dict[str, Any] = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": request.scope.get("scheme", "http"),
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "client": request.scope.get("client"),
        "server": request.scope.get("server"),
        "app": request.scope["app"],
        "litestar_app": request.scope["litestar_app"],
        "route_handler": request.scope["route_handler"],
        "path_params": {},
        "state": {"principal": principal_of(request)},
    }
    return Request(scope)  # type: ignore[arg-type]


async def perform(
    request: Request[Any, Any, Any],
    use_cases: UseCases,
    operation: Operation,
    subject: str,
    body: dict[str, Any],
    key: str,
) -> Answer | Response[Any]:
    """What the REST endpoint answers: its guard's checks, its body's validation, the same use
    case, and each refusal as the problem the endpoint would give."""
    path = operation.path(subject)
    try:
        may_do(request.app.state.rate_limiter, principal_of(request), operation.operation_id)
        try:
            data = msgspec.convert(body, operation.body, strict=False, str_keys=True)
        except msgspec.ValidationError as exc:
            raise invalid_body(exc) from None
        ctx = Context(principal_of(request), key, ("POST", path, msgspec.to_builtins(data)))
        return await operation.perform(use_cases, ctx, subject, data)
    except Exception as exc:
        return answer_to(as_call(request, path), exc)


def idempotency_key(event: CloudEvent) -> str:
    return "ce-" + hashlib.sha256(f"{event.source}\n{event.id}".encode()).hexdigest()


def _with_data(raw: Any) -> Any:
    """A structured event with its `data_base64` decoded into `data` (JSON, as every operation
    takes); ValueError names what is wrong with it."""
    if not isinstance(raw, dict) or "data_base64" not in raw:
        return raw
    if "data" in raw:
        raise ValueError("an event carries data or data_base64, not both")
    media = str(raw.get("datacontenttype") or "application/json").split(";")[0].strip().lower()
    if not JSON_MEDIA.match(media):
        raise ValueError(f"data must be JSON, not {media}")
    try:
        decoded = base64.b64decode(str(raw["data_base64"]), validate=True)
        data = msgspec.json.decode(decoded)
    except (binascii.Error, msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        raise ValueError("data_base64 is not base64 of a JSON object") from None
    return {key: value for key, value in raw.items() if key != "data_base64"} | {"data": data}


def binary_event(headers: Any, body: bytes) -> dict[str, Any]:
    """The event a binary-mode request carries: its `ce-*` headers (percent-decoded, as the HTTP
    binding says) as attributes, its Content-Type as `datacontenttype`, its body as `data`."""
    media = headers.get("content-type", "").split(";")[0].strip().lower()
    if media and not JSON_MEDIA.match(media):
        raise ApiProblem(415, "unsupported-media-type", f"data must be JSON; send {MODES}")
    try:
        data = msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        raise ApiProblem(400, "malformed-json", "the body (the event's data) is not JSON") from None
    event: dict[str, Any] = {
        name.lower()[3:]: unquote(value)
        for name, value in headers.items()
        if name.lower().startswith("ce-")
    }
    return event | {"datacontenttype": media or "application/json", "data": data}


async def handle(request: Request[Any, Any, Any], use_cases: UseCases, raw: Any) -> EventAnswer:
    try:
        event = msgspec.convert(_with_data(raw), CloudEvent)
    except ValueError as exc:  # msgspec's ValidationError too: it is a ValueError
        if isinstance(exc, msgspec.ValidationError):
            named = re.search(r"field `([^`]+)`|at `\$\.([^`]+)`", str(exc))
            field = next((g for g in named.groups() if g), "event") if named else "event"
        else:
            field = "data_base64"
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
    operation, subject, body = route
    answer = await perform(request, use_cases, operation, subject, body, idempotency_key(event))
    if isinstance(answer, Answer):
        outcome: Literal["accepted", "duplicate"] = "duplicate" if answer.replayed else "accepted"
        return EventAnswer(event.id, event.source, outcome, answer.status, receipt=answer.body)
    content = msgspec.to_builtins(answer.content)
    code = answer.status_code or 200
    return EventAnswer(event.id, event.source, "refused", code, problem=content)


async def handle_batch(
    request: Request[Any, Any, Any], use_cases: UseCases, raw: list[Any]
) -> list[EventAnswer]:
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
            answers[index] = await handle(request, use_cases, raw[index])

    await asyncio.gather(*(in_order(indexes) for indexes in groups.values()))
    return [answer for answer in answers if answer is not None]


class CloudEventsController(Controller):
    """CloudEvents from other municipal systems (monitoring, care systems, alarm systems)."""

    path = "/v1/cloudevents"
    tags = ["cloudevents"]

    @post("/", operation_id="postCloudEvents", status_code=200)
    async def receive(
        self, request: Request[Any, Any, Any], use_cases: NamedDependency[UseCases]
    ) -> Response[Any]:
        """One CloudEvent, structured or binary (answered like its REST operation), or a batch
        of up to 100 (answered per event). Binary mode (the attributes in ce-specversion, ce-id,
        ce-source, ce-type, ce-subject and ce-time headers, the body the event's JSON data) is
        taken under the data's own content type, application/json."""
        principal_of(request)
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        binary = "ce-specversion" in request.headers and media not in (STRUCTURED, BATCH)
        if not binary and media not in (STRUCTURED, BATCH):
            raise ApiProblem(415, "unsupported-media-type", f"send {MODES}")
        if binary:
            raw: Any = binary_event(request.headers, await request.body())
        else:
            try:
                raw = msgspec.json.decode(await request.body())
            except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
                raise ApiProblem(400, "malformed-json", "the body is not valid JSON") from None
        if binary or media == STRUCTURED:
            answer = await handle(request, use_cases, raw)
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
        results = await handle_batch(request, use_cases, raw)
        return Response(BatchAnswer(results=results), status_code=200)
