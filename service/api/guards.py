"""Bearer-key authentication and the role check, applied to everything under /v1."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from service.access.auth import Authenticator, Principal
from service.access.matrix import EVERY_UNIT_ONLY, allowed
from service.access.ratelimit import RateLimiter
from service.api.problems import ApiProblem, InvalidPosition
from service.write.errors import UnitNotAllowed
from service.write.use_cases import may_act_for, require_unit

# Query parameters that are positions in the log.
WHOLE_NUMBERS = frozenset({"after_position", "from_position", "since_position"})


async def require_key(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """401 without a valid key; 403 when the role matrix does not let the key's role do this;
    429 for an address that sent too many unknown or revoked keys (service/access/ratelimit.py)."""
    scheme, _, key = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise NotAuthorizedException(
            "an API key is needed: Authorization: Bearer <key>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    for name in WHOLE_NUMBERS & connection.query_params.keys():
        # Read as a number, "1e3", "-0" or "+5" would pass: only digits are a position.
        if not all(v.isascii() and v.isdigit() for v in connection.query_params.getall(name)):
            raise InvalidPosition(name)
    authenticator: Authenticator = connection.app.state.authenticator
    principal = await authenticator.principal(key.strip())
    if principal is None:
        # Only what fails is counted, and only it is refused: a valid key from the same address
        # (every dashboard behind one proxy) is never locked out by someone else's stale key.
        # A key is 256 random bits, so a right guess is not what this limit guards against.
        failures: RateLimiter = connection.app.state.auth_failures
        address = connection.client.host if connection.client else "unknown"
        if wait := failures.waiting(address):
            raise too_many(wait, "too many unknown or revoked keys from this address")
        failures.take(address)
        raise NotAuthorizedException(
            "the API key is unknown or revoked", headers={"WWW-Authenticate": "Bearer"}
        )
    operation = getattr(handler, "operation_id", None)
    asks_methods = connection.scope.get("method") == "OPTIONS"  # any key may ask what a path takes
    may_do(
        connection.app.state.rate_limiter,
        principal,
        operation if isinstance(operation, str) else None,
        anyone=asks_methods,
    )
    connection.scope.setdefault("state", {})["principal"] = principal


def may_do(
    limiter: RateLimiter, principal: Principal, operation: str | None, *, anyone: bool = False
) -> None:
    """429 when the key is over its rate limit; 403 when its role may not do `operation` (an
    operation without a name: admin only), unless `anyone` may."""
    if wait := limiter.take(principal.key_id):
        raise too_many(wait, "this key is over its rate limit")
    if not anyone and not allowed(operation, principal.role):
        raise PermissionDeniedException(f"the role {principal.role} may not do this")
    if operation in EVERY_UNIT_ONLY and principal.units is not None:
        raise ApiProblem(
            403, "every-unit-key-needed", "keys and webhooks are managed with a key for every unit"
        )


def too_many(wait: int, why: str) -> ApiProblem:
    return ApiProblem(
        429, "too-many-requests", f"{why}; retry in {wait} s", headers={"Retry-After": str(wait)}
    )


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    # The scope's own state, not `connection.state`: that wraps it in a new `State` per call,
    # and a write asks for the principal a dozen times (bench/RESULTS.md, stop 16).
    principal: Principal = connection.scope["state"]["principal"]
    return principal


# The unit rules are the write side's; the read paths apply the same ones.
__all__ = ["UnitNotAllowed", "may_act_for", "require_unit"]
