"""Every refusal leaves as application/problem+json with a stable `type` slug."""

from __future__ import annotations

import logging
import re
import traceback
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from domain.errors import DomainError
from domain.rounds_errors import AlreadyGiven
from service.access.access_log import AccessLogUnavailable
from service.access.disclosure import PurposeNotAllowed
from service.access.matrix import NotYoursToCorrect
from service.api import problems_da as da
from service.api.problems_da import DANISH
from service.api.schemas import FieldError, Problem
from service.log.events import EventIdReused, StoreUnavailable, WrongExpectedVersion
from service.log.store import UNAVAILABLE
from service.log.streams import StreamNotFound
from service.read.reads import PositionBeyondLog, ProjectionBehind
from service.runtime.logs import REQUEST_ID
from service.write.errors import (
    FieldRefused,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    Refused,
    UnitNotAllowed,
)

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 2


class ApiProblem(HTTPException):
    """An HTTP refusal with its own problem type slug."""

    def __init__(
        self, status: int, slug: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(status_code=status, detail=detail, headers=headers)
        self.slug = slug
        self.errors: list[FieldError] | None = None


class InvalidField(ApiProblem):
    """422 naming one field of the body (never quoting its value: it may be a CPR number)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(422, "invalid-request", f"{field}: {message}")
        self.errors = [FieldError(field=field, message=message)]


class FieldBeyondRange(ApiProblem):
    """422 for a field the schema takes but a rule beyond it refuses: a problem type of its own
    (`out-of-range`), naming the field and never quoting its value."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(422, "out-of-range", f"{field}: {message}")
        self.errors = [FieldError(field=field, message=message)]


class InvalidPosition(ApiProblem):
    """400: a position to resume from that is not a non-negative integer."""

    def __init__(self, field: str) -> None:
        message = "must be a non-negative integer (a position in the log)"
        super().__init__(400, "invalid-position", f"{field}: {message}")
        self.errors = [FieldError(field=field, message=message)]


# Query parameters that name a position in the log: a bad one is 400, as a bad Last-Event-ID.
POSITION_PARAMETERS = frozenset({"after_position", "since_position"})


class NotFound(ApiProblem):
    def __init__(self, what: str) -> None:
        super().__init__(404, "not-found", f"{what} does not exist")


def problem(
    status: int,
    slug: str,
    detail: str | None,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    correlation_id: str | None = None,
    given_record_id: uuid.UUID | None = None,
    given_at: datetime | None = None,
) -> Response[Problem]:
    request_id = REQUEST_ID.get()
    title = slug.replace("-", " ").capitalize()
    if DANISH.get():  # the same refusal, said to the person in front of the screen
        said = [(e.field, e.message) for e in errors or []]
        title, detail = da.title(slug), da.detail(slug, said)
        if errors is not None:
            errors = [FieldError(field=f, message=da.field_message(f, m)) for f, m in said]
    body = Problem(
        type=f"/problems/{slug}",
        title=title,
        status=status,
        detail=detail,
        errors=errors,
        correlation_id=correlation_id,
        request_id=request_id,
        given_record_id=given_record_id,
        given_at=given_at.astimezone(UTC) if given_at is not None else None,
    )
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


_PATH = re.compile(r"\s*-?\s*at `\$\.?([^`]*)`")
_NAMED = re.compile(r"field `([^`]+)`")


# msgspec names the value it refused ("Invalid enum value '0101709999'"): a shifted column puts
# a CPR number there, and a refusal reaches logs and screens. The field is named, not the value.
_ENUM_VALUE = re.compile(r"(Invalid enum value) .*?(?= - at `|$)")


def without_values(message: str) -> str:
    """A validation message with no value the client sent in it."""
    return _ENUM_VALUE.sub(r"\1", message)


def _field_errors(exc: ValidationException) -> list[FieldError]:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        message = str(item.get("message", "")) if isinstance(item, dict) else str(item)
        message = without_values(message)
        key = item.get("key") if isinstance(item, dict) else None
        match, named = _PATH.search(message), _NAMED.search(message)
        path = match.group(1) if match else ""
        if named:  # "Object missing required field `title`": the field is inside the path
            path = f"{path}.{named.group(1)}" if path else named.group(1)
        field = path or (str(key) if key and key != "data" else "body")
        errors.append(FieldError(field=field, message=_PATH.sub("", message).strip(" -")))
    return errors


_AT = re.compile(r"`\$\.(.+)`$")


def invalid_body(exc: msgspec.ValidationError) -> ValidationException:
    """The refusal Litestar gives a body that does not fit its endpoint's type, for a body
    validated outside Litestar (a CloudEvent's `data`): the same fields, the same messages."""
    message = str(exc)
    at = _AT.search(message)
    key = at.group(1) if at else "data"
    extra = [{"message": message.split(" - ", maxsplit=1)[0], "key": key, "source": "body"}]
    return ValidationException(detail="Validation failed", extra=extra)


def answer_to(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    """The problem the app's exception handlers make of `exc`."""
    for kind in type(exc).__mro__:
        if handler := EXCEPTION_HANDLERS.get(kind):
            return handler(request, exc)  # type: ignore[no-any-return, operator]
    raise exc


# Litestar's own words for a missing parameter end with the URL, its query string too.
_MISSING = re.compile(r"^Missing required \w+ parameter '([^']+)' for path ")


def on_validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Problem]:
    missing = _MISSING.match(str(exc.detail))
    if missing:
        errors = [FieldError(field=missing[1], message="is required")]
        return problem(422, "invalid-request", f"{missing[1]}: is required", errors=errors)
    errors = _field_errors(exc)
    if any("malformed" in e.message.lower() or "invalid json" in e.message.lower() for e in errors):
        return problem(400, "malformed-json", "the body is not valid JSON", errors=errors)
    if errors and all(e.field in POSITION_PARAMETERS for e in errors):
        detail = "; ".join(f"{e.field}: must be a non-negative integer" for e in errors)
        return problem(400, "invalid-position", detail, errors=errors)
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or str(exc.detail)
    return problem(422, "invalid-request", detail, errors=errors)


def on_http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Problem]:
    slug = (
        exc.slug
        if isinstance(exc, ApiProblem)
        else {
            400: "bad-request",
            401: "unauthorized",
            403: "forbidden",
            404: "not-found",
            405: "method-not-allowed",
            413: "request-too-large",
            415: "unsupported-media-type",
            429: "too-many-requests",
        }.get(exc.status_code, "http-error")
    )
    errors = exc.errors if isinstance(exc, ApiProblem) else None
    return problem(exc.status_code, slug, exc.detail, errors=errors, headers=exc.headers)


