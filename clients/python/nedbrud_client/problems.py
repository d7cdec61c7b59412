"""Refusals and failures as exceptions: one class per HTTP status, each carrying the problem.

Every refusal the server gives is `application/problem+json` (RFC 9457): `type` names the rule,
`errors` the fields. `ProblemError.problem` holds it, decoded; `str()` of the exception is a line a
person can act on. `Refused` (4xx) means: this request will never be taken as it is. `Retryable`
(429, 5xx, no answer) means: the same request may be taken later, after `retry_after` seconds if
the server said so.
"""

from __future__ import annotations

import msgspec

from nedbrud_client.types import Problem


class ClientError(Exception):
    """Anything this client raises."""


class ProblemError(ClientError):
    """The server answered with a problem."""

    status = 0

    def __init__(self, problem: Problem, retry_after: float | None = None) -> None:
        self.problem, self.retry_after = problem, retry_after
        fields = "; ".join(f"{e.field_}: {e.message}" for e in problem.errors or [])
        super().__init__(
            f"{problem.status} {problem.title}"
            + (f": {problem.detail}" if problem.detail else "")
            + (f" ({fields})" if fields else "")
        )

    @property
    def type(self) -> str:
        """The rule or kind of refusal, such as `/problems/already-entered-in-journal`."""
        return self.problem.type


class Refused(ProblemError):
    """A 4xx: the request as sent will never be taken; sending it again changes nothing."""


class BadRequest(Refused):
    status = 400


class Unauthorized(Refused):
    """No key, or a key that is unknown or revoked."""

    status = 401


class Forbidden(Refused):
    """The key's role or units do not allow this."""

    status = 403


class NotFound(Refused):
    status = 404


class Conflict(Refused):
    """The Idempotency-Key or event id was used for something else, or the stream moved on."""

    status = 409


class PreconditionFailed(Refused):
    status = 412


class PayloadTooLarge(Refused):
    status = 413


class UnsupportedMediaType(Refused):
    status = 415


class Unprocessable(Refused):
    """A field is invalid (`problem.errors` names it), or a rule of the plan refuses the step."""

    status = 422


class Retryable(ProblemError):
    """The server could not take it now; the same request may succeed later."""


class TooManyRequests(Retryable):
    status = 429


class ServerError(Retryable):
    """A fault on the server; `problem.correlation_id` finds it in the server's log."""

    status = 500


class Unavailable(Retryable):
    """The database is down, or a projection is not yet where the read asked."""

    status = 503


class Unreachable(ClientError):
    """No answer at all: the network or the server is down. Nothing is known to be stored."""


BY_STATUS: dict[int, type[ProblemError]] = {
    cls.status: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        PreconditionFailed,
        PayloadTooLarge,
        UnsupportedMediaType,
        Unprocessable,
        TooManyRequests,
        ServerError,
        Unavailable,
    )
}


def problem_error(status: int, body: bytes, retry_after: float | None) -> ProblemError:
    """The exception for an answer with this status and body (a problem, or anything else)."""
    try:
        problem = msgspec.json.decode(body, type=Problem)
    except (msgspec.ValidationError, msgspec.DecodeError):
        problem = Problem(type="about:blank", title="Unexpected answer", status=status)
    cls = BY_STATUS.get(status) or (Refused if 400 <= status < 500 else Retryable)
    error = cls(problem, retry_after)
    error.status = status
    return error


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After in seconds (the server sends whole seconds; an HTTP date is not used)."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
