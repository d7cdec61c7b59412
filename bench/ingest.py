"""Ingestion over HTTP, beside the peers, in one run on one database.

`http`: 64 clients each POST one ~1 KiB incident at a time to a real `nedbrud serve` (201 only
after commit; hash chain, and an Idempotency-Key on every request). Peers, without HTTP: the
eventsourcing library's own PostgreSQL persistence (`Application.save` from 8 threads), and
asyncpg with one INSERT per transaction under the same ordering lock from 64 connections; and
over HTTP, by the same runner and load generator, the app a team would build instead (a Litestar
app doing one INSERT per request: bench/naive.py).

`batch`: 8 clients each POST CloudEvents batches of 100 events (outages declared; then notes,
one on each of 100 existing incidents); the ceiling is asyncpg COPY of 100 rows per
transaction, under the same lock, from 8 connections.

The load generator is this process: a small HTTP/1.1 client on asyncio streams (keep-alive,
requests prepared ahead), so it spends little CPU per request; its CPU share is printed.
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from bench.append import PEER_TABLE, make_peer_table, peer
from bench.projections import KEY, NAIVE, pct, serve
from bench.registry import Options, Ratios, scenario
from service.log.store import APPEND_LOCK

LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)
DESCRIPTION = "Nexus svarer ikke på botilbuddet; medicinlisten er printet. " * 14  # ~850 chars
BATCH_JSON = "application/cloudevents-batch+json"
SMALL = "Alarm fra overvågningen: Nexus svarer ikke. " * 5  # a batch must fit in 64 KiB


class Connection:
    """One keep-alive HTTP/1.1 connection; enough of the protocol for uvicorn's answers."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, base: str) -> Connection:
        parts = urlsplit(base)
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        return cls(reader, writer)

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        return (await self.post_reading(path, body, headers))[0]

    async def post_reading(
        self, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        """The status and the body of the answer."""
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {KEY}\r\n"
            f"Content-Length: {len(body)}\r\n{head}\r\n".encode()
            + body
        )
        answer = await self.reader.readuntil(b"\r\n\r\n")
        length = LENGTH.search(answer)
        content = await self.reader.readexactly(int(length.group(1)) if length else 0)
        return int(answer[9:12]), content

    def close(self) -> None:
        self.writer.close()


def declare_body(mode: str = "exercise") -> bytes:
    """A ~1 KiB outage; by default a drill, so it stays out of the real situation picture."""
    return json.dumps(
        {
            "title": "Nexus nede",
            "detected_via": "monitoring",
            "reported_by": {"id": "zabbix"},
            "affected_systems": ["nexus"],
            "occurred_at": "2026-03-05T14:30:00+01:00",
            "description": DESCRIPTION,
            "mode": mode,
        }
    ).encode()


def batch_body(size: int) -> bytes:
    events = [
        {
            "specversion": "1.0",
            "id": uuid.uuid4().hex,
            "source": "/bench/overvaagning",
            "type": "dk.nedbrud.incident.detected",
            "time": "2026-03-05T14:30:00+01:00",
            "data": {
                "title": "Nexus nede",
                "detected_via": "monitoring",
                "reported_by": {"id": "zabbix"},
                "affected_systems": ["nexus"],
                "description": SMALL,
                "mode": "exercise",
            },
        }
        for _ in range(size)
    ]
    return json.dumps(events).encode()


async def over_http(
    base: str,
    clients: int,
    seconds: float,
    path: str,
    body: Callable[[], bytes],
    headers: Callable[[], dict[str, str]],
    events_per_request: int,
) -> tuple[float, list[float], float]:
    """Events/s, request latencies, and the load generator's CPU share of one core."""
    connections = [await Connection.open(base) for _ in range(clients)]
    latencies: list[float] = []
    failures = 0
    stop = time.monotonic() + seconds

    async def client(connection: Connection) -> None:
        nonlocal failures
        while time.monotonic() < stop:
            data, extra = body(), headers()
            started = time.perf_counter()
            status = await connection.post(path, data, extra)
            latencies.append(time.perf_counter() - started)
            failures += status not in (200, 201)

    cpu, began = time.process_time(), time.monotonic()
    await asyncio.gather(*(client(c) for c in connections))
    elapsed = time.monotonic() - began
    share = (time.process_time() - cpu) / elapsed
    for connection in connections:
        connection.close()
    if failures:
        raise SystemExit(f"{failures} requests were not answered 200/201")
    return len(latencies) * events_per_request / elapsed, latencies, share


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text


def eventsourcing_app(url: str) -> Application[Any]:
    parts = urlsplit(url)
    return Application(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parts.path.lstrip("/"),
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": parts.username or "postgres",
            "POSTGRES_PASSWORD": parts.password or "",
            "POSTGRES_POOL_SIZE": "8",
            "CREATE_TABLE": "y",
        }
    )


