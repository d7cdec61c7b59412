"""The outbox's promise, against a real server: what the client confirmed arrives exactly once.

- the client process SIGKILLed again and again while it records and syncs 1,000 dispensings;
- the server stopped for 30 s while 64 clients keep recording: everything arrives once after it
  is back, and the clients' retries are spread out, not in step;
- a record the server refuses, in the middle of the queue, goes to the dead letters and the
  records after it are delivered.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

from nedbrud_client import AsyncClient, Call, Client, Outbox, calls
from tests.client.conftest import AT, Server, declared
from tests.client.recorder import dispensing
from tests.e2e.conftest import ROOT, free_port, running_server
from tests.e2e.test_server_roundtrip import KEY

KILLED_EVENTS = int(os.environ.get("NEDBRUD_CLIENT_KILL_EVENTS", "1000"))
OUTAGE_S = float(os.environ.get("NEDBRUD_CLIENT_OUTAGE_S", "30"))


async def stored_keys(database_url: str, keys: list[str]) -> dict[str, int]:
    """How many events each Idempotency-Key stored (the key's row points at its event)."""
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT k.key, count(e.event_id) AS n FROM idempotency_keys k "
            "JOIN events e ON e.event_id = k.event_id WHERE k.key = ANY($1) GROUP BY k.key",
            keys,
        )
    finally:
        await conn.close()
    return {r["key"]: r["n"] for r in rows}


async def dispensings_of(database_url: str, incident: Any) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM events WHERE correlation_id = $1 "
                "AND type = 'medication-dispensed'",
                incident,
            )
        )
    finally:
        await conn.close()


def test_a_client_killed_again_and_again_loses_nothing_it_confirmed_and_sends_nothing_twice(
    server: Server, database_url: str, tmp_path: Path
) -> None:
    incident = declared(server, unit="botilbud-kill").incident_id
    outbox, confirmed = tmp_path / "outbox.sqlite3", tmp_path / "confirmed.txt"
    confirmed.touch()
    rng = random.Random(11)
    args = [server.url, server.key, str(outbox), str(incident)]
    kills = 0
    while len(confirmed.read_text().splitlines()) < KILLED_EVENTS:
        recorder = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.client.recorder",
                *args,
                str(KILLED_EVENTS),
                str(confirmed),
            ],
            cwd=ROOT,
        )
        try:
            recorder.wait(timeout=rng.uniform(0.5, 2.0))
        except subprocess.TimeoutExpired:
            recorder.send_signal(signal.SIGKILL)
            recorder.wait()
            kills += 1
    drain = subprocess.run(
        [sys.executable, "-m", "tests.client.recorder", *args, "0", str(confirmed)],
        cwd=ROOT,
        timeout=300,
    )
    assert drain.returncode == 0
    assert kills >= 5  # the recorder really was cut off mid-work, many times

    keys = confirmed.read_text().splitlines()
    assert len(keys) == len(set(keys)) >= KILLED_EVENTS
    stored = asyncio.run(stored_keys(database_url, keys))
    assert {k for k, n in stored.items() if n == 1} == set(keys)  # every confirmed one, once
    saved = len(Outbox(outbox).items())  # confirmed, plus any saved just before a kill
    assert asyncio.run(dispensings_of(database_url, incident)) == saved
    print(
        f"\nclient SIGKILLed {kills} times: {len(keys)} confirmed, {saved} saved, all stored once"
    )


async def carer(
    n: int, url: str, incident: Any, folder: Path, until: float, attempts: list[tuple[float, int]]
) -> list[str]:
    """One client: records a dispensing every ~2 s and syncs what is due; logs each attempt."""
    rng = random.Random(n)
    outbox = Outbox(folder / f"outbox-{n}.sqlite3", rng=rng)
    saved: list[str] = []
    async with AsyncClient(url, KEY) as client:

        async def send(call: Call[Any]) -> Any:
            attempts.append((time.monotonic(), n))
            return await client.send(call)

        while time.monotonic() < until:
            call = calls.record_medication_dispensing(incident, dispensing(n * 1000 + len(saved)))
            outbox.save(call)
            saved.append(str(call.idempotency_key))
            await outbox.sync_async(send)
            await asyncio.sleep(rng.uniform(1.5, 2.5))
        while (status := outbox.status()).pending:
            await asyncio.sleep(min(status.next_attempt_in_s or 0.05, 1.0))
            await outbox.sync_async(send)
    outbox.close()
    return saved


