"""Signed checkpoints: the chain head, signed with a key the database never sees, kept outside it.

A hash chain alone does not stop someone who can write to the database: they can delete the tail,
or alter a row and recompute every hash after it. A checkpoint records the position and hash of
the head at a moment, signed with Ed25519. `nedbrud verify` then checks that the log still holds
that exact hash at that position: a truncated tail or a recomputed chain no longer matches a
checkpoint made before it. Checkpoints are written by `nedbrud checkpoint` and by the service on a
schedule, as one JSON file per checkpoint, for the auditor to copy off the host (mail, WORM
storage, paper); the signing key lives in the data directory, readable by its owner only.

Receipts are witnesses too: each one a client holds names an event, its position and its hash,
and `verify_receipts` checks them against the log.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg
import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from service.log.chain import utc_text

log = logging.getLogger(__name__)

SIGNING_KEY_FILE = "checkpoint-signing.key"
LOG_NAME = "nedbrud"

Connection = asyncpg.Connection | asyncpg.pool.PoolConnectionProxy


class Checkpoint(msgspec.Struct, frozen=True, kw_only=True):
    """The head of the log at one moment, and the signature over it."""

    log: str = LOG_NAME
    position: int
    hash: str
    recorded_at: str
    signed_at: str
    public_key: str
    signature: str = ""

    def signed_bytes(self) -> bytes:
        fields = msgspec.structs.asdict(self)
        del fields["signature"]
        return msgspec.json.encode(fields, order="sorted")


@dataclass(frozen=True)
class CheckpointCheck:
    """Does the log still agree with a signed checkpoint?"""

    ok: bool
    position: int
    problem: str | None = None
    # The first position where the log and the checkpoint disagree.
    first_bad_position: int | None = None


def load_or_create_signing_key(data_dir: Path) -> Ed25519PrivateKey:
    """The Ed25519 signing key in the data directory, made on first use (mode 0600)."""
    path = data_dir / SIGNING_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(path.read_text().strip()))


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def public_key_from_text(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(bytes.fromhex(text))


async def head(conn: Connection) -> tuple[int, bytes, datetime] | None:
    row = await conn.fetchrow(
        "SELECT position, hash, recorded_at FROM events ORDER BY position DESC LIMIT 1"
    )
    return None if row is None else (row["position"], bytes(row["hash"]), row["recorded_at"])


async def make_checkpoint(conn: Connection, key: Ed25519PrivateKey) -> Checkpoint | None:
    """A signed checkpoint of the current head (None while the log is empty)."""
    current = await head(conn)
    if current is None:
        return None
    position, hash_, recorded_at = current
    unsigned = Checkpoint(
        position=position,
        hash=hash_.hex(),
        recorded_at=utc_text(recorded_at),
        signed_at=utc_text(datetime.now(UTC)),
        public_key=public_key_text(key),
    )
    signature = base64.b64encode(key.sign(unsigned.signed_bytes())).decode()
    return msgspec.structs.replace(unsigned, signature=signature)


def write_checkpoint(directory: Path, checkpoint: Checkpoint) -> Path:
    """Write the checkpoint as its own file, durably (written, synced, then renamed)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"checkpoint-{checkpoint.position:015d}.json"
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as out:
        out.write(msgspec.json.format(msgspec.json.encode(checkpoint)) + b"\n")
        out.flush()
        os.fsync(out.fileno())
    temporary.replace(path)
    return path


def latest_checkpoint(directory: Path) -> Checkpoint | None:
    """The checkpoint of the highest position in the directory (file names sort by position)."""
    files = sorted(directory.glob("checkpoint-*.json")) if directory.is_dir() else []
    return msgspec.json.decode(files[-1].read_bytes(), type=Checkpoint) if files else None


async def keep_checkpoints(
    pool: asyncpg.Pool, key: Ed25519PrivateKey, directory: Path, every_s: float
) -> None:
    """Write a checkpoint now and then every `every_s` seconds, whenever the head has moved."""
    latest = await asyncio.to_thread(latest_checkpoint, directory)
    last = latest.position if latest is not None else 0
    while True:
        try:
            async with pool.acquire() as conn:
                checkpoint = await make_checkpoint(conn, key)
            if checkpoint is not None and checkpoint.position > last:
                await asyncio.to_thread(write_checkpoint, directory, checkpoint)
                last = checkpoint.position
        except Exception:  # the database or the disk: try again at the next turn
            log.exception("could not write a checkpoint; trying again in %s s", every_s)
        await asyncio.sleep(every_s)


def signature_ok(checkpoint: Checkpoint, trusted: Ed25519PublicKey) -> bool:
    """Signed by the trusted key (not merely by the key the file names)."""
    try:
        trusted.verify(base64.b64decode(checkpoint.signature), checkpoint.signed_bytes())
    except (InvalidSignature, ValueError):
        return False
    return checkpoint.public_key == public_key_text(trusted)


async def check_checkpoint(
    conn: Connection, checkpoint: Checkpoint, trusted: Ed25519PublicKey
) -> CheckpointCheck:
    """The log must still hold the checkpoint's hash at the checkpoint's position."""
    position = checkpoint.position
    if not signature_ok(checkpoint, trusted):
        return CheckpointCheck(False, position, "the checkpoint's signature does not verify")
    last = await conn.fetchval("SELECT max(position) FROM events") or 0
    if last < position:
        return CheckpointCheck(
            False,
            position,
            f"the log ends at position {last}, before the checkpoint's {position}: its tail "
            "was removed",
            last + 1,
        )
    stored = await conn.fetchval("SELECT hash FROM events WHERE position = $1", position)
    if stored is None or bytes(stored).hex() != checkpoint.hash:
        return CheckpointCheck(
            False,
            position,
            f"the hash at position {position} is not the one signed: the chain was rewritten",
            position,
        )
    return CheckpointCheck(True, position)


class ReceiptIn(msgspec.Struct, frozen=True):
    """A receipt as a client holds it (extra fields, such as record_id, are ignored)."""

    event_id: UUID
    stream_id: UUID
    version: int
    position: int
    hash: str


@dataclass(frozen=True)
class ReceiptCheck:
    checked: int
    bad: list[UUID]


async def verify_receipts(conn: Connection, receipts: Iterable[ReceiptIn]) -> ReceiptCheck:
    """Each receipt's event must be in the log where the receipt says, with the same hash."""
    wanted = list(receipts)
    rows = await conn.fetch(
        "SELECT event_id, stream_id, version, position, hash FROM events "
        "WHERE event_id = ANY($1::uuid[])",
        [r.event_id for r in wanted],
    )
    stored: dict[UUID, Any] = {r["event_id"]: r for r in rows}
    bad = [
        r.event_id
        for r in wanted
        if (row := stored.get(r.event_id)) is None
        or (row["stream_id"], row["version"], row["position"], bytes(row["hash"]).hex())
        != (r.stream_id, r.version, r.position, r.hash)
    ]
    return ReceiptCheck(len(wanted), bad)