def eventsourcing_saves(
    app: Application[Any], threads: int, seconds: float
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        mine = []
        while time.monotonic() < stop:
            started = time.perf_counter()
            app.save(Note(DESCRIPTION))
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    began = time.monotonic()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return len(latencies) / (time.monotonic() - began), latencies


async def copy_batches(
    pool: asyncpg.Pool, clients: int, seconds: float, size: int
) -> tuple[float, list[float]]:
    """COPY `size` rows per transaction into the peers' copy of the events table, positions
    under the same lock."""
    await make_peer_table(pool)
    payload = json.dumps({"description": SMALL, "title": "Nexus nede"})
    latencies: list[float] = []
    stop = time.monotonic() + seconds
    columns = [
        "position", "event_id", "stream_id", "stream_type", "version", "type", "payload",
        "occurred_at", "recorded_at", "actor", "source", "mode", "content_digest", "hash",
    ]  # fmt: skip

    async def client() -> None:
        async with pool.acquire() as conn:
            while time.monotonic() < stop:
                started = time.perf_counter()
                async with conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock($1)", APPEND_LOCK)
                    head = await conn.fetchval(
                        f"SELECT coalesce(max(position), 0) FROM {PEER_TABLE}"
                    )
                    now = await conn.fetchval("SELECT clock_timestamp()")
                    rows = [
                        (head + n + 1, uuid.uuid4(), uuid.uuid4(), "bench", 1, "incident-detected",
                         payload, now, now, "bench", "bench", "actual", b"\0", b"\0")
                        for n in range(size)
                    ]  # fmt: skip
                    await conn.copy_records_to_table(PEER_TABLE, records=rows, columns=columns)
                latencies.append(time.perf_counter() - started)

    began = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    return len(latencies) * size / (time.monotonic() - began), latencies


def peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def summary(name: str, rates: list[float], latencies: list[float]) -> str:
    return (
        f"  {name:<34} median {statistics.median(rates):>9,.0f} ev/s   "
        f"p50 {pct(latencies, 0.5):6.1f} ms   p99 {pct(latencies, 0.99):6.1f} ms"
    )


async def http(url: str, rounds: int, seconds: float, clients: int) -> dict[str, float]:
    base, process = serve(url)
    # The peers' connections are open only during their own rounds: together with ours they
    # would pass PostgreSQL's stock max_connections (100).
    app = eventsourcing_app(url)
    ours: list[float] = []
    es: list[float] = []
    raw: list[float] = []
    naive: list[float] = []
    lat: dict[str, list[float]] = {"ours": [], "es": [], "raw": [], "naive": []}
    shares: list[float] = []
    try:
        for n in range(rounds):
            rate, latencies, share = await over_http(
                base,
                clients,
                seconds,
                "/v1/incidents",
                declare_body,
                lambda: {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
                1,
            )
            ours.append(rate)
            lat["ours"] += latencies
            shares.append(share)
            es_rate, es_lat = await asyncio.to_thread(eventsourcing_saves, app, 8, seconds)
            es.append(es_rate)
            lat["es"] += es_lat
            pool = await asyncpg.create_pool(url, min_size=clients, max_size=clients)
            try:
                raw_rate, raw_lat = await peer(pool, clients, seconds)
            finally:
                await pool.close()
            raw.append(raw_rate)
            lat["raw"] += raw_lat
            naive_base, naive_process = serve(url, command=NAIVE)
            try:
                naive_rate, naive_lat, _ = await over_http(
                    naive_base,
                    clients,
                    seconds,
                    "/v1/incidents",
                    declare_body,
                    lambda: {"Content-Type": "application/json"},
                    1,
                )
            finally:
                naive_process.terminate()
                naive_process.wait()
            naive.append(naive_rate)
            lat["naive"] += naive_lat
            print(
                f"  round {n + 1}: nedbrud over HTTP {rate:,.0f}/s, eventsourcing {es_rate:,.0f}/s,"
                f" asyncpg 1/txn {raw_rate:,.0f}/s, naive Litestar app {naive_rate:,.0f}/s"
                f" (load generator {share:.0%} of a core)"
            )
        rss = peak_rss_mib(process.pid)
    finally:
        process.terminate()
        process.wait()
        app.close()
    print(f"http: {clients} clients, {rounds} rounds x {seconds:.0f} s")
    print(summary("nedbrud POST /v1/incidents (HTTP)", ours, lat["ours"]))
    print(summary("eventsourcing Application.save x8", es, lat["es"]))
    print(summary("asyncpg INSERT, 1 per txn x64", raw, lat["raw"]))
    print(summary("naive Litestar app, 1 INSERT/request", naive, lat["naive"]))
    print(
        f"  server peak RSS {rss:.0f} MiB; load generator {statistics.median(shares):.0%} of a core"
    )
    return {
        "http_vs_eventsourcing": statistics.median(ours) / statistics.median(es),
        "http_vs_asyncpg_1txn": statistics.median(ours) / statistics.median(raw),
        "http_vs_naive_app": statistics.median(ours) / statistics.median(naive),
        "http_p99_ms": pct(lat["ours"], 0.99),
        "server_rss_mib": rss,
    }


def steps_body(incidents: list[str]) -> bytes:
    """A batch of notes, one on each of these incidents: one event per stream."""
    events = [
        {
            "specversion": "1.0",
            "id": uuid.uuid4().hex,
            "source": "/bench/vagt",
            "type": "dk.nedbrud.note-added",
            "subject": incident,
            "time": "2026-03-05T16:00:00+01:00",
            "data": {"text": "Status: stadig nede", "by": {"id": "bench"}},
        }
        for incident in incidents
    ]
    return json.dumps(events).encode()


async def declared(base: str, batches: int) -> list[list[str]]:
    """`batches` x 100 drills declared by CloudEvents batches: their incident ids, per batch."""
    connection = await Connection.open(base)
    out = []
    try:
        for _ in range(batches):
            status, body = await connection.post_reading(
                "/v1/cloudevents", batch_body(100), {"Content-Type": BATCH_JSON}
            )
            assert status == 200, body[:300]
            answers = json.loads(body)["results"]
            out.append([a["receipt"]["incident_id"] for a in answers])
    finally:
        connection.close()
    return out


async def batch(url: str, rounds: int, seconds: float, clients: int = 8) -> dict[str, float]:
    base, process = serve(url)
    pool = await asyncpg.create_pool(url, min_size=clients, max_size=clients)
    ours: list[float] = []
    steps: list[float] = []
    copy: list[float] = []
    lat: dict[str, list[float]] = {"ours": [], "steps": [], "copy": []}
    try:
        # Steps on existing incidents: each client its own 100 incidents, one note on each per
        # batch (each event loads its stream: the streams of a batch are read in one statement).
        chunks = await declared(base, clients)
        turn = iter(range(10**9))
        for n in range(rounds):
            rate, latencies, _ = await over_http(
                base,
                clients,
                seconds,
                "/v1/cloudevents",
                lambda: batch_body(100),
                lambda: {"Content-Type": BATCH_JSON},
                100,
            )
            ours.append(rate)
            lat["ours"] += latencies
            step_rate, step_lat, _ = await over_http(
                base,
                clients,
                seconds,
                "/v1/cloudevents",
                lambda: steps_body(chunks[next(turn) % len(chunks)]),
                lambda: {"Content-Type": BATCH_JSON},
                100,
            )
            steps.append(step_rate)
            lat["steps"] += step_lat
            copy_rate, copy_lat = await copy_batches(pool, clients, seconds, 100)
            copy.append(copy_rate)
            lat["copy"] += copy_lat
            print(
                f"  round {n + 1}: CloudEvents batches {rate:,.0f}/s (declares), "
                f"{step_rate:,.0f}/s (notes on 100 incidents), COPY {copy_rate:,.0f}/s"
            )
    finally:
        process.terminate()
        process.wait()
        await pool.close()
    print(f"batch: {clients} clients, batches of 100, {rounds} rounds x {seconds:.0f} s")
    print(summary("nedbrud CloudEvents batch (HTTP)", ours, lat["ours"]))
    print(summary("  the same, notes on 100 incidents", steps, lat["steps"]))
    print(summary("asyncpg COPY, 100 per txn", copy, lat["copy"]))
    return {
        "batch_vs_copy": statistics.median(ours) / statistics.median(copy),
        "batch_steps_vs_copy": statistics.median(steps) / statistics.median(copy),
    }


def ratio_line(ratios: dict[str, Any]) -> str:
    return "ratio: " + " ".join(f"{k}={v:.2f}" for k, v in ratios.items())


@scenario("http", order=10)
def http_scenario(url: str, options: Options) -> Ratios:
    rounds, seconds = (2, 3) if options.quick else (5, 15)
    ratios = asyncio.run(http(url, rounds, seconds, options.clients or 64))
    print(ratio_line(ratios))
    return ratios


@scenario("batch", order=20)
def batch_scenario(url: str, options: Options) -> Ratios:
    rounds, seconds = (2, 3) if options.quick else (5, 15)
    ratios = asyncio.run(batch(url, rounds, seconds))
    print(ratio_line(ratios))
    return ratios