# The status each of the use cases' refusals leaves with (a refusal not named here: 422).
REFUSED_STATUS: dict[type[Refused], int] = {
    FieldRefused: 422,
    UnitNotAllowed: 403,
    IdempotencyKeyReused: 409,
    IdempotencyKeyInvalid: 400,
}


def on_refused(_: Request[Any, Any, Any], exc: Refused) -> Response[Problem]:
    status = next((REFUSED_STATUS[k] for k in type(exc).__mro__ if k in REFUSED_STATUS), 422)
    errors = [FieldError(field=f, message=m) for f, m in exc.errors] or None
    return problem(status, exc.slug, exc.detail, errors=errors)


def on_domain(_: Request[Any, Any, Any], exc: DomainError) -> Response[Problem]:
    field = getattr(exc, "field", None)  # a list's refusal names where, as a path into the body
    errors = [FieldError(field=field, message=str(exc))] if isinstance(field, str) else None
    return problem(422, exc.slug, str(exc), errors=errors)


def on_already_given(_: Request[Any, Any, Any], exc: AlreadyGiven) -> Response[Problem]:
    return problem(
        409, exc.slug, str(exc), given_record_id=exc.given_record_id, given_at=exc.given_at
    )


def on_conflict(request: Request[Any, Any, Any], exc: WrongExpectedVersion) -> Response[Problem]:
    if request.headers.get("if-match"):
        return problem(
            412,
            "precondition-failed",
            f"the incident is at version {exc.actual}, not {exc.expected}",
        )
    return problem(409, "wrong-expected-version", str(exc))


