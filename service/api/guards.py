"""Bearer-key authentication and the role check, applied to everything under /v1."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from service.auth import Principal, Role, authenticate


async def require_key(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """401 without a valid key; 403 when the route's `roles` do not include the key's role."""
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
    allowed: tuple[Role, ...] = handler.opt.get("roles", tuple(Role))
    if principal.role not in allowed and principal.role is not Role.ADMIN:
        raise PermissionDeniedException(f"the role {principal.role} may not do this")
    connection.state.principal = principal


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    principal: Principal = connection.state.principal
    return principal
