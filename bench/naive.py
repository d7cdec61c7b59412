"""The peer a municipality's own team would build: a Litestar app that takes the same outage as
`POST /v1/incidents` (a msgspec struct), INSERTs it, one row per request in its own transaction,
and answers 201 with the row's id. No hash chain, no sealing, no Idempotency-Key, no
projections, no access log, no authentication.

`python -m bench.naive --port P` serves it the way `nedbrud serve` serves nedbrud (uvicorn, one
process, no access log), on `DATABASE_URL`, from a pool of the same size (10) as nedbrud's.
"""

from __future__ import annotations

import argparse
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg
import msgspec
from litestar import Litestar, Request, get, post

TABLE = "bench_naive_incidents"


class Reporter(msgspec.Struct):
    id: str


class Outage(msgspec.Struct):
    title: str
    detected_via: str
    reported_by: Reporter
    occurred_at: datetime
    affected_systems: list[str] = []
    description: str | None = None
    mode: str = "actual"


class Created(msgspec.Struct):
    incident_id: uuid.UUID
    recorded_at: datetime


@post("/v1/incidents", status_code=201)
async def declare(request: Request[Any, Any, Any], data: Outage) -> Created:
    pool: asyncpg.Pool = request.app.state.pool
    incident = uuid.uuid4()
    recorded_at = await pool.fetchval(
        f"INSERT INTO {TABLE} (id, title, occurred_at, body) VALUES ($1, $2, $3, $4) "
        "RETURNING recorded_at",
        incident,
        data.title,
        data.occurred_at,
        msgspec.json.encode(data).decode(),
    )
    return Created(incident, recorded_at)


@get("/health/ready")
async def ready() -> str:
    return "ok"


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=10, max_size=10)
    async with pool.acquire() as conn:
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id uuid PRIMARY KEY, title text NOT NULL, "
            "occurred_at timestamptz NOT NULL, body jsonb NOT NULL, "
            "recorded_at timestamptz NOT NULL DEFAULT clock_timestamp())"
        )
    app.state.pool = pool
    try:
        yield
    finally:
        await pool.close()


def create_app() -> Litestar:
    return Litestar([declare, ready], lifespan=[lifespan])


def cli() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.naive")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)  # the runner's flag; one process
    args = parser.parse_args()
    uvicorn.run(create_app(), host="127.0.0.1", port=args.port, log_config=None, access_log=False)


if __name__ == "__main__":
    cli()
