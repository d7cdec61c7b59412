"""Projection scenarios: how soon an append shows in /v1/situation, and how fast a rebuild runs.

`lag`: a real `nedbrud serve` process on the scratch database; clients post steps to open
incidents and, for each receipt, ask `GET /v1/situation?after_position=<its position>`. The time
from the receipt to that answer is the lag a user sees (it includes the read itself).

`rebuild`: fills the scratch database with a mix of incident steps, paper records and journal
entries through the store (group commit), then runs `nedbrud rebuild` as a child process and
reports events/s per projection and the child's peak memory.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from bench.registry import Options, Ratios, scenario
from domain.base import Person
from domain.incident import DetectedVia, Incident
from domain.manual_record import CareStatus, ManualRecord
from service.log.codec import Codec
from service.log.events import AppendRequest
from service.log.store import EventStore
from service.log.vault import Vault

KEY = "nbd_bench-bootstrap-key-of-at-least-32-characters"
SEALING_KEY = b"bench-synthetic-sealing-key"
SITUATION_POSITION = "SELECT position FROM projection_positions WHERE name = 'situation'"
AT = datetime(2026, 3, 5, 13, 30, tzinfo=UTC)
ANNE = Person(id="emp-1042", name="Bench Testesen")


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SERVE = (sys.executable, "-m", "service.cli", "serve")
NAIVE = (sys.executable, "-m", "bench.naive")  # the peer a team would build (bench/naive.py)


def serve(
    url: str, workers: int = 1, command: tuple[str, ...] = SERVE
) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": url,
        "NEDBRUD_BOOTSTRAP_KEY": KEY,
        "NEDBRUD_PSEUDONYM_KEY": "bench-synthetic-pseudonym-key",
        "NEDBRUD_SEALING_KEY": SEALING_KEY.decode(),
        "NEDBRUD_CHECKPOINT_INTERVAL": "0",
        # The load is the point here; the rate limit is tested apart.
        "NEDBRUD_RATE_PER_SECOND": "1000000",
        "NEDBRUD_RATE_BURST": "1000000",
    }
    process = subprocess.Popen(
        [*command, "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                profile(process.pid, command)
                return base, process
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not start")


def profile(pid: int, command: tuple[str, ...]) -> None:
    """With `--profile DIR` (NEDBRUD_BENCH_PROFILE), py-spy samples the server until it exits and
    writes DIR/nedbrud-<pid>.json (naive-<pid>.json for the peer app), speedscope format."""
    folder = os.environ.get("NEDBRUD_BENCH_PROFILE")
    if folder:
        name = "naive" if command == NAIVE else "nedbrud"
        out = os.path.join(folder, f"{name}-{pid}.json")
        subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "py-spy"), "record", "--pid",
             str(pid), "--rate", "100", "--format", "speedscope", "-o", out],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip


async def lag(url: str, samples: int, clients: int, incidents: int) -> dict[str, float]:
    base, process = serve(url)
    try:
        async with httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {KEY}"}, timeout=30
        ) as http:
            bodies = [
                {
                    "title": f"Bench {n}",
                    "detected_via": "monitoring",
                    "reported_by": {"id": "bench"},
                    "affected_systems": ["nexus"],
                    "affected_units": [f"botilbud-{n}"],
                    "occurred_at": "2026-03-05T14:30:00+01:00",
                }
                for n in range(incidents)
            ]
            ids = []
            for start in range(0, incidents, 20):  # declared 20 at a time: set-up, not measured
                answers = await asyncio.gather(
                    *(http.post("/v1/incidents", json=b) for b in bodies[start : start + 20])
                )
                ids += [a.json()["incident_id"] for a in answers]
            lags: list[float] = []
            folded: list[float] = []
            rng = random.Random(7)
            db = await asyncpg.connect(url)

            async def client() -> None:
                while len(lags) < samples:
                    note = {
                        "type": "note-added",
                        "text": "status",
                        "by": {"id": "bench"},
                        "occurred_at": "2026-03-05T16:00:00+01:00",
                    }
                    posted = await http.post(f"/v1/incidents/{rng.choice(ids)}/events", json=note)
                    receipt_at = time.perf_counter()
                    assert posted.status_code == 201, posted.text
                    position = posted.json()["position"]
                    if clients == 1:  # the projector alone: until its position passes ours
                        while True:  # polled: a wake-up would measure the notifier, not the fold
                            if await db.fetchval(SITUATION_POSITION) >= position:
                                break
                            await asyncio.sleep(0.0005)
                        folded.append(time.perf_counter() - receipt_at)
                    seen = await http.get("/v1/situation", params={"after_position": position})
                    assert seen.status_code == 200, seen.text
                    lags.append(time.perf_counter() - receipt_at)

            began = time.monotonic()
            await asyncio.gather(*(client() for _ in range(clients)))
            elapsed = time.monotonic() - began
            await db.close()
            reads: list[float] = []
            for _ in range(min(samples, 200)):  # the read alone, with nothing to wait for
                started = time.perf_counter()
                await http.get("/v1/situation")
                reads.append(time.perf_counter() - started)
        print(
            f"lag: {len(lags)} appends by {clients} clients over {incidents} open incidents, "
            f"{len(lags) / elapsed:,.0f} appends/s"
        )
        if folded:
            print(
                f"append -> folded into the situation projection: p50 {pct(folded, 0.5):.1f} ms, "
                f"p99 {pct(folded, 0.99):.1f} ms"
            )
        print(
            f"append -> visible in /v1/situation: p50 {pct(lags, 0.5):.1f} ms, "
            f"p99 {pct(lags, 0.99):.1f} ms"
        )
        print(
            f"GET /v1/situation alone ({incidents} incidents): p50 {pct(reads, 0.5):.1f} ms, "
            f"p99 {pct(reads, 0.99):.1f} ms"
        )
        print(
            (
                f"ratio: fold_p50_ms={pct(folded, 0.5):.1f} fold_p99_ms={pct(folded, 0.99):.1f} "
                if folded
                else "ratio: "
            )
            + f"lag_p50_ms={pct(lags, 0.5):.1f} lag_p99_ms={pct(lags, 0.99):.1f} "
            f"read_p50_ms={pct(reads, 0.5):.1f} lag_over_read_p50="
            f"{pct(lags, 0.5) / pct(reads, 0.5):.2f}"
        )
        return {"lag_p99_ms": pct(lags, 0.99), "situation_read_p99_ms": pct(reads, 0.99)}
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


async def populate(url: str, target: int, clients: int = 200) -> int:
    """A realistic mix: incident notes, paper records, journal entries; `target` events."""
    pool = await asyncpg.create_pool(url, min_size=4, max_size=16)
    store, codec, vault = EventStore(pool), Codec(), Vault(pool, SEALING_KEY)
    written = 0

    async def client(n: int) -> None:
        nonlocal written
        rng = random.Random(n)
        incident = Incident(
            id=uuid.uuid4(),
            title=f"Bench {n}",
            description=None,
            detected_via=DetectedVia.MONITORING,
            reported_by=ANNE,
            affected_systems=("nexus",),
            affected_units=(f"botilbud-{n}",),
            occurred_at=AT,
        )
        pending: list[ManualRecord] = []
        batch: list[tuple[Any, str, int]] = [(incident, "incident", 0)]
        while written < target:
            for aggregate, stream_type, expected in batch:
                events = tuple(
                    codec.encode(
                        e, event_id=uuid.uuid4(), source="bench", correlation_id=incident.id
                    )
                    for e in aggregate.collect_events()
                )
                events = await vault.seal(aggregate.data_subject, events)
                await store.append(AppendRequest(aggregate.id, stream_type, expected, events))
                written += len(events)
            roll, at = rng.random(), AT + timedelta(minutes=rng.randrange(600))
            if roll < 0.2:
                version = incident.version
                incident.add_note("status", ANNE, at)
                batch = [(incident, "incident", version)]
            # At most 2,000 paper records waiting per client, so a 10M-event log fits in memory.
            elif (roll < 0.7 or not pending) and len(pending) < 2_000:
                record = ManualRecord.deliver_care(
                    id=uuid.uuid4(),
                    incident_id=incident.id,
                    unit=f"botilbud-{n}",
                    citizen_ref="cit_" + "b" * 24,
                    citizen=None,
                    service="aftenbesøg",
                    status=CareStatus.DELIVERED,
                    note=None,
                    by=ANNE,
                    occurred_at=at,
                )
                pending.append(record)
                batch = [(record, "manual-record", 0)]
            else:
                record = pending.pop(rng.randrange(len(pending)))
                record.mark_entered_in_journal("J", ANNE, AT + timedelta(days=1))
                batch = [(record, "manual-record", 1)]

    await asyncio.gather(*(client(n) for n in range(clients)))
    await store.close()
    head = int(await pool.fetchval("SELECT coalesce(max(position), 0) FROM events"))
    await pool.close()
    return head


def rebuild(url: str, events: int) -> dict[str, float]:
    began = time.monotonic()
    head = asyncio.run(populate(url, events))
    print(f"rebuild: {head:,} events in the log (filled in {time.monotonic() - began:.0f} s)")
    child = subprocess.run(
        [sys.executable, "-m", "service.cli", "rebuild"],
        env=os.environ | {"DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    )
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rates = {}
    for line in child.stdout.splitlines():
        result = json.loads(line)
        rates[result["projection"]] = result["events_per_second"]
        print(
            f"  {result['projection']:<11} {result['events']:>10,} events "
            f"{result['seconds']:>7.1f} s  {result['events_per_second']:>8,} events/s"
        )
    print(f"  peak memory of the rebuild process: {peak_mib:.0f} MiB")
    print(
        "ratio: "
        + " ".join(f"rebuild_{name.replace('-', '_')}_eps={rate}" for name, rate in rates.items())
        + f" rebuild_peak_mib={peak_mib:.0f}"
    )
    return {"rebuild_slowest_eps": float(min(rates.values())), "rebuild_peak_mib": peak_mib}


@scenario("lag", order=70)
def lag_scenario(url: str, options: Options) -> Ratios:
    return asyncio.run(lag(url, 300 if options.quick else 5000, options.clients or 1, 100))


@scenario("rebuild", order=80)
def rebuild_scenario(url: str, options: Options) -> Ratios:
    return rebuild(url, 50_000 if options.quick else 1_000_000)
