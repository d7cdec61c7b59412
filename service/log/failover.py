"""Finding the primary among several database hosts: `postgresql://a,b/nedbrud`.

With a primary and a synchronous standby, DATABASE_URL names both hosts; after a failover the
promoted standby is the one that takes writes. asyncpg reads multi-host URLs and
`target_session_attrs` itself, but it tries the hosts one after another under one timeout for
them all (asyncpg's `connect` wraps its whole host loop in a single `timeout`), so a host that
has lost power, and swallows the packets instead of refusing them, holds the others back until
that timeout is spent. Here each host is tried at the same time, each by asyncpg on its own with
the same URL's options, and the first one that matches `target_session_attrs` is kept.

A URL with several hosts and no `target_session_attrs` gets `read-write`: the service only ever
wants the server that takes writes, never a standby it would answer 503 from for ever.
"""

from __future__ import annotations

import asyncio
import functools
import os
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

# How long one connection attempt may take (NEDBRUD_CONNECT_TIMEOUT, seconds). While no host takes
# writes and one of them does not answer, each attempt takes this long before it is a 503.
CONNECT_TIMEOUT_S = float(os.environ.get("NEDBRUD_CONNECT_TIMEOUT") or "5")
CONNECT_ERRORS = (
    OSError,
    TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,  # TargetServerAttributeNotMatched: a standby answered
)


def hosts_of(url: str) -> list[str]:
    """The URL once for each host it names (a single-host URL: itself)."""
    parts = urlsplit(url)
    userinfo, at, hostlist = parts.netloc.rpartition("@")
    hosts = hostlist.split(",")
    if len(hosts) < 2:
        return [url]
    return [urlunsplit(parts._replace(netloc=f"{userinfo}{at}{host}")) for host in hosts]


def with_target(url: str) -> str:
    """A multi-host URL without `target_session_attrs` asks for the read-write server."""
    if len(hosts_of(url)) < 2:
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == "target_session_attrs" for name, _ in query):
        return url
    query.append(("target_session_attrs", "read-write"))
    return urlunsplit(parts._replace(query=urlencode(query)))


async def connect(
    dsn: str, *, timeout_s: float = CONNECT_TIMEOUT_S, **kwargs: Any
) -> asyncpg.Connection:
    """A connection to the host of `dsn` that matches its `target_session_attrs`, trying every
    host at once. When none does: the error of the host that came closest (a standby that
    answered, as asyncpg's TargetServerAttributeNotMatched, before one that did not answer)."""
    urls = hosts_of(with_target(dsn))
    if len(urls) == 1:
        return await asyncpg.connect(urls[0], timeout=timeout_s, **kwargs)
    attempts = [
        asyncio.ensure_future(asyncpg.connect(u, timeout=timeout_s, **kwargs)) for u in urls
    ]
    errors: list[BaseException] = []
    chosen: asyncpg.Connection | None = None
    try:
        for finished in asyncio.as_completed(attempts):
            try:
                chosen = await finished
                return chosen
            except CONNECT_ERRORS as exc:
                errors.append(exc)
    finally:
        for attempt in attempts:  # the hosts not chosen: stop trying, or hang up on them
            attempt.add_done_callback(functools.partial(_hang_up, keep=chosen))
            attempt.cancel()
    not_matched = [e for e in errors if isinstance(e, asyncpg.TargetServerAttributeNotMatched)]
    raise (not_matched or errors)[0]


def _hang_up(
    attempt: asyncio.Future[asyncpg.Connection], *, keep: asyncpg.Connection | None
) -> None:
    if attempt.cancelled() or attempt.exception() is not None:
        return
    if (conn := attempt.result()) is not keep:
        conn.terminate()
