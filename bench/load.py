"""Reads and live updates under write load, and appends as the log grows.

`read`: `GET /v1/situation` p50/p99 over 100 open incidents with 10,000 paper records, alone and
while appends run at half the server's maximum rate (measured first, in the same run).

`live`: 50 dashboards follow `GET /v1/situation/stream` while steps are appended at 500/s; the
time from each append's receipt to its arrival on each dashboard, p50/p99.

`growth`: the store's append rate and p99 (64 writers) and the time to read an incident timeline
of 10,000 events over HTTP, with the log empty and after it has grown by 1,000,000 events (and,
with `--long`, by 10,000,000).
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import re
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx

from bench import append
from bench.ingest import Connection, declare_body, over_http
from bench.projections import ANNE, AT, KEY, SEALING_KEY, pct, populate, serve
from bench.registry import Options, Ratios, scenario
from domain.incident import DetectedVia, Incident
from service.log.codec import Codec
from service.log.events import AppendRequest
from service.log.store import EventStore
from service.log.vault import Vault

AUTH = {"Authorization": f"Bearer {KEY}"}
JSON = {"Content-Type": "application/json"}
NOTE = {"type": "note-added", "text": "status", "by": {"id": "bench"}}


def note_body() -> bytes:
    return json.dumps(NOTE | {"occurred_at": "2026-03-05T16:00:00+01:00"}).encode()


async def projections_caught_up(url: str, patience: float = 300) -> None:
    """Wait until every projection has folded the whole log (earlier scenarios leave a backlog
    that a new server's projectors fold first)."""
    conn = await asyncpg.connect(url)
    try:
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            behind = await conn.fetchval(
                "SELECT count(*) FROM projection_positions "
                "WHERE position < (SELECT coalesce(max(position), 0) FROM events)"
            )
            if behind == 0:
                return
            await asyncio.sleep(0.2)
        raise SystemExit("the projections did not catch up")
    finally:
        await conn.close()


async def open_incidents(base: str, url: str) -> list[str]:
    await projections_caught_up(url)
    async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=60) as http:
        picture = (await http.get("/v1/situation")).json()
    return [i["incident_id"] for i in picture["incidents"]]


async def paced_appends(
    base: str,
    incidents: list[str],
    rate: float,
    stop: asyncio.Event,
    sent: dict[int, tuple[float, str]],
    warmed: asyncio.Event | None = None,
) -> int:
    """Notes on the open incidents at `rate` per second (64 connections); `sent` maps each
    receipt's position to when it came back; `warmed` is set once each incident has had one.
    A writer that falls behind (a slow answer) goes on from now: it does not catch up in a
    burst."""
    connections = [await Connection.open(base) for _ in range(64)]
    count = 0
    interval = len(connections) / rate
    unwritten = set(incidents)

    async def writer(n: int, connection: Connection) -> None:
        nonlocal count
        due = time.monotonic() + n * interval / len(connections)
        while not stop.is_set():
            due = max(due + interval, time.monotonic())
            incident = incidents[(count + n) % len(incidents)]
            status, body = await connection.post_reading(
                f"/v1/incidents/{incident}/events",
                note_body(),
                JSON,
            )
            if status == 201:
                sent[json.loads(body)["position"]] = (time.perf_counter(), incident)
                count += 1
                unwritten.discard(incident)
                if not unwritten and warmed is not None:
                    warmed.set()
            await asyncio.sleep(max(0.0, due - time.monotonic()))

    tasks = [asyncio.create_task(writer(n, c)) for n, c in enumerate(connections)]
    await stop.wait()
    await asyncio.gather(*tasks)
    for connection in connections:
        connection.close()
    return count


async def timed_reads(
    base: str, seconds: float, path: str = "/v1/situation", params: dict[str, str] | None = None
) -> list[float]:
    """GETs of `path` one after another for `seconds`, timed in a process of their own: in this
    one they would also wait for the load generator's event loop, and the figure would be ours,
    not the server's."""
    return await asyncio.get_running_loop().run_in_executor(
        reader(), reads_in_a_process, base, seconds, path, params or {}
    )


