"""Alembic migrations: plain SQL, the only place DDL lives."""

from __future__ import annotations

from typing import Any

from alembic import op
from sqlalchemy.util import await_only


def run_sql(script: str) -> None:
    """Run a multi-statement SQL script on the migration's asyncpg connection.

    asyncpg prepares every statement SQLAlchemy sends, and a prepared statement holds one command,
    so scripts go through the driver's simple-query path instead.
    """
    driver: Any = op.get_bind().connection.driver_connection
    await_only(driver.execute(script))
