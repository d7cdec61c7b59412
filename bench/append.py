"""append: durable appends, our store beside plain asyncpg.

Both run on the same database in the same run, alternating for several rounds: 64 concurrent
writers each appending one ~1 KiB event at a time, durably (fsync and synchronous_commit as the
server has them). The peer is one INSERT per transaction under the same ordering lock, with the
hash chain left out (so the peer does less work than we do). Prints medians, p50/p99 latency,
how many events each of our transactions carried, and the ratio.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from datetime import UTC, datetime

import asyncpg

from bench.projections import pct
from bench.registry import Options, Ratios, scenario
from service.log.events import AppendRequest, NewEvent
from service.log.store import APPEND_LOCK, EventStore

TEXT = "x" * 900
AT = datetime(2026, 3, 5, 13, 30, tzinfo=UTC)


def event() -> NewEvent:
    return NewEvent(
        event_id=uuid.uuid4(),
        type="note-added",
        payload={"text": TEXT},
        occurred_at=AT,
        actor="bench",
        source="bench",
    )


async def ours(
    pool: asyncpg.Pool, clients: int, seconds: float
) -> tuple[float, list[float], float]:
    store = EventStore(pool)
    latencies: list[float] = []
    stop = time.monotonic() + seconds

    async def client() -> None:
        while time.monotonic() < stop:
            started = time.perf_counter()
            await store.append(AppendRequest(uuid.uuid4(), "bench", 0, (event(),)))
            latencies.append(time.perf_counter() - started)

    before = (store.stats.transactions, store.stats.events)
    began = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.monotonic() - began
    await store.close()
    txns = store.stats.transactions - before[0]
    return len(latencies) / elapsed, latencies, (store.stats.events - before[1]) / max(txns, 1)


async def peer(pool: asyncpg.Pool, clients: int, seconds: float) -> tuple[float, list[float]]:
    await make_peer_table(pool)
    latencies: list[float] = []
    stop = time.monotonic() + seconds

    async def client() -> None:
        async with pool.acquire() as conn:
            while time.monotonic() < stop:
                started = time.perf_counter()
                e = event()
                async with conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock($1)", APPEND_LOCK)
                    await conn.execute(
                        f"INSERT INTO {PEER_TABLE} (position, event_id, stream_id, stream_type, "
                        "version, type, payload, occurred_at, recorded_at, actor, source, mode, "
                        "content_digest, hash) SELECT coalesce(max(position), 0) + 1, $1, $2, "
                        "'bench', 1, 'note-added', $3::jsonb, $4, clock_timestamp(), 'bench', "
                        f"'bench', 'actual', '\\x00', '\\x00' FROM {PEER_TABLE}",
                        e.event_id,
                        uuid.uuid4(),
                        '{"text": "' + TEXT + '"}',
                        AT,
                    )
                latencies.append(time.perf_counter() - started)

    began = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    return len(latencies) / (time.monotonic() - began), latencies


# The peers write to a copy of the events table (its columns, constraints and indexes; not its
# triggers): the same work for PostgreSQL, but rows our projectors never have to read.
PEER_TABLE = "bench_peer_events"


async def make_peer_table(pool: asyncpg.Pool) -> None:
    await pool.execute(
        f"CREATE TABLE IF NOT EXISTS {PEER_TABLE} (LIKE events INCLUDING DEFAULTS "
        "INCLUDING CONSTRAINTS INCLUDING INDEXES)"
    )


async def run(url: str, rounds: int, seconds: float, clients: int) -> dict[str, float]:
    pool = await asyncpg.create_pool(url, min_size=clients, max_size=clients)
    settings = {k: await pool.fetchval(f"SHOW {k}") for k in ("fsync", "synchronous_commit")}
    print(f"append: {clients} clients, {rounds} rounds x {seconds:.0f} s, {settings}")
    our_rates, peer_rates, per_txn, our_lat, peer_lat = [], [], [], [], []
    for n in range(rounds):
        rate, lat, batch = await ours(pool, clients, seconds)
        our_rates.append(rate)
        our_lat += lat
        per_txn.append(batch)
        prate, plat = await peer(pool, clients, seconds)
        peer_rates.append(prate)
        peer_lat += plat
        print(
            f"  round {n + 1}: ours {rate:,.0f}/s ({batch:.1f} events/txn), "
            f"asyncpg 1/txn {prate:,.0f}/s"
        )
    await pool.close()
    ours_med, peer_med = statistics.median(our_rates), statistics.median(peer_rates)
    print(
        f"ours     median {ours_med:,.0f} ev/s  p50 {pct(our_lat, 0.5):.1f} ms  "
        f"p99 {pct(our_lat, 0.99):.1f} ms  events/txn {statistics.median(per_txn):.1f}"
    )
    print(
        f"asyncpg  median {peer_med:,.0f} ev/s  p50 {pct(peer_lat, 0.5):.1f} ms  "
        f"p99 {pct(peer_lat, 0.99):.1f} ms"
    )
    print(
        f"ratio: append_vs_asyncpg_1txn={ours_med / peer_med:.2f} "
        f"events_per_txn={statistics.median(per_txn):.1f}"
    )
    return {"store_vs_asyncpg_1txn": ours_med / peer_med, "store_rate": ours_med}


@scenario("append", order=30)  # after the HTTP scenarios: see registry.scenario
def append_scenario(url: str, options: Options) -> Ratios:
    rounds, seconds = (2, 3) if options.quick else (5, 15)
    return asyncio.run(run(url, rounds, seconds, options.clients or 64))
