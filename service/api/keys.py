"""API keys over HTTP (admin): make a key for a person or a system, list the keys, revoke one.

The same acts as `nedbrud keys`, through the functions the service role may call (migration
0008): a new key is shown once, in the 201, and kept only as its hash; a revoked key fails on
its next request, and a stream it holds open ends within seconds.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, HttpMethod, Request, Response, delete, get, post, route
from litestar.params import FromPath, JSONBody
from msgspec import Meta, Struct

from service.access.auth import KeyInfo, Role, issue_key, list_keys, revoke_key
from service.api.guards import principal_of
from service.api.problems import NotFound
from service.api.reading import pool_of
from service.api.schemas import Instant, Slug

# A label says who or what holds the key: not empty, not only spaces, no NUL.
# (Spaces spelt out, not \s: Python's and ECMA-262's \s differ, and the document must read alike.)
Label = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=200,
        pattern=r"^[ \t\n\r\f\v]*[^ \t\n\r\f\v\x00][^\x00]*$(?!\n)",
    ),
]
log = logging.getLogger(__name__)
RoleName = Literal["reporter", "staff", "leader", "it", "auditor", "admin"]


class KeyIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """A key to make: its role, who holds it, and optionally the units it may act for."""

    role: RoleName
    label: Label
    units: Annotated[list[Slug], Meta(min_length=1, max_length=500)] | None = None


class KeyCreated(Struct):
    """The new key: `key` is shown only in this answer; store it now."""

    key_id: UUID
    key: str
    role: RoleName
    units: list[str] | None
    label: str
    created_at: Instant


class KeyView(Struct):
    """A registered key, without its secret."""

    key_id: UUID
    role: RoleName
    units: list[str] | None
    label: str
    created_at: Instant
    revoked_at: Instant | None
    bootstrap: bool


class OwnKey(Struct):
    """The key asking: its role and the units it may act for (none: every unit)."""

    key_id: UUID
    role: RoleName
    units: list[str] | None


def key_view(info: KeyInfo) -> KeyView:
    return KeyView(
        key_id=info.key_id,
        role=info.role.value,
        units=None if info.units is None else list(info.units),
        label=info.label,
        created_at=info.created_at,
        revoked_at=info.revoked_at,
        bootstrap=info.bootstrap,
    )


class KeyController(Controller):
    """Nøgler: who may use the API, in which role, for which units."""

    path = "/v1/keys"
    tags = ["keys"]

    @route("/", http_method=HttpMethod.OPTIONS, include_in_schema=False)
    async def allowed_methods(self) -> Response[None]:
        """Litestar answers OPTIONS naming only the first of a path's methods (see
        IncidentController.allowed_methods); this handler is found first, so it answers."""
        return Response(None, status_code=204, headers={"Allow": "GET, OPTIONS, POST"})

    @post("/", operation_id="createKey", status_code=201)
    async def create(
        self, request: Request[Any, Any, Any], data: JSONBody[KeyIn]
    ) -> Response[KeyCreated]:
        """Make a key with a role (and optionally its units); the key is shown only now."""
        units = None if data.units is None else list(dict.fromkeys(data.units))  # a set
        issued = await issue_key(pool_of(request), Role(data.role), data.label.strip(), units)
        # Who made which key, for the operators; never the key, and not the label (a name).
        log.info(
            "key %s (%s) made by key %s", issued.key_id, data.role, principal_of(request).key_id
        )
        body = KeyCreated(
            key_id=issued.key_id,
            key=issued.key,
            role=data.role,
            units=units,
            label=issued.label,
            created_at=issued.created_at,
        )
        return Response(body, status_code=201, headers={"Cache-Control": "no-store"})

    @get("/me", operation_id="getOwnKey")
    async def me(self, request: Request[Any, Any, Any]) -> OwnKey:
        """The key asking: its role and units, so a form can offer (and preselect) its units."""
        me = principal_of(request)
        units = None if me.units is None else list(me.units)
        return OwnKey(key_id=me.key_id, role=me.role.value, units=units)

    @get("/", operation_id="listKeys")
    async def list(self, request: Request[Any, Any, Any]) -> list[KeyView]:
        """Every key, active and revoked, without its secret."""
        return [key_view(info) for info in await list_keys(pool_of(request))]

    @delete("/{key_id:uuid}", operation_id="revokeKey", status_code=204)
    async def revoke(self, request: Request[Any, Any, Any], key_id: FromPath[UUID]) -> None:
        """Revoke a key: it fails on its next request, and its open streams end within 5 s."""
        if not await revoke_key(pool_of(request), key_id):
            raise NotFound(f"an active key {key_id}")
        log.info("key %s revoked by key %s", key_id, principal_of(request).key_id)
