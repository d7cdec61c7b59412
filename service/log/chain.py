"""Tamper evidence: every row's hash chains to the previous row's over canonical bytes.

The canonical form is a sorted-key JSON array of the row's columns, times in UTC with microseconds,
so an auditor can recompute it from the table with any JSON library. `verify` walks the whole log
in position order and names the first row whose position, content or hash does not add up.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

GENESIS = bytes(32)

Connection = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy

ROW_COLUMNS = (
    "position, event_id, stream_id, stream_type, version, type, payload::text AS payload, "
    "sealed, occurred_at, recorded_at, actor, source, correlation_id, causation_id, mode, "
    "content_digest, hash"
)


def utc_text(at: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SS.ffffffZ`: what the chain hashes. By isoformat, which is what
    strftime gives for years from 1000 (strftime is a tenth of the cost of a request's hashing);
    strftime itself for earlier years, which it does not pad."""
    utc = at.astimezone(UTC)
    if utc.year < 1000:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _opt(value: UUID | None) -> str | None:
    return None if value is None else str(value)


def canonical_bytes(
    *,
    position: int,
    event_id: UUID,
    stream_id: UUID,
    stream_type: str,
    version: int,
    type: str,
    payload: Any,
    sealed: bytes | None,
    occurred_at: datetime,
    recorded_at: datetime,
    actor: str | None,
    source: str | None,
    correlation_id: UUID | None,
    causation_id: UUID | None,
    mode: str,
    content_digest: bytes,
) -> bytes:
    """The bytes a row's hash covers; `payload` is the decoded JSON value."""
    return msgspec.json.encode(
        [
            position,
            str(event_id),
            str(stream_id),
            stream_type,
            version,
            type,
            payload,
            None if sealed is None else base64.b64encode(sealed).decode(),
            utc_text(occurred_at),
            utc_text(recorded_at),
            actor,
            source,
            _opt(correlation_id),
            _opt(causation_id),
            mode,
            content_digest.hex(),
        ],
        order="sorted",
    )


def chain_hash(previous: bytes, canonical: bytes) -> bytes:
    return hashlib.sha256(previous + canonical).digest()


def row_canonical_bytes(row: asyncpg.Record) -> bytes:
    """Canonical bytes of a stored row, selected with `ROW_COLUMNS`."""
    return canonical_bytes(
        position=row["position"],
        event_id=row["event_id"],
        stream_id=row["stream_id"],
        stream_type=row["stream_type"],
        version=row["version"],
        type=row["type"],
        payload=msgspec.json.decode(row["payload"]),
        sealed=row["sealed"],
        occurred_at=row["occurred_at"],
        recorded_at=row["recorded_at"],
        actor=row["actor"],
        source=row["source"],
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
        mode=row["mode"],
        content_digest=row["content_digest"],
    )


@dataclass(frozen=True)
class VerifyResult:
    """What `nedbrud verify` found: ok, how many rows it checked, and the first bad position."""

    ok: bool
    checked: int
    first_bad_position: int | None = None


async def _rows(conn: Connection, page: int) -> AsyncIterator[asyncpg.Record]:
    after = 0
    while True:
        rows = await conn.fetch(
            f"SELECT {ROW_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2",
            after,
            page,
        )
        for row in rows:
            yield row
        if len(rows) < page:
            return
        after = rows[-1]["position"]


async def verify_chain(
    conn: Connection, *, page: int = 5000, progress: Callable[[int], None] | None = None
) -> VerifyResult:
    """Recompute the chain from the first row; stop at the first row that does not match.
    `progress` is told the rows checked so far, once a page."""
    previous, expected_position, checked = GENESIS, 1, 0
    async for row in _rows(conn, page):
        if progress is not None and checked % page == 0:
            progress(checked)
        if row["position"] != expected_position:
            return VerifyResult(ok=False, checked=checked, first_bad_position=expected_position)
        computed = chain_hash(previous, row_canonical_bytes(row))
        if computed != bytes(row["hash"]):
            return VerifyResult(ok=False, checked=checked, first_bad_position=row["position"])
        previous, expected_position, checked = computed, expected_position + 1, checked + 1
    return VerifyResult(ok=True, checked=checked)
