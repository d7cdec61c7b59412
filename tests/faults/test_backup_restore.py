"""A backup taken under load, restored into a fresh database: the chain verifies against the last
signed checkpoint, the clients' receipts up to the backup verify (and those after it are named),
the projections are rebuilt and the situation picture is the original's at the backup's head,
and no key is in the backup."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from service.read.projections import PROJECTIONS
from service.read.projector import FACT_COLUMNS, facts_of
from tests.conftest import _admin, with_database
from tests.e2e.conftest import ROOT, running_server
from tests.e2e.test_server_roundtrip import AUTH, DECLARE, KEY
from tests.faults.writers import client

pytestmark = pytest.mark.slow

SEALING_KEY = "e2e-synthetic-sealing-key"
PSEUDONYM_KEY = "e2e-synthetic-pseudonym-key"


@pytest.fixture
def empty_database_url(server_url: str) -> Iterator[str]:
    """A database with nothing in it, not even the migrations: what a restore goes into."""
    name = f"nedbrud_restore_{uuid.uuid4().hex[:12]}"
    _admin(server_url, f'CREATE DATABASE "{name}"')
    try:
        yield with_database(server_url, name)
    finally:
        _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def nedbrud(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        cwd=ROOT,
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"nedbrud {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    # Not on a terminal: no progress display, one JSON line.
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    summary: dict[str, Any] = json.loads(lines[0])
    return summary


async def picture_at(url: str, head: int) -> dict[str, Any]:
    """The situation picture folded from the log up to `head`, by the projection's own fold."""
    projection = PROJECTIONS["situation"]
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            f"SELECT {FACT_COLUMNS} FROM events WHERE position <= $1 ORDER BY position", head
        )
    finally:
        await conn.close()
    states: dict[str, Any] = {}
    projection.fold(states, facts_of(list(rows)))
    return states


async def picture_stored(url: str) -> dict[str, Any]:
    projection = PROJECTIONS["situation"]
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(f"SELECT key, state::text AS state FROM {projection.table}")
    finally:
        await conn.close()
    return {r["key"]: projection.decode(r["state"]) for r in rows}


def test_a_backup_under_load_restores_verifies_and_shows_the_same_picture(
    fresh_database_url: str, empty_database_url: str
) -> None:
    root = Path(tempfile.mkdtemp(prefix="nedbrud-backup-"))
    try:
        env = {
            "NEDBRUD_DATA_DIR": str(root / "data"),
            "NEDBRUD_SEALING_KEY": SEALING_KEY,
            "NEDBRUD_PSEUDONYM_KEY": PSEUDONYM_KEY,
        }
        source = env | {"DATABASE_URL": fresh_database_url}
        serving = source | {
            "NEDBRUD_BOOTSTRAP_KEY": KEY,
            "NEDBRUD_RATE_PER_SECOND": "100000",
            "NEDBRUD_RATE_BURST": "100000",
            "NEDBRUD_CHECKPOINT_INTERVAL": "1",  # signed checkpoints keep coming under the load
        }
        acked: dict[str, dict[str, object]] = {}
        odd: list[str] = []
        stop = threading.Event()
        with running_server(serving) as (base, _):
            threads = [
                threading.Thread(target=client, args=(base, stop, acked, odd)) for _ in range(8)
            ]
            for thread in threads:
                thread.start()
            time.sleep(2.0)
            started = time.monotonic()
            backed_up = nedbrud(source, "backup", str(root / "backup"))
            backup_s = time.monotonic() - started
            time.sleep(1.5)  # writes after the backup: not in it
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        assert odd == []
        head = backed_up["head"]
        assert head > 0
        assert backed_up["checkpoint"] is not None
        manifest = json.loads((root / "backup" / "manifest.json").read_text())
        assert manifest["latest_checkpoint"] == head
        assert len(acked) > len([r for r in acked.values() if int(str(r["position"])) <= head])

        # No key in the backup: not the sealing key, not the pseudonym key, not the signer.
        for path in (root / "backup").rglob("*"):
            assert path.name not in ("sealing.key", "pseudonym.key", "checkpoint-signing.key")
            if path.is_file():
                content = path.read_bytes()
                assert SEALING_KEY.encode() not in content
                assert PSEUDONYM_KEY.encode() not in content

        target = env | {
            "DATABASE_URL": empty_database_url,
            "NEDBRUD_CHECKPOINT_DIR": str(root / "restored-checkpoints"),
        }
        started = time.monotonic()
        restored = nedbrud(target, "restore", str(root / "backup"))
        restore_s = time.monotonic() - started
        assert restored["head"] == head

        receipts = root / "receipts.jsonl"
        kept = [r for r in acked.values() if int(str(r["position"])) <= head]
        receipts.write_text("".join(json.dumps(r) + "\n" for r in kept))
        verified = nedbrud(target, "verify", "--receipts", str(receipts))
        assert verified["ok"] is True
        assert verified["checked"] == head
        assert verified["checkpoint"] == {
            "ok": True,
            "position": head,
            "problem": None,
            "first_bad_position": None,
        }
        assert verified["receipts"] == {"checked": len(kept), "bad": []}

        # A receipt of a write after the backup names what the restore could not bring back.
        later = [r for r in acked.values() if int(str(r["position"])) > head][:3]
        receipts.write_text("".join(json.dumps(r) + "\n" for r in later))
        done = subprocess.run(
            [sys.executable, "-m", "service.cli", "verify", "--receipts", str(receipts)],
            cwd=ROOT,
            env=os.environ | target,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 1
        assert json.loads(done.stdout)["receipts"]["bad"] == [str(r["event_id"]) for r in later]

        rebuilt = nedbrud(target, "rebuild", "situation")
        assert rebuilt["events"] == head
        expected = asyncio.run(picture_at(fresh_database_url, head))
        assert len(expected) > 100
        assert asyncio.run(picture_stored(empty_database_url)) == expected

        # The restored database serves: the service's role may read and append.
        with (
            running_server(target | {"NEDBRUD_BOOTSTRAP_KEY": KEY}) as (base, _),
            httpx.Client(base_url=base, headers=AUTH, timeout=10) as http,
        ):
            written = http.post("/v1/incidents", json=DECLARE)
            assert written.status_code == 201, written.text
            assert written.json()["position"] == head + 1
        print(
            f"\nbackup of {head} events ({backed_up['rows']} rows, {backed_up['bytes']} bytes) "
            f"under load: {backup_s:.2f} s (pg_dump {backed_up['dump_seconds']} s); restore "
            f"{restore_s:.2f} s (load {restored['load_seconds']} s, rebuild "
            f"{restored['rebuild_seconds']} s)"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
