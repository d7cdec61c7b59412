"""API keys: bearer keys stored as SHA-256, each with a role and optionally its units."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import asyncpg

from service.coalesce import Coalescer
from service.store import fetch


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
    return hashlib.sha256(key.encode()).digest()


def new_key() -> str:
    return "nbd_" + secrets.token_urlsafe(32)


async def create_key(
    conn: asyncpg.Connection | asyncpg.Pool,
    role: Role,
    label: str,
    *,
    key: str | None = None,
    units: list[str] | None = None,
) -> str:
    """Register a key (a new random one unless given) and return it; it is shown only now."""
    key = key or new_key()
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
    """A registered key as `nedbrud keys list` shows it (never the key itself)."""

    key_id: uuid.UUID
    role: Role
    units: tuple[str, ...] | None
    label: str
    created_at: datetime
    revoked_at: datetime | None


async def list_keys(conn: asyncpg.Connection | asyncpg.Pool) -> list[KeyInfo]:
    rows = await conn.fetch(
        "SELECT key_id, role, units, label, created_at, revoked_at FROM api_keys "
        "ORDER BY created_at, key_id"
    )
    return [
        KeyInfo(
            key_id=r["key_id"],
            role=Role(r["role"]),
            units=None if r["units"] is None else tuple(r["units"]),
            label=r["label"],
            created_at=r["created_at"],
            revoked_at=r["revoked_at"],
        )
        for r in rows
    ]


async def revoke_key(conn: asyncpg.Connection | asyncpg.Pool, key_id: uuid.UUID) -> bool:
    """Revoke a key from now on; False when no such key is active. Every request checks, so the
    next request with it fails."""
    status = await conn.execute(
        "UPDATE api_keys SET revoked_at = now() WHERE key_id = $1 AND revoked_at IS NULL", key_id
    )
    return bool(status == "UPDATE 1")


async def bootstrap_admin_key(conn: asyncpg.Connection, given: str | None) -> str | None:
    """Register NEDBRUD_BOOTSTRAP_KEY as admin, or make one admin key on the very first start.

    Returns a newly made key (to print once), or None when nothing new needs showing.
    """
    if given:
        await create_key(conn, Role.ADMIN, "bootstrap (NEDBRUD_BOOTSTRAP_KEY)", key=given)
        return None
    if await conn.fetchval("SELECT count(*) FROM api_keys") == 0:
        return await create_key(conn, Role.ADMIN, "bootstrap (first start)")
    return None


class Authenticator:
    """Looks up each request's key in the database (so a key revoked a moment ago fails at
    once); the requests that arrive at the same moment are looked up in one statement."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._keys: Coalescer[bytes, Principal] = Coalescer(self._fetch)

    async def principal(self, key: str) -> Principal | None:
        """The holder of this key, or None when it is unknown or revoked."""
        return await self._keys.get(hash_key(key))

    async def _fetch(self, hashes: list[bytes]) -> dict[bytes, Principal]:
        rows = await fetch(
            self.pool,
            "SELECT key_hash, key_id, role, units FROM api_keys "
            "WHERE key_hash = ANY($1::bytea[]) AND revoked_at IS NULL",
            hashes,
        )
        return {
            bytes(row["key_hash"]): Principal(
                key_id=row["key_id"],
                role=Role(row["role"]),
                units=tuple(row["units"]) if row["units"] is not None else None,
            )
            for row in rows
        }