_READER: list[ProcessPoolExecutor] = []


def reader() -> ProcessPoolExecutor:
    """The process the reads are timed in, started once per run of `bench` (a new Python with
    the bench's imports costs a second or so, and `read`, `rounds` and `paper` each time reads
    twice); it ends with the run."""
    if not _READER:
        _READER.append(
            ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        )
    return _READER[0]


def reads_in_a_process(base: str, seconds: float, path: str, params: dict[str, str]) -> list[float]:
    return asyncio.run(reads(base, seconds, path, params))


async def reads(base: str, seconds: float, path: str, params: dict[str, str]) -> list[float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=60) as http:
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            started = time.perf_counter()
            response = await http.get(path, params=params)
            assert response.status_code == 200, response.text
            latencies.append(time.perf_counter() - started)
    return latencies


@dataclass(frozen=True)
class UnderLoad:
    """Read latencies alone and under the append load, and that load."""

    alone: list[float]
    loaded: list[float]
    most: float  # the server's maximum append rate, measured first (ev/s)
    written: int  # notes appended while the loaded reads ran
    warm_up: float  # seconds until every open incident had been written to (not timed)
    incidents: int  # the open incidents the notes went to

    def rate(self, seconds: float) -> float:
        return self.written / seconds


# The maximum append rate of a database's server, measured once per run of `bench`: `read`,
# `rounds` and `paper` each load a fresh server of their own with half of it, and a fresh
# server on the same database reaches the same maximum, so `bench all` measures it once.
_MOST: dict[str, float] = {}


