"""Prometheus metrics: requests by route and status, latencies, appends, events per group commit,
and how far each projection is behind the log.

Each app has its own registry (tests build many apps in one process). Counters of the store and
the projectors are read from their stats when scraped; the log's head and the projections'
positions are read from the database then, so a scrape shows the lag as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from service.log.store import EventStore
    from service.read.projector import Projector

# The classic text format's type; OpenMetrics is given to a scraper whose Accept asks for it.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNMATCHED = "unmatched"  # a path no route takes: not labelled by itself, so labels stay few

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


class _Parts(Collector):
    """The store's and the projectors' own counters, read when scraped."""

    def __init__(self) -> None:
        self.store: EventStore | None = None
        self.projectors: Sequence[Projector] = ()

    def collect(self) -> Iterator[Metric]:
        if self.store is not None:
            stats = self.store.stats
            for name, value, text in (
                ("nedbrud_append_transactions", stats.transactions, "Group-commit transactions"),
                ("nedbrud_append_requests", stats.requests, "Append requests committed"),
                ("nedbrud_events_appended", stats.events, "Events appended to the log"),
            ):
                counter = CounterMetricFamily(name, text)
                counter.add_metric([], value)
                yield counter
        leading = GaugeMetricFamily(
            "nedbrud_projector_leading",
            "1 where this instance runs the projection (one instance leads each)",
            labels=["projection"],
        )
        folded = CounterMetricFamily(
            "nedbrud_projector_facts", "Facts folded by this instance", labels=["projection"]
        )
        for projector in self.projectors:
            name = projector.projection.name
            leading.add_metric([name], 1 if projector.stats.leading else 0)
            folded.add_metric([name], projector.stats.facts)
        yield leading
        yield folded


class Metrics:
    """One app's metrics."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "nedbrud_http_requests",
            "HTTP requests answered, by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "nedbrud_http_request_duration_seconds",
            "Time to answer, by route template and method (a stream: until it ends)",
            ["route", "method"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.group_commit = Histogram(
            "nedbrud_group_commit_events",
            "Events written per group-commit transaction",
            buckets=_BATCH_BUCKETS,
            registry=self.registry,
        )
        self.head = Gauge(
            "nedbrud_log_head_position", "The log's last position", registry=self.registry
        )
        self.position = Gauge(
            "nedbrud_projection_position",
            "The last position folded into each projection",
            ["projection"],
            registry=self.registry,
        )
        self.lag = Gauge(
            "nedbrud_projection_lag_events",
            "Events in the log not yet folded into each projection",
            ["projection"],
            registry=self.registry,
        )
        self.database_up = Gauge(
            "nedbrud_database_up",
            "1 when the scrape could read the database",
            registry=self.registry,
        )
        self._parts = _Parts()
        self.registry.register(self._parts)

    def attach(self, store: EventStore, projectors: Iterable[Projector]) -> None:
        self._parts.store, self._parts.projectors = store, list(projectors)

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)

    async def scrape(self, pool: asyncpg.Pool | None, accept: str = "") -> tuple[bytes, str]:
        """The exposition and its content type, in the format `accept` asks for (Prometheus text
        or OpenMetrics), with the head and the projections read from the database now."""
        try:
            if pool is None:
                raise ConnectionError("not started")
            async with pool.acquire(timeout=2) as conn:
                head = await conn.fetchval("SELECT coalesce(max(position), 0) FROM events")
                rows = await conn.fetch("SELECT name, position FROM projection_positions")
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError):
            self.database_up.set(0)
        else:
            self.database_up.set(1)
            self.head.set(head)
            for row in rows:
                self.position.labels(row["name"]).set(row["position"])
                self.lag.labels(row["name"]).set(max(0, head - row["position"]))
        encode, content_type = choose_encoder(accept)
        return encode(self.registry), content_type
