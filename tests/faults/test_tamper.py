"""Tamper evidence: whoever can write to the database still cannot change the log unseen.

Each trial alters the log the way an attacker with the owner's rights could (triggers bypassed
with `session_replication_role = replica`), runs the checks an auditor runs, and rolls back, so
every trial starts from the same clean log: a single changed byte, a deleted row, a removed tail,
a chain recomputed after a change, sealed parts swapped or rows reordered, and receipts of deleted
or rewritten events. The fast tier runs in every test run; `NEDBRUD_TAMPER_TRIALS=1000` runs the
long tier of single-byte changes.
"""

from __future__ import annotations

import dataclasses
import os
import random
from functools import partial
from typing import Any

import asyncpg
import msgspec
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from service.log.chain import verify_chain
from service.log.checkpoints import (
    ReceiptIn,
    check_checkpoint,
    latest_checkpoint,
    make_checkpoint,
    verify_receipts,
)
from service.log.vault import Vault, key_id_of, open_sealed
from service.runtime.settings import SERVICE_ROLE
from tests.apps import SEALING_KEY, settings_for
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

SINGLE_BYTE_TRIALS = int(os.environ.get("NEDBRUD_TAMPER_TRIALS", "200"))


async def test_every_single_byte_change_is_found_at_its_own_position(
    conn: asyncpg.Connection,
) -> None:
    rng = random.Random(8)
    found, exact = 0, 0
    for trial in range(SINGLE_BYTE_TRIALS):
        position, column = rng.randrange(1, EVENTS + 1), COLUMNS[trial % len(COLUMNS)]
        new = mutation(column, (await row(conn, position))[column], rng)
        cast = "::jsonb" if column == "payload" else ""
        change = partial(
            conn.execute,
            f"UPDATE events SET {column} = $1{cast} WHERE position = $2",
            new,
            position,
        )
        result = await tampered(conn, change, partial(verify_chain, conn))
        found += not result.ok
        exact += result.first_bad_position == position
    assert (found, exact) == (SINGLE_BYTE_TRIALS, SINGLE_BYTE_TRIALS)
    clean = await verify_chain(conn)  # and no false alarm once the change is undone
    assert clean.ok
    assert clean.checked == EVENTS


async def test_a_deleted_row_in_the_middle_is_found(conn: asyncpg.Connection) -> None:
    rng = random.Random(3)
    positions = rng.sample(range(1, EVENTS), 50)
    found = 0
    for position in positions:
        change = partial(conn.execute, "DELETE FROM events WHERE position = $1", position)
        result = await tampered(conn, change, partial(verify_chain, conn))
        found += (not result.ok) and result.first_bad_position == position
    assert found == len(positions)


async def test_a_removed_tail_passes_the_chain_but_not_the_signed_checkpoint(
    conn: asyncpg.Connection, log: Log
) -> None:
    checkpoint = latest_checkpoint(log.checkpoints)
    assert checkpoint is not None
    chain_only, by_checkpoint = 0, 0

    async def check() -> tuple[bool, Any]:
        chain = await verify_chain(conn)
        return chain.ok, await check_checkpoint(conn, checkpoint, log.key.public_key())

    for k in range(1, 51):
        change = partial(conn.execute, "DELETE FROM events WHERE position > $1", EVENTS - k)
        chain_ok, against_checkpoint = await tampered(conn, change, check)
        chain_only += chain_ok
        by_checkpoint += (not against_checkpoint.ok) and (
            against_checkpoint.first_bad_position == EVENTS - k + 1
        )
    # The chain alone cannot see a shorter log; the checkpoint made before it sees all 50.
    assert (chain_only, by_checkpoint) == (50, 50)