async def alone_then_under_load(
    base: str, url: str, seconds: float, path: str, params: dict[str, str] | None = None
) -> UnderLoad:
    """GETs of `path` for `seconds` alone, then for `seconds` while notes are appended to the
    open incidents at half the server's maximum rate (measured first, declaring drills: new
    incidents, so no write waits for another's stream). `read`, `rounds` and `paper` use it.

    The reads under load are timed once every open incident has been written to: a new server
    takes each into memory on its first write (about 110 replays in the load's first seconds),
    and reads timed then measured that, not the load. How long that took is `warm_up`."""
    alone = await timed_reads(base, seconds, path, params)
    incidents = await open_incidents(base, url)
    if url not in _MOST:
        _MOST[url], _, _ = await over_http(
            base, 64, seconds, "/v1/incidents", declare_body, lambda: JSON, 1
        )
    most = _MOST[url]
    stop, sent = asyncio.Event(), dict[int, tuple[float, str]]()
    warmed = asyncio.Event()
    writing = asyncio.create_task(paced_appends(base, incidents, most / 2, stop, sent, warmed))
    began = time.monotonic()
    waiting = asyncio.create_task(warmed.wait())
    await asyncio.wait([waiting, writing], timeout=60, return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()
    warm_up, written = time.monotonic() - began, len(sent)
    loaded = await timed_reads(base, seconds, path, params)
    stop.set()
    return UnderLoad(alone, loaded, most, await writing - written, warm_up, len(incidents))


async def read(url: str, seconds: float) -> dict[str, float]:
    await populate(url, 13_000, clients=100)  # 100 incidents, about 10,000 paper records
    base, process = serve(url)
    try:
        records = await asyncpg_count(url)
        incidents = await open_incidents(base, url)
        measured = await alone_then_under_load(base, url, seconds, "/v1/situation")
    finally:
        process.terminate()
        process.wait()
    alone, loaded = measured.alone, measured.loaded
    print(
        f"read: {len(incidents)} open incidents, {records:,} paper records; appends at "
        f"{measured.rate(seconds):,.0f}/s (half of the {measured.most:,.0f}/s measured first)"
    )
    for name, values in (("alone", alone), ("under load", loaded)):
        print(
            f"  GET /v1/situation {name:<11} p50 {pct(values, 0.5):6.1f} ms  "
            f"p99 {pct(values, 0.99):6.1f} ms  ({len(values)} reads)"
        )
    return {
        "situation_p99_ms_alone": pct(alone, 0.99),
        "situation_p99_ms_under_load": pct(loaded, 0.99),
    }


async def asyncpg_count(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(
            await conn.fetchval("SELECT count(*) FROM events WHERE stream_type = 'manual-record'")
        )
    finally:
        await conn.close()


Arrivals = dict[str, list[tuple[int, float]]]  # incident -> (message id, when it arrived)
INCIDENT_ID = re.compile(rb'"incident_id":"([0-9a-f-]{36})"')


async def dashboard(base: str, arrived: list[Arrivals], ready: asyncio.Event) -> None:
    """One EventSource: notes when each incident's messages arrived, and their ids."""
    parts = urlsplit(base)
    # The snapshot is one line with every open incident: far over asyncio's 64 KiB default.
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port, limit=2**26)
    writer.write(
        f"GET /v1/situation/stream HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {KEY}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    await reader.readuntil(b"\r\n\r\n")
    mine: Arrivals = {}
    arrived.append(mine)
    ready.set()
    current: tuple[int, float] | None = None
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            if b"id: " in line:
                current = (int(line.split(b"id: ")[1].strip()), time.perf_counter())
            elif current and line.startswith(b"data: ") and (found := INCIDENT_ID.search(line)):
                mine.setdefault(found.group(1).decode(), []).append(current)
    except (asyncio.CancelledError, ConnectionError):
        return
    finally:
        writer.close()


async def live(
    url: str, seconds: float, dashboards: int = 50, rate: float = 500
) -> dict[str, float]:
    base, process = serve(url)
    try:
        async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=60) as http:
            for _ in range(20):
                await http.post(
                    "/v1/incidents",
                    content=declare_body("actual"),
                    headers=JSON,
                )
        incidents = await open_incidents(base, url)
        arrived: list[Arrivals] = []
        readers = []
        for _ in range(dashboards):
            ready = asyncio.Event()
            readers.append(asyncio.create_task(dashboard(base, arrived, ready)))
            await ready.wait()
        stop, sent = asyncio.Event(), dict[int, tuple[float, str]]()
        writing = asyncio.create_task(paced_appends(base, incidents, rate, stop, sent))
        await asyncio.sleep(seconds)
        stop.set()
        written = await writing
        await asyncio.sleep(1.0)  # the last deliveries
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
    finally:
        process.terminate()
        process.wait()
    # A change has reached a dashboard when a message about its incident with an id at or past
    # its position has: changes that arrive together come as one message, the latest state.
    delays, missing = [], 0
    for seen in arrived:
        for position, (at, incident) in sent.items():
            reached = next((t for i, t in seen.get(incident, []) if i >= position), None)
            if reached is None:
                missing += 1
            else:
                delays.append(reached - at)
    print(
        f"live: {dashboards} dashboards, {written / seconds:,.0f} appends/s for {seconds:.0f} s; "
        f"{len(delays):,} deliveries, {missing} not delivered within 1 s of the end"
    )
    print(
        f"  receipt -> dashboard  p50 {pct(delays, 0.5):6.1f} ms  p99 {pct(delays, 0.99):6.1f} ms"
    )
    return {"sse_p50_ms": pct(delays, 0.5), "sse_p99_ms": pct(delays, 0.99)}


async def growth(url: str, seconds: float, sizes: tuple[int, ...]) -> dict[str, float]:
    """Appends through the store (no server running: its projectors would be folding the new
    events during the round) on a settled database: empty, then grown to each of `sizes`."""
    incident = await long_incident(url, 10_000)
    await settle(url)
    empty = await append.run(url, 1, seconds, 64)
    empty_timeline = await served_timeline(url, incident)
    print(f"growth: empty table: timeline of 10,000 events {empty_timeline:.0f} ms")
    ratios: dict[str, float] = {}
    grown_by = 0
    for size in sizes:
        began = time.monotonic()
        await populate(url, size - grown_by)
        grown_by = size
        print(f"growth: {size:,} more events written in {time.monotonic() - began:.0f} s")
        await settle(url)
        grown = await append.run(url, 1, seconds, 64)
        grown_timeline = await served_timeline(url, incident)
        ratio = grown["store_rate"] / empty["store_rate"]
        # The peer writes to a table of its own that does not grow: what it loses is the
        # machine's.
        relative = grown["store_vs_asyncpg_1txn"] / empty["store_vs_asyncpg_1txn"]
        print(
            f"growth: after {size:,} more events the append rate is {ratio:.0%} of the empty "
            f"table's ({relative:.0%} measured against the peer's rate in the same rounds); "
            f"timeline of 10,000 events {grown_timeline:.0f} ms"
        )
        suffix = "" if size == sizes[0] else f"_{size // 1_000_000}m"
        ratios |= {
            f"growth_append_ratio{suffix}": ratio,
            f"growth_vs_peer_ratio{suffix}": relative,
            f"timeline_10k_ms{suffix}": grown_timeline,
        }
    return ratios


async def settle(url: str) -> None:
    """Write out what the filling left in memory (a CHECKPOINT) and refresh the planner's
    statistics, so the round measures appends, not the aftermath of the fill."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("CHECKPOINT")
        await conn.execute("ANALYZE events")
    finally:
        await conn.close()


async def served_timeline(url: str, incident: str) -> float:
    base, process = serve(url)
    try:
        return await timeline_ms(base, incident)
    finally:
        process.terminate()
        process.wait()


async def long_incident(url: str, events: int) -> str:
    """One open incident with `events` notes, appended through the store in pages (over HTTP
    each note would replay the whole stream first: see RESULTS.md)."""
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    store, codec, vault = EventStore(pool), Codec(), Vault(pool, SEALING_KEY)
    incident = Incident(
        id=uuid.uuid4(),
        title="Langt nedbrud",
        description=None,
        detected_via=DetectedVia.MONITORING,
        reported_by=ANNE,
        affected_systems=("nexus",),
        affected_units=("botilbud-langt",),
        occurred_at=AT,
    )
    version = 0
    while incident.version < events:
        for n in range(min(500, events - incident.version)):
            incident.add_note(f"status {n}", ANNE, AT + timedelta(seconds=n))
        new = tuple(
            codec.encode(e, event_id=uuid.uuid4(), source="bench", correlation_id=incident.id)
            for e in incident.collect_events()
        )
        sealed = await vault.seal(incident.data_subject, new)
        await store.append(AppendRequest(incident.id, "incident", version, sealed))
        version = incident.version
    await store.close()
    await pool.close()
    return str(incident.id)


async def timeline_ms(base: str, incident: str) -> float:
    async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=120) as http:
        times = []
        for _ in range(3):
            started = time.perf_counter()
            response = await http.get(f"/v1/incidents/{incident}/timeline")
            assert response.status_code == 200
            times.append((time.perf_counter() - started) * 1000)
    return sorted(times)[1]


_ = (Any, uuid)


@scenario("read", order=40)
def read_scenario(url: str, options: Options) -> Ratios:
    return asyncio.run(read(url, 3 if options.quick else 15))


@scenario("live", order=60)
def live_scenario(url: str, options: Options) -> Ratios:
    return asyncio.run(live(url, 3 if options.quick else 15))


@scenario("growth", order=90)
def growth_scenario(url: str, options: Options) -> Ratios:
    long = (1_000_000, 10_000_000) if options.long else (1_000_000,)
    sizes = (50_000,) if options.quick else long
    return asyncio.run(growth(url, 3 if options.quick else 10, sizes))
