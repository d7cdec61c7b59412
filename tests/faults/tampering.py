"""A log to tamper with: 1,000 sealed events, their receipts and a signed checkpoint of the head,
and the changes an attacker with the owner's rights makes, each undone after its check.

Shared by test_tamper.py (the service's own checks) and test_outside_verifier.py (the auditor's
standalone verifier); the fixtures `log` and `conn` are in conftest.py beside this file.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from service.log.chain import ROW_COLUMNS, chain_hash, row_canonical_bytes
from service.log.checkpoints import make_checkpoint, write_checkpoint
from service.log.events import AppendRequest, NewEvent, Receipt
from service.log.store import EventStore
from service.log.vault import Vault
from tests.apps import SEALING_KEY

EVENTS = 1000
AT = datetime(2026, 3, 5, 13, 30, tzinfo=UTC)
CITIZENS = [f"cit_{chr(ord('a') + n) * 24}" for n in range(20)]


@dataclass
class Log:
    """A log of `EVENTS` sealed events, its receipts, and a checkpoint of its head."""

    url: str
    receipts: list[Receipt]
    key: Ed25519PrivateKey
    checkpoints: Path


def event(n: int) -> NewEvent:
    sealed = msgspec.json.encode({"citizen": {"cpr": "0101700000", "name": f"Borger {n}"}})
    return NewEvent(
        event_id=uuid4(),
        type="care-delivered",
        payload={"unit": f"botilbud-{n % 7}", "status": "delivered", "by": {"id": f"emp-{n}"}},
        occurred_at=AT + timedelta(seconds=n),
        sealed=sealed,
        actor=f"emp-{n}",
        source="tamper-test",
        correlation_id=uuid4(),
    )


async def fill_log(url: str) -> list[Receipt]:
    pool = await asyncpg.create_pool(url, min_size=4, max_size=16)
    store, vault = EventStore(pool), Vault(pool, SEALING_KEY)
    gate = asyncio.Semaphore(64)

    async def one(n: int) -> Receipt:
        async with gate:
            events = await vault.seal(CITIZENS[n % len(CITIZENS)], (event(n),))
            return (await store.append(AppendRequest(uuid4(), "manual-record", 0, events)))[0]

    try:
        return list(await asyncio.gather(*(one(n) for n in range(EVENTS))))
    finally:
        await store.close()
        await pool.close()


async def checkpoint_head(url: str, key: Ed25519PrivateKey, folder: Path) -> None:
    conn = await asyncpg.connect(url)
    try:
        checkpoint = await make_checkpoint(conn, key)
        assert checkpoint is not None
        assert checkpoint.position == EVENTS
        write_checkpoint(folder, checkpoint)
    finally:
        await conn.close()


async def tampered(
    conn: asyncpg.Connection,
    change: Callable[[], Awaitable[object]],
    check: Callable[[], Awaitable[Any]],
) -> Any:
    """Make the change, run the check on the changed log, and undo the change."""
    transaction = conn.transaction()
    await transaction.start()
    try:
        await conn.execute("SET LOCAL session_replication_role = replica")
        await change()
        return await check()
    finally:
        await transaction.rollback()


async def row(conn: asyncpg.Connection, position: int) -> asyncpg.Record:
    found = await conn.fetchrow(f"SELECT {ROW_COLUMNS} FROM events WHERE position = $1", position)
    assert found is not None
    return found


def flip_byte(value: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(value))
    return value[:at] + bytes([value[at] ^ (1 << rng.randrange(8))]) + value[at + 1 :]


def flip_char(text: str, rng: random.Random) -> str:
    at = rng.randrange(len(text))
    swapped = "x" if text[at] != "x" else "y"
    return text[:at] + swapped + text[at + 1 :]


def flip_uuid(value: UUID, rng: random.Random) -> UUID:
    text = value.hex
    at = rng.randrange(32)
    return UUID(text[:at] + format((int(text[at], 16) + 1) % 16, "x") + text[at + 1 :])


def mutation(column: str, old: Any, rng: random.Random) -> Any:
    """One small change of one stored value, of the column's own type."""
    if column in ("sealed", "hash", "content_digest"):
        return flip_byte(bytes(old), rng)
    if column in ("occurred_at", "recorded_at"):
        return old + timedelta(microseconds=1)
    if column in ("event_id", "stream_id", "correlation_id"):
        return flip_uuid(old, rng)
    if column == "version":
        return old + 1000
    if column == "mode":
        return "exercise" if old == "actual" else "actual"
    if column == "payload":
        payload = msgspec.json.decode(old)
        payload["unit"] = flip_char(payload["unit"], rng)
        return msgspec.json.encode(payload).decode()
    return flip_char(old, rng)


COLUMNS = [
    "payload",
    "sealed",
    "type",
    "stream_type",
    "occurred_at",
    "recorded_at",
    "actor",
    "source",
    "event_id",
    "stream_id",
    "correlation_id",
    "version",
    "mode",
    "content_digest",
    "hash",
]


async def rewrite_chain_from(conn: asyncpg.Connection, position: int) -> None:
    """What an attacker with write access does after a change: recompute every later hash."""
    previous = await conn.fetchval("SELECT hash FROM events WHERE position = $1", position - 1)
    previous = bytes(previous) if previous is not None else bytes(32)
    rows = await conn.fetch(
        f"SELECT {ROW_COLUMNS} FROM events WHERE position >= $1 ORDER BY position", position
    )
    updates = []
    for stored in rows:
        previous = chain_hash(previous, row_canonical_bytes(stored))
        updates.append((previous, stored["position"]))
    await conn.executemany("UPDATE events SET hash = $1 WHERE position = $2", updates)


async def alter_and_rewrite_chain(conn: asyncpg.Connection, position: int) -> None:
    await conn.execute(
        "UPDATE events SET payload = jsonb_set(payload, '{status}', '\"missed\"') "
        "WHERE position = $1",
        position,
    )
    await rewrite_chain_from(conn, position)
