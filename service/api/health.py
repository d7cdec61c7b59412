"""Liveness and readiness for load balancers and the fault tests."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.openapi import ResponseSpec

from service.api.schemas import Health
from service.log.store import UNAVAILABLE
from service.runtime.metrics import CONTENT_TYPE, Metrics

READ_ONLY = "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only')::bool"


class HealthController(Controller):
    """Is the process up; can it reach the database."""

    path = "/health"
    tags = ["operations"]
    security = [{}]  # open to load balancers and probes: no key, and nothing to read in it

    @get("/live", operation_id="live")
    async def live(self) -> Health:
        """The process answers."""
        return Health(status="ok")

    @get(
        "/ready",
        operation_id="ready",
        responses={
            503: ResponseSpec(Health, description="The database does not answer; Retry-After")
        },
    )
    async def ready(self, request: Request[Any, Any, Any]) -> Response[Health]:
        """The database answers; 503 with Retry-After while it does not."""
        # Answering is not enough: a standby, or a primary fenced read-only, takes no writes.
        # Then the pool's connections are replaced, each by one to the host that takes writes.
        pool = request.app.state.pool
        try:
            read_only = await asyncio.wait_for(pool.fetchval(READ_ONLY), timeout=2)
            if read_only:
                await pool.expire_connections()
        except UNAVAILABLE:
            read_only = True
        if read_only:
            return Response(
                Health(status="unavailable", database="unavailable"),
                status_code=503,
                headers={"Retry-After": "2"},
            )
        return Response(Health(status="ok", database="ok"))


class MetricsController(Controller):
    """Prometheus scrapes here; like the probes, it needs no key and shows no personal data."""

    path = "/metrics"
    tags = ["operations"]
    security = [{}]

    @get("/", operation_id="metrics", media_type=CONTENT_TYPE)
    async def metrics(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """Requests by route and status, latencies, appends, events per group commit, and how
        far each projection is behind the log; OpenMetrics when the Accept header asks for it."""
        metrics: Metrics = request.app.state.metrics
        accept = request.headers.get("accept", "")
        body, content_type = await metrics.scrape(request.app.state.get("pool"), accept)
        # The content type goes out exactly as the exposition library names it: one parameter
        # each (a second charset makes Prometheus 3 refuse the scrape).
        return Response(body, headers={"Content-Type": content_type})
