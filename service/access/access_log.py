"""The access log (logning af opslag): who saw which citizen's identity, when, and why.

A row is written for each citizen shown, before the response leaves; if it cannot be written,
the request fails and nothing is shown.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from service.access.auth import Role
from service.log.events import StoreUnavailable
from service.log.store import UNAVAILABLE

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Access:
    at: datetime
    key_id: str
    role: str
    purpose: str
    citizen_ref: str
    endpoint: str
    outcome: str


async def record_access(
    pool: asyncpg.Pool,
    key_id: UUID,
    role: Role,
    purpose: str,
    citizen_refs: Iterable[str],
    endpoint: str,
) -> None:
    refs = sorted(set(citizen_refs))
    if not refs:
        return
    try:
        await pool.execute(
            "INSERT INTO access_log (key_id, role, purpose, citizen_ref, endpoint, outcome) "
            "SELECT $1, $2, $3, ref, $5, 'shown' FROM unnest($4::text[]) AS ref",
            key_id,
            role.value,
            purpose,
            refs,
            endpoint,
        )
    except (*UNAVAILABLE, asyncpg.PostgresError) as exc:  # whatever the reason: show nothing
        # Loud: a read that cannot be logged breaks sundhedsloven § 42 a until it is mended.
        log.error("the access log cannot be written (%s): nothing was shown", type(exc).__name__)
        raise AccessLogUnavailable() from exc


class AccessLogUnavailable(StoreUnavailable):
    """503: the access log cannot be written, so no personal data are shown."""

    def __init__(self) -> None:
        super().__init__("the access log cannot be written; nothing was shown")


async def accesses(pool: asyncpg.Pool, citizen_ref: str) -> list[Access]:
    rows = await pool.fetch(
        "SELECT at, key_id::text, role, purpose, citizen_ref, endpoint, outcome FROM access_log "
        "WHERE citizen_ref = $1 ORDER BY at, id",
        citizen_ref,
    )
    return [Access(**dict(r)) for r in rows]
