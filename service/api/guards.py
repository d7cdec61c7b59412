"""Bearer-key authentication and the role check, applied to everything under /v1."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from service.access import allowed
from service.auth import Principal, authenticate


async def require_key(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """401 without a valid key; 403 when the role matrix does not let the key's role do this."""
    scheme, _, key = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise NotAuthorizedException(
            "an API key is needed: Authorization: Bearer <key>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    principal = await authenticate(connection.app.state.pool, key.strip())
    if principal is None:
        raise NotAuthorizedException(
            "the API key is unknown or revoked", headers={"WWW-Authenticate": "Bearer"}
        )
    operation = getattr(handler, "operation_id", None)
    if not allowed(operation if isinstance(operation, str) else None, principal.role):
        raise PermissionDeniedException(f"the role {principal.role} may not do this")
    connection.state.principal = principal


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal: Principal = connection.state.principal
    return principal
