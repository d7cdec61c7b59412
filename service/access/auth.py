"""API keys: bearer keys stored as SHA-256, each with a role and optionally its units.

The service role reads and changes keys only through the SECURITY DEFINER functions of
migration 0008 (a lookup by hash, a list without hashes, make, revoke); the owner
(`nedbrud keys`, `serve`'s bootstrap) may use the table itself."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import asyncpg

from service.log.coalesce import Coalescer
from service.log.events import StoreUnavailable
from service.log.store import UNAVAILABLE, fetch

# What runs a statement: a pool, a connection, or a connection taken from a pool.
Executor = asyncpg.Pool | asyncpg.Connection | asyncpg.pool.PoolConnectionProxy


class Role(StrEnum):
    """Who holds the key."""

    REPORTER = "reporter"
    STAFF = "staff"
    LEADER = "leader"
    IT = "it"
    AUDITOR = "auditor"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """The holder of a valid key."""

    key_id: uuid.UUID
    role: Role
    units: tuple[str, ...] | None

    @property
    def scope(self) -> str:
        """Idempotency keys are scoped to the key that sent them."""
        return str(self.key_id)


def hash_key(key: str) -> bytes:
    """SHA-256: enough for keys made by `new_key` (256 random bits); a short chosen key is
    refused by `serve` (`bootstrap_key_problem`)."""
    return hashlib.sha256(key.encode()).digest()


def new_key() -> str:
    return "nbd_" + secrets.token_urlsafe(32)


# A bootstrap key shorter than this is refused by `serve`: `nbd_` + 32 random bytes is 47.
MIN_BOOTSTRAP_KEY_LENGTH = 32
BOOTSTRAP_LABEL = "bootstrap (NEDBRUD_BOOTSTRAP_KEY)"


def bootstrap_key_problem(given: str | None) -> str | None:
    """Why NEDBRUD_BOOTSTRAP_KEY cannot be used, or None when it is unset or long enough."""
    make_one = (
        '(an admin key: make one with `python -c "import secrets; '
        'print(secrets.token_urlsafe(32))"`)'
    )
    if given is not None and len(given) < MIN_BOOTSTRAP_KEY_LENGTH:
        return (
            f"NEDBRUD_BOOTSTRAP_KEY is {len(given)} characters long; it must be at least "
            f"{MIN_BOOTSTRAP_KEY_LENGTH} {make_one}"
        )
    if given is not None and not all(33 <= ord(c) <= 126 for c in given):
        # A key goes in an Authorization header: spaces (a key of 40 spaces) or other
        # characters would be trimmed or refused there, and are no secret anyway.
        return f"NEDBRUD_BOOTSTRAP_KEY may hold only printable ASCII, no spaces {make_one}"
    return None


@contextmanager
def _reachable() -> Iterator[None]:
    """A database that cannot answer is StoreUnavailable (503), as for every other read."""
    try:
        yield
    except UNAVAILABLE as exc:
        raise StoreUnavailable("the database is unavailable") from exc


@dataclass(frozen=True)
class IssuedKey:
    """A key just made: the only moment its secret is known."""

    key_id: uuid.UUID
    key: str
    role: Role
    units: tuple[str, ...] | None
    label: str
    created_at: datetime


async def issue_key(
    conn: Executor,
    role: Role,
    label: str,
    units: list[str] | None = None,
) -> IssuedKey:
    """Make a new random key; the database keeps only its hash (through `api_key_create`, so
    the service role can do it without writing the table)."""
    key, key_id = new_key(), uuid.uuid4()
    with _reachable():
        created_at = await conn.fetchval(
            "SELECT api_key_create($1, $2, $3, $4, $5)",
            key_id,
            hash_key(key),
            role.value,
            units,
            label,
        )
    return IssuedKey(key_id, key, role, None if units is None else tuple(units), label, created_at)


async def create_key(
    conn: Executor,
    role: Role,
    label: str,
    *,
    key: str | None = None,
    units: list[str] | None = None,
) -> str:
    """Register a key (a new random one unless given) and return it; it is shown only now."""
    if key is None:
        return (await issue_key(conn, role, label, units)).key
    await conn.execute(
        "INSERT INTO api_keys (key_id, key_hash, role, units, label) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (key_hash) DO NOTHING",
        uuid.uuid4(),
        hash_key(key),
        role.value,
        units,
        label,
    )
    return key


@dataclass(frozen=True)
class KeyInfo:
    """A registered key as `nedbrud keys list` and `GET /v1/keys` show it (never the key)."""

    key_id: uuid.UUID
    role: Role
    units: tuple[str, ...] | None
    label: str
    created_at: datetime
    revoked_at: datetime | None
    bootstrap: bool = False


async def list_keys(conn: Executor) -> list[KeyInfo]:
    with _reachable():
        rows = await conn.fetch("SELECT * FROM api_keys_listed()")
    return [
        KeyInfo(
            key_id=r["key_id"],
            role=Role(r["role"]),
            units=None if r["units"] is None else tuple(r["units"]),
            label=r["label"],
            created_at=r["created_at"],
            revoked_at=r["revoked_at"],
            bootstrap=r["bootstrap"],
        )
        for r in rows
    ]


async def revoke_key(conn: Executor, key_id: uuid.UUID) -> bool:
    """Revoke a key from now on; False when no such key is active. Every request checks, so the
    next request with it fails, and an open stream ends within seconds."""
    with _reachable():
        return bool(await conn.fetchval("SELECT api_key_revoke($1)", key_id))


BOOTSTRAP_LOCK = 0x6E6B6579  # "nkey": instances starting together bootstrap one at a time


async def bootstrap_admin_key(
    conn: asyncpg.Connection | asyncpg.pool.PoolConnectionProxy, given: str | None
) -> str | None:
    """Bring the keys in line with NEDBRUD_BOOTSTRAP_KEY at start (as the owner):

    - a key registered from the variable that it no longer names (changed or unset) is retired
      (revoked), so the variable of an instance long gone is not left behind as an admin key;
    - the key it names is registered as admin, or brought back if it was only retired; a key
      an admin revoked stays revoked;
    - when no active admin key is left at all (the very first start, or the variable removed),
      one is made.

    Returns a newly made key (to print once), or None when nothing new needs showing.
    """
    if problem := bootstrap_key_problem(given):
        raise ValueError(problem)
    digest = hash_key(given) if given else None
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", BOOTSTRAP_LOCK)
        await conn.execute(
            "UPDATE api_keys SET revoked_at = now(), revoked_reason = 'bootstrap-retired' "
            "WHERE bootstrap AND revoked_at IS NULL AND key_hash IS DISTINCT FROM $1",
            digest,
        )
        if given:
            await conn.execute(
                "INSERT INTO api_keys (key_id, key_hash, role, label, bootstrap) "
                "VALUES ($1, $2, 'admin', $3, true) "
                "ON CONFLICT (key_hash) DO UPDATE SET revoked_at = NULL, revoked_reason = NULL "
                "WHERE api_keys.bootstrap AND api_keys.revoked_reason = 'bootstrap-retired'",
                uuid.uuid4(),
                digest,
                BOOTSTRAP_LABEL,
            )
        admins = await conn.fetchval(
            "SELECT count(*) FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL"
        )
        if admins == 0:
            return await create_key(conn, Role.ADMIN, "bootstrap (first start)")
    return None


class Authenticator:
    """Looks up each request's key in the database (so a key revoked a moment ago fails at
    once); the requests that arrive at the same moment are looked up in one statement."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._keys: Coalescer[bytes, Principal] = Coalescer(self._fetch)
        self._active: Coalescer[uuid.UUID, bool] = Coalescer(self._fetch_active)

    async def principal(self, key: str) -> Principal | None:
        """The holder of this key, or None when it is unknown or revoked."""
        return await self._keys.get(hash_key(key))

    async def still_valid(self, principal: Principal) -> bool:
        """Whether the key is still active: a long-lived response (a stream) asks now and then."""
        return bool(await self._active.get(principal.key_id))

    async def _fetch_active(self, key_ids: list[uuid.UUID]) -> dict[uuid.UUID, bool]:
        rows = await fetch(self.pool, "SELECT * FROM api_keys_active($1::uuid[]) AS k", key_ids)
        return {row["k"]: True for row in rows}

    async def _fetch(self, hashes: list[bytes]) -> dict[bytes, Principal]:
        rows = await fetch(self.pool, "SELECT * FROM api_key_holders($1::bytea[])", hashes)
        return {
            bytes(row["key_hash"]): Principal(
                key_id=row["key_id"],
                role=Role(row["role"]),
                units=tuple(row["units"]) if row["units"] is not None else None,
            )
            for row in rows
        }