def on_not_found(_: Request[Any, Any, Any], exc: StreamNotFound) -> Response[Problem]:
    return problem(404, "not-found", f"nothing with id {exc.stream_id} exists here")


def on_purpose_not_allowed(_: Request[Any, Any, Any], exc: PurposeNotAllowed) -> Response[Problem]:
    return problem(403, "purpose-not-allowed", str(exc))


def on_not_yours(_: Request[Any, Any, Any], exc: NotYoursToCorrect) -> Response[Problem]:
    return problem(403, exc.slug, str(exc))


def on_event_id_reused(_: Request[Any, Any, Any], exc: EventIdReused) -> Response[Problem]:
    return problem(409, "event-id-reused", str(exc))


def on_projection_behind(_: Request[Any, Any, Any], exc: ProjectionBehind) -> Response[Problem]:
    return problem(503, "projection-behind", str(exc), headers={"Retry-After": "1"})


def on_beyond_log(_: Request[Any, Any, Any], exc: PositionBeyondLog) -> Response[Problem]:
    errors = [FieldError(field="after_position", message=str(exc))]
    return problem(422, "invalid-request", str(exc), errors=errors)


def on_unavailable(_: Request[Any, Any, Any], exc: StoreUnavailable) -> Response[Problem]:
    if isinstance(exc, AccessLogUnavailable):
        return problem(
            503,
            "access-log-unavailable",
            "the access log cannot be written, so nothing is shown; retry later",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return problem(
        503,
        "database-unavailable",
        "the event store cannot be reached; retry later",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def on_bad_encoding(_: Request[Any, Any, Any], exc: UnicodeDecodeError) -> Response[Problem]:
    return problem(400, "malformed-json", "the body is not valid UTF-8")


def on_recursion(request: Request[Any, Any, Any], exc: RecursionError) -> Response[Problem]:
    if "deserializing" in str(exc):  # msgspec, reading a body nested thousands of levels deep
        return problem(400, "malformed-json", "the body is nested too deeply")
    return on_error(request, exc)


def on_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Problem]:
    if isinstance(exc, UNAVAILABLE):  # a query outside the store's own 503 path, same answer
        return on_unavailable(request, StoreUnavailable("the database is unavailable"))
    correlation_id = REQUEST_ID.get() or uuid.uuid4().hex
    # The exception's message may quote input; log its type and where it came from, not its text.
    log.error(
        "unhandled %s on %s %s [%s]\n%s",
        type(exc).__name__,
        request.method,
        request.url.path,
        correlation_id,
        "".join(traceback.format_tb(exc.__traceback__)),
    )
    return problem(
        500,
        "internal-error",
        "something went wrong on our side; nothing was saved unless a receipt was returned",
        correlation_id=correlation_id,
    )


EXCEPTION_HANDLERS = {
    ValidationException: on_validation,
    HTTPException: on_http,
    Refused: on_refused,
    AlreadyGiven: on_already_given,
    DomainError: on_domain,
    WrongExpectedVersion: on_conflict,
    EventIdReused: on_event_id_reused,
    StreamNotFound: on_not_found,
    PurposeNotAllowed: on_purpose_not_allowed,
    NotYoursToCorrect: on_not_yours,
    ProjectionBehind: on_projection_behind,
    PositionBeyondLog: on_beyond_log,
    StoreUnavailable: on_unavailable,
    UnicodeDecodeError: on_bad_encoding,
    RecursionError: on_recursion,
    Exception: on_error,
}
