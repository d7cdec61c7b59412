"""A dashboard's login, a member of `nedbrud_reader`, reads the views of schema `dashboards` and
nothing else: not the log (nor its sealed part), the keyring, the keys, the access log or any
table of the service (migration 0010). Every column of every view is in the README."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from service.read.projections import PROJECTIONS
from service.read.projector import rebuild

pytestmark = pytest.mark.anyio

README = Path(__file__).resolve().parents[2] / "README.md"
REFUSED = [
    "SELECT count(*) FROM events",
    "SELECT sealed FROM events LIMIT 1",
    "SELECT count(*) FROM keyring.subject_keys",
    "SELECT count(*) FROM api_keys",
    "SELECT * FROM api_key_holders(ARRAY['\\x00'::bytea])",
    "SELECT * FROM api_keys_listed()",
    "SELECT count(*) FROM access_log",
    "SELECT count(*) FROM idempotency_keys",
    "SELECT count(*) FROM webhooks",
    "SELECT count(*) FROM webhook_deliveries",
    "SELECT state FROM situation_incidents LIMIT 1",
    "SELECT state FROM back_entry_items LIMIT 1",
    "SELECT count(*) FROM unit_readiness",
    "SELECT count(*) FROM projection_positions",
    "DELETE FROM dashboards.manual_records",
    "UPDATE dashboards.readiness SET unit = 'x'",
    "CREATE VIEW dashboards.mine AS SELECT 1",
    "CREATE TABLE public.mine (x int)",
]


async def views(pool: asyncpg.Pool) -> dict[str, list[str]]:
    rows = await pool.fetch(
        "SELECT table_name, array_agg(column_name::text ORDER BY ordinal_position) AS columns "
        "FROM information_schema.columns WHERE table_schema = 'dashboards' GROUP BY table_name"
    )
    return {r["table_name"]: list(r["columns"]) for r in rows}


@contextlib.asynccontextmanager
async def reader_of(url: str) -> AsyncIterator[asyncpg.Connection]:
    """A login of a dashboard's own, granted nedbrud_reader, as the README says to make one."""
    login = f"grafana_{uuid.uuid4().hex[:8]}"
    owner = await asyncpg.connect(url)
    await owner.execute(f"CREATE ROLE {login} LOGIN IN ROLE nedbrud_reader")
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    conn = await asyncpg.connect(urlunsplit(parts._replace(netloc=f"{login}@{host}")))
    try:
        yield conn
    finally:
        await conn.close()
        await owner.execute(f"DROP ROLE {login}")
        await owner.close()


@pytest.fixture
async def as_reader(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    async with reader_of(database_url) as conn:
        yield conn


async def test_the_reader_reads_every_view(
    as_reader: asyncpg.Connection, pool: asyncpg.Pool
) -> None:
    found = await views(pool)
    assert set(found) == {
        "incidents",
        "incident_units",
        "incident_systems",
        "manual_records",
        "readiness",
    }
    for view in found:
        assert await as_reader.fetchval(f"SELECT count(*) FROM dashboards.{view}") >= 0


@pytest.mark.parametrize("statement", REFUSED)
async def test_the_reader_is_refused_everything_else(
    as_reader: asyncpg.Connection, statement: str
) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await as_reader.execute(statement)


async def test_the_reader_role_itself_cannot_log_in(database_url: str, pool: asyncpg.Pool) -> None:
    role = await pool.fetchrow(
        "SELECT rolcanlogin, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = 'nedbrud_reader'"
    )
    assert role is not None
    assert tuple(role) == (False, False, False)


async def test_migrating_a_second_database_keeps_the_one_reader_role(
    fresh_database_url: str, pool: asyncpg.Pool
) -> None:
    """Roles belong to the cluster: the second database's migration finds the role made."""
    conn = await asyncpg.connect(fresh_database_url)
    try:
        assert await conn.fetchval(
            "SELECT has_schema_privilege('nedbrud_reader', 'dashboards', 'USAGE')"
        )
        assert (
            await conn.fetchval("SELECT count(*) FROM pg_roles WHERE rolname = 'nedbrud_reader'")
            == 1
        )
    finally:
        await conn.close()


async def test_the_views_and_their_grants_outlast_a_rebuild(fresh_database_url: str) -> None:
    """A rebuild puts a new table in the old one's place: the views on it are made again."""
    conn = await asyncpg.connect(fresh_database_url)
    try:
        before = await conn.fetch(_DESCRIBED)
        made = await conn.fetchval("SELECT 'dashboards.manual_records'::regclass::oid")
        for projection in PROJECTIONS.values():
            await rebuild(fresh_database_url, projection)
        assert await conn.fetch(_DESCRIBED) == before
        assert await conn.fetchval("SELECT 'dashboards.manual_records'::regclass::oid") != made
    finally:
        await conn.close()
    async with reader_of(fresh_database_url) as reader:
        for view in ("incidents", "incident_units", "manual_records", "readiness"):
            assert await reader.fetchval(f"SELECT count(*) FROM dashboards.{view}") == 0


_DESCRIBED = (
    "SELECT c.relname, pg_get_viewdef(c.oid) AS definition, c.relacl::text AS acl, "
    "obj_description(c.oid, 'pg_class') AS comment FROM pg_class c "
    "WHERE c.relnamespace = 'dashboards'::regnamespace ORDER BY c.relname"
)


async def test_every_column_of_every_view_is_in_the_readme(pool: asyncpg.Pool) -> None:
    text = README.read_text("utf-8")
    section = text[text.index("## SQL for dashboards") :]
    section = section[: section.index("\n## ", 1)]
    for view, columns in (await views(pool)).items():
        assert f"`dashboards.{view}`" in section, view
        missing = [c for c in columns if not re.search(rf"`{c}`", section)]
        assert missing == [], view
