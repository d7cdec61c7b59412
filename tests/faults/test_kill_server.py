"""The server SIGKILLed again and again while clients append with retries: every event a client
was told is stored is stored exactly once, versions stay contiguous, and the chain verifies.

The fast tier (here, in every test run) kills it 3 times under 16 clients; set
NEDBRUD_KILL_CYCLES (and NEDBRUD_KILL_CLIENTS) for the long tier.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time

import asyncpg
import pytest

from service.log.chain import verify_chain
from tests.e2e.conftest import free_port, running_server
from tests.e2e.test_server_roundtrip import KEY
from tests.faults.writers import client

pytestmark = pytest.mark.slow
CYCLES = int(os.environ.get("NEDBRUD_KILL_CYCLES", "3"))
CLIENTS = int(os.environ.get("NEDBRUD_KILL_CLIENTS", "16"))


async def stored(url: str) -> tuple[list[asyncpg.Record], bool]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT event_id, stream_id, version, position FROM events ORDER BY position"
        )
        return rows, (await verify_chain(conn)).ok
    finally:
        await conn.close()


def test_every_acknowledged_event_survives_repeated_sigkills(fresh_database_url: str) -> None:
    env = {
        "DATABASE_URL": fresh_database_url,
        "NEDBRUD_BOOTSTRAP_KEY": KEY,
        "NEDBRUD_RATE_PER_SECOND": "100000",  # one key for all clients: the limit is tested apart
        "NEDBRUD_RATE_BURST": "100000",
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    acked: dict[str, dict[str, object]] = {}
    odd: list[str] = []
    stop = threading.Event()
    threads = [
        threading.Thread(target=client, args=(base, stop, acked, odd)) for _ in range(CLIENTS)
    ]
    ends: list[int | None] = []  # how each killed server ended
    with running_server(env, port=port) as (_, process):
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        process.send_signal(signal.SIGKILL)
        ends.append(process.wait())
    for _ in range(CYCLES - 1):
        with running_server(env, port=port) as (_, process):
            time.sleep(1.5)
            process.send_signal(signal.SIGKILL)
            ends.append(process.wait())
    with running_server(env, port=port):  # a last life, to let every retry through
        time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert ends == [-signal.SIGKILL] * CYCLES  # each life really ended by SIGKILL, mid-load
    assert odd == []  # no answer but 201, or 429/503 while the server came back
    assert not any(thread.is_alive() for thread in threads)
    rows, chain_ok = asyncio.run(stored(fresh_database_url))
    assert acked, "no write was acknowledged"
    positions = {r["position"] for r in rows}
    by_event = {str(r["event_id"]): r for r in rows}
    # Every acknowledged receipt is in the log, at its position, once.
    for receipt in acked.values():
        row = by_event[str(receipt["event_id"])]
        assert row["position"] == receipt["position"]
    assert len(by_event) == len(rows)  # no event id twice
    assert len({(r["stream_id"], r["version"]) for r in rows}) == len(rows)
    assert positions == set(range(1, len(rows) + 1))  # gapless
    assert chain_ok
    print(f"{len(ends)} kills, {len(acked)} writes acknowledged, all found; {len(rows)} events")
