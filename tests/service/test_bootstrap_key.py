"""NEDBRUD_BOOTSTRAP_KEY: `serve` refuses a short one, and a key registered from it is not left
behind as an admin key once the variable no longer names it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from service.access.auth import (
    Authenticator,
    Role,
    bootstrap_admin_key,
    list_keys,
    revoke_key,
)

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
FIRST = "nbd_first-bootstrap-key-synthetic-0001"
SECOND = "nbd_second-bootstrap-key-synthetic-0002"


@pytest.fixture
async def owner(fresh_database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(fresh_database_url, min_size=1, max_size=2)
    try:
        yield pool
    finally:
        await pool.close()


async def admin(pool: asyncpg.Pool, key: str) -> bool:
    principal = await Authenticator(pool).principal(key)
    return principal is not None and principal.role is Role.ADMIN


async def bootstrap(pool: asyncpg.Pool, given: str | None) -> str | None:
    async with pool.acquire() as conn:
        return await bootstrap_admin_key(conn, given)


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ("x", "at least 32"),
        ("nbd_" + "a" * 27, "at least 32"),
        (" " * 40, "may hold only printable ASCII"),
        ("nbd_" + "a" * 30 + " x", "may hold only printable ASCII"),
        ("nbd_" + "æ" * 32, "may hold only printable ASCII"),
    ],
)
def test_serve_refuses_a_bootstrap_key_too_short_or_of_spaces_saying_why(
    given: str, why: str, database_url: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "service.cli", "serve", "--port", "1"],
        env=os.environ | {"DATABASE_URL": database_url, "NEDBRUD_BOOTSTRAP_KEY": given},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode != 0
    assert "NEDBRUD_BOOTSTRAP_KEY" in done.stderr
    assert why in done.stderr
    assert given not in done.stderr + done.stdout  # the message never quotes the key


async def test_a_bootstrap_key_no_longer_configured_stops_being_an_admin_key(
    owner: asyncpg.Pool,
) -> None:
    assert await bootstrap(owner, FIRST) is None
    assert await admin(owner, FIRST)
    # The variable is unset: the old key is retired, and a new admin key is made and shown once.
    made = await bootstrap(owner, None)
    assert not await admin(owner, FIRST)
    assert made is not None
    assert await admin(owner, made)
    # Another value: that one is registered; the first stays retired; the made key stays.
    assert await bootstrap(owner, SECOND) is None
    assert await admin(owner, SECOND)
    assert not await admin(owner, FIRST)
    assert await admin(owner, made)
    # The first value again (a rollback of the configuration): it comes back, the second goes.
    assert await bootstrap(owner, FIRST) is None
    assert await admin(owner, FIRST)
    assert not await admin(owner, SECOND)
    # Restarting with the same value changes nothing, and makes no new key.
    assert await bootstrap(owner, FIRST) is None
    assert await admin(owner, FIRST)
    assert sum(1 for k in await list_keys(owner) if k.bootstrap) == 2


async def test_a_bootstrap_key_an_admin_revoked_stays_revoked_after_a_restart(
    owner: asyncpg.Pool,
) -> None:
    await bootstrap(owner, FIRST)
    made = await bootstrap(owner, None)  # a second admin, so revoking the first leaves one
    await bootstrap(owner, FIRST)
    (info,) = [k for k in await list_keys(owner) if k.bootstrap and k.revoked_at is None]
    assert await revoke_key(owner, info.key_id)
    assert await bootstrap(owner, FIRST) is None
    assert not await admin(owner, FIRST)
    assert made is not None
    assert await admin(owner, made)


async def test_the_first_start_without_a_bootstrap_key_makes_one_admin_key_once(
    owner: asyncpg.Pool,
) -> None:
    made = await bootstrap(owner, None)
    assert made is not None
    assert await admin(owner, made)
    assert await bootstrap(owner, None) is None
    assert [k.role for k in await list_keys(owner)] == [Role.ADMIN]
