"""The service's own role may read and append, but cannot alter, delete or truncate the log,
disable its triggers, or read or write the keys table (it looks a key up by its hash, and makes
and revokes keys, through the owner's functions); the tables belong to the role that migrated
them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from service.runtime.settings import SERVICE_ROLE
from tests.apps import settings_for

pytestmark = pytest.mark.anyio

FORBIDDEN = [
    "UPDATE events SET type = 'rewritten'",
    "DELETE FROM events",
    "TRUNCATE events",
    "ALTER TABLE events DISABLE TRIGGER ALL",
    "ALTER TABLE events OWNER TO nedbrud_service",
    "DROP TABLE events",
    "UPDATE idempotency_keys SET status = 200",
    "DELETE FROM access_log",
    "UPDATE access_log SET purpose = 'audit'",
    "INSERT INTO api_keys (key_id, key_hash, role, label) "
    "VALUES (gen_random_uuid(), '\\x00', 'admin', 'x')",
    "UPDATE api_keys SET revoked_at = NULL",
    # Key hashes are looked up one by one through api_key_holders, never read wholesale.
    "SELECT key_hash FROM api_keys",
    "SELECT count(*) FROM api_keys",
    "CREATE TABLE shadow (x int)",
    # Forgetting a citizen (deleting their key) is the owner's act, `nedbrud forget`.
    "DELETE FROM keyring.subject_keys",
    "UPDATE keyring.subject_keys SET wrapped = '\\x00'",
]


@pytest.fixture
async def as_service(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    url = settings_for(database_url).service_url()
    assert url is not None
    conn = await asyncpg.connect(url)
    try:
        yield conn
    finally:
        await conn.close()


async def test_the_service_connects_as_its_own_role_which_owns_nothing(
    as_service: asyncpg.Connection,
) -> None:
    assert await as_service.fetchval("SELECT current_user") == SERVICE_ROLE
    owned = await as_service.fetchval(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = $1",
        SERVICE_ROLE,
    )
    assert owned == 0


@pytest.mark.parametrize("statement", FORBIDDEN)
async def test_each_forbidden_statement_is_refused(
    as_service: asyncpg.Connection, pool: asyncpg.Pool, statement: str
) -> None:
    before = await pool.fetchval("SELECT count(*) FROM events")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await as_service.execute(statement)
    assert await pool.fetchval("SELECT count(*) FROM events") == before


async def test_the_running_app_connects_as_the_service_role(
    database_url: str, pool: asyncpg.Pool
) -> None:
    from litestar.testing import AsyncTestClient

    from service.app import create_app

    app = create_app(settings_for(database_url))
    async with AsyncTestClient(app=app) as client:
        assert (await client.get("/health/ready")).status_code == 200
        users = await pool.fetch(
            "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name LIKE 'nedbrud%'"
        )
    assert {u["usename"] for u in users} == {SERVICE_ROLE}


async def test_the_service_finds_a_key_by_its_hash_but_cannot_list_the_hashes(
    as_service: asyncpg.Connection, pool: asyncpg.Pool
) -> None:
    from service.access.auth import Role, create_key, hash_key, list_keys

    key = await create_key(pool, Role.STAFF, "least privilege")
    (found,) = await as_service.fetch("SELECT * FROM api_key_holders($1::bytea[])", [hash_key(key)])
    assert found["role"] == "staff"
    assert await as_service.fetch("SELECT * FROM api_key_holders($1::bytea[])", [b"\x00"]) == []
    listed = await list_keys(as_service)
    assert listed
    assert all(not hasattr(info, "key_hash") for info in listed)
