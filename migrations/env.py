"""Alembic environment: plain SQL migrations run over asyncpg, the project's only driver.

The URL comes from the Alembic config (set by `service.log.migrate`) or `DATABASE_URL`. An advisory
lock keeps two service instances that start at once from migrating at the same time.
"""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection, pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from service.log import failover

MIGRATION_LOCK = 7426001


def _url() -> str:
    url = context.config.get_main_option("sqlalchemy.url") or os.environ["DATABASE_URL"]
    for prefix in ("postgresql+asyncpg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def _run(connection: Connection) -> None:
    connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
    context.configure(connection=connection, target_metadata=None, transaction_per_migration=False)
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    # SQLAlchemy's URL takes one host only; asyncpg, through service.log.failover, connects to the
    # primary of a multi-host DATABASE_URL (postgresql://a,b/nedbrud).
    url = _url()
    engine = create_async_engine(
        "postgresql+asyncpg://",
        poolclass=pool.NullPool,
        async_creator=lambda: failover.connect(url),
    )
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


asyncio.run(_run_async())