def test_sixty_four_clients_ride_out_a_stopped_server_and_come_back_out_of_step(
    fresh_database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {"DATABASE_URL": fresh_database_url, "NEDBRUD_BOOTSTRAP_KEY": KEY}
    env |= {"NEDBRUD_RATE_PER_SECOND": "100000", "NEDBRUD_RATE_BURST": "100000"}
    url = f"http://127.0.0.1:{port}"
    attempts: list[tuple[float, int]] = []

    async def scenario() -> tuple[Any, list[list[str]], float]:
        with ExitStack() as first, ExitStack() as second:
            await asyncio.to_thread(first.enter_context, running_server(env, port=port))
            server = Server(url, KEY, env)
            incident = (await asyncio.to_thread(declared, server, "botilbud-64")).incident_id
            until = time.monotonic() + 5 + OUTAGE_S + 5
            tasks = [
                asyncio.create_task(carer(n, url, incident, tmp_path, until, attempts))
                for n in range(64)
            ]
            await asyncio.sleep(5)
            await asyncio.to_thread(first.close)  # stopped, while the clients keep recording
            await asyncio.sleep(OUTAGE_S)
            await asyncio.to_thread(second.enter_context, running_server(env, port=port))
            back = time.monotonic()
            done = await asyncio.wait_for(asyncio.gather(*tasks), timeout=180)
        return incident, done, back

    incident, saved, back = asyncio.run(scenario())
    keys = [k for per_client in saved for k in per_client]
    assert len(keys) > 64 * OUTAGE_S / 3  # they kept recording through the outage
    stored = asyncio.run(stored_keys(fresh_database_url, keys))
    assert sorted(stored) == sorted(keys)
    assert set(stored.values()) == {1}
    assert asyncio.run(dispensings_of(fresh_database_url, incident)) == len(keys)

    # Each client's first attempt after the server came back: spread over seconds, not a burst.
    first = {}
    for at, n in sorted(attempts):
        if at >= back and n not in first:
            first[n] = at - back
    assert len(first) == 64
    per_100ms: dict[int, int] = {}
    for offset in first.values():
        per_100ms[int(offset * 10)] = per_100ms.get(int(offset * 10), 0) + 1
    assert max(per_100ms.values()) <= 8
    assert max(first.values()) - min(first.values()) > 3.0
    print(
        f"\n64 clients, server down {OUTAGE_S:.0f} s: {len(keys)} records stored once each; "
        f"first retries after its return spread over {max(first.values()):.1f} s, "
        f"at most {max(per_100ms.values())} in any 100 ms"
    )


def test_a_refused_record_goes_to_the_dead_letters_and_the_rest_are_delivered(
    server: Server, tmp_path: Path
) -> None:
    incident = declared(server, unit="botilbud-dead").incident_id
    outbox = Outbox(tmp_path / "outbox.sqlite3")
    future = msgspec.structs.replace(dispensing(3), dispensed_at=AT + timedelta(days=3650))
    bodies = [dispensing(1), dispensing(2), future, dispensing(4), dispensing(5)]
    ids = [outbox.save(calls.record_medication_dispensing(incident, b)) for b in bodies]
    with Client(server.url, server.key) as client:
        report = outbox.sync(client.send)
    assert (report.delivered, report.dead, report.waiting) == (4, 1, 0)
    states = {i.id: i.state for i in outbox.items()}
    assert [states[i] for i in ids] == ["delivered", "delivered", "dead", "delivered", "delivered"]
    (dead,) = outbox.items("dead")
    assert dead.http_status == 422
    assert "future" in (dead.last_error or "") or "dispensed_at" in str(dead.answer)
    receipts = outbox.receipts()
    assert len(receipts) == 4
    assert all(r["record_id"] for r in receipts)
