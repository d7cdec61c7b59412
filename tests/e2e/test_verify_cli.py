"""`nedbrud checkpoint` and `nedbrud verify` as an auditor runs them, on a log someone cut short."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path
from uuid import uuid4

import asyncpg

from service.log.events import AppendRequest, Receipt
from service.log.store import EventStore
from tests.e2e.test_forget import nedbrud
from tests.service.test_store import note


async def appended(url: str, count: int) -> list[Receipt]:
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    store = EventStore(pool)
    try:
        return [
            (await store.append(AppendRequest(uuid4(), "incident", 0, (note(f"{n}"),))))[0]
            for n in range(count)
        ]
    finally:
        await store.close()
        await pool.close()


async def cut_tail(url: str, keep: int) -> None:
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")  # bypass triggers
            await conn.execute("DELETE FROM events WHERE position > $1", keep)
    finally:
        await conn.close()


def test_verify_finds_a_cut_tail_by_the_checkpoint_and_names_the_receipts_it_lost(
    fresh_database_url: str, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": fresh_database_url, "NEDBRUD_DATA_DIR": str(tmp_path / "data")}
    receipts = asyncio.run(appended(fresh_database_url, 12))
    held = tmp_path / "receipts.jsonl"
    held.write_text(
        "".join(json.dumps(dataclasses.asdict(r), default=str) + "\n" for r in receipts)
    )
    folder = tmp_path / "to-the-auditor"

    made = nedbrud(env, "checkpoint", "--output", str(folder))
    assert made.returncode == 0, made.stderr
    signed = json.loads(made.stdout)
    assert signed["position"] == 12
    assert Path(signed["written"]).parent == folder
    clean = nedbrud(env, "verify", "--checkpoints", str(folder), "--receipts", str(held))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert json.loads(clean.stdout)["receipts"] == {"checked": 12, "bad": []}

    asyncio.run(cut_tail(fresh_database_url, keep=9))
    cut = nedbrud(env, "verify", "--checkpoints", str(folder), "--receipts", str(held))
    assert cut.returncode == 1
    found = json.loads(cut.stdout)
    assert (found["checked"], found["first_bad_position"]) == (9, None)  # the chain still holds
    assert found["checkpoint"]["ok"] is False
    assert found["checkpoint"]["first_bad_position"] == 10
    assert "tail" in found["checkpoint"]["problem"]
    assert found["receipts"]["bad"] == [str(r.event_id) for r in receipts[9:]]

    # Without a checkpoint the same log passes, and verify says what it could not check.
    unanchored = nedbrud(env, "verify", "--checkpoints", str(tmp_path / "none"))
    assert unanchored.returncode == 0
    assert "cannot be detected" in unanchored.stderr