async def test_a_fully_recomputed_chain_passes_the_chain_but_not_the_signed_checkpoint(
    conn: asyncpg.Connection, log: Log
) -> None:
    checkpoint = latest_checkpoint(log.checkpoints)
    assert checkpoint is not None
    rng = random.Random(5)
    positions = rng.sample(range(1, EVENTS + 1), 10)
    outcomes = []

    async def check() -> tuple[bool, bool]:
        chain = await verify_chain(conn)
        signed = await check_checkpoint(conn, checkpoint, log.key.public_key())
        return chain.ok, signed.ok

    for position in positions:
        change = partial(alter_and_rewrite_chain, conn, position)
        outcomes.append(await tampered(conn, change, check))
    assert outcomes == [(True, False)] * len(positions)


async def test_a_checkpoint_signed_with_another_key_is_refused(
    conn: asyncpg.Connection, log: Log
) -> None:
    forger = Ed25519PrivateKey.generate()
    forged = await make_checkpoint(conn, forger)
    assert forged is not None
    refused = await check_checkpoint(conn, forged, log.key.public_key())
    assert not refused.ok
    assert "signature" in (refused.problem or "")


async def test_swapped_sealed_parts_and_reordered_rows_are_found(
    conn: asyncpg.Connection,
) -> None:
    rng = random.Random(6)
    pairs = [tuple(sorted(rng.sample(range(1, EVENTS + 1), 2))) for _ in range(20)]
    swaps_found, reorders_found, refused_to_open = 0, 0, 0
    vault = Vault(conn, SEALING_KEY)  # type: ignore[arg-type]  # a connection reads like a pool
    every_key = await conn.fetch("SELECT key_id FROM keyring.subject_keys")
    keys = await vault.keys_for(bytes(r["key_id"]) for r in every_key)
    for a, b in pairs:
        first, second = await row(conn, a), await row(conn, b)
        swap = partial(
            conn.executemany,
            "UPDATE events SET sealed = $1 WHERE position = $2",
            [(second["sealed"], a), (first["sealed"], b)],
        )
        result = await tampered(conn, swap, partial(verify_chain, conn))
        swaps_found += (not result.ok) and result.first_bad_position == a
        # Even with the chain recomputed, a sealed part does not open under another event.
        moved = bytes(second["sealed"])
        try:
            open_sealed(keys[key_id_of(moved) or b""].key, first["event_id"], moved)
        except InvalidTag:
            refused_to_open += 1
        reorder = partial(
            conn.executemany,
            "UPDATE events SET position = $1 WHERE position = $2",
            [(EVENTS * 10, a), (a, b), (b, EVENTS * 10)],
        )
        result = await tampered(conn, reorder, partial(verify_chain, conn))
        reorders_found += (not result.ok) and result.first_bad_position == a
    assert (swaps_found, reorders_found, refused_to_open) == (20, 20, 20)


async def test_every_receipt_verifies_and_one_for_a_deleted_or_rewritten_event_does_not(
    conn: asyncpg.Connection, log: Log
) -> None:
    receipts = [msgspec.convert(dataclasses.asdict(r), ReceiptIn) for r in log.receipts]
    clean = await verify_receipts(conn, receipts)
    assert (clean.checked, clean.bad) == (EVENTS, [])

    rng = random.Random(7)
    flagged = 0
    targets = rng.sample(receipts, 50)
    for n, receipt in enumerate(targets):
        change = (
            partial(conn.execute, "DELETE FROM events WHERE event_id = $1", receipt.event_id)
            if n % 2
            else partial(alter_and_rewrite_chain, conn, receipt.position)
        )
        found = await tampered(conn, change, partial(verify_receipts, conn, receipts))
        flagged += receipt.event_id in found.bad
    assert flagged == len(targets)


async def test_the_signing_key_is_the_owners_alone_and_no_database_role_can_read_it(
    log: Log,
) -> None:
    key_file = next((log.checkpoints.parent / "keys").iterdir())
    assert key_file.stat().st_mode & 0o777 == 0o600
    service = await asyncpg.connect(settings_for(log.url).service_url())
    try:
        assert await service.fetchval("SELECT current_user") == SERVICE_ROLE
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await service.fetchval("SELECT pg_read_file($1)", str(key_file))
    finally:
        await service.close()
