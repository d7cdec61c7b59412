"""The projector: keeps each projection caught up with the log, exactly once, one leader at a time.

Each projection has its own task and its own connection. The connection holds a session advisory
lock for that projection, so with several service instances on one database only one of them
projects; the others wait, and take over within a poll interval when the leader's connection
dies (a killed process drops its connection, and PostgreSQL releases the lock). The leader writes
every batch through the same connection, in one transaction with the projection's position, so a
leader that lost its connection cannot write another row.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
import traceback
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import asyncpg
import msgspec

from domain.facts import Fact
from service.log import failover
from service.log.store import CHANNEL
from service.read.notifier import PROJECTION_PREFIX, Notifier, pause
from service.read.projections import Projection

log = logging.getLogger(__name__)

# What a projection reads of an event: a fact, never the sealed part (nor the chain's columns).
FACT_COLUMNS = (
    "position, event_id, stream_id, stream_type, version, type, payload::text, occurred_at, "
    "recorded_at, mode, correlation_id"
)


def facts_of(rows: list[asyncpg.Record]) -> list[Fact]:
    """Rows of FACT_COLUMNS as facts."""
    decode = msgspec.json.decode
    return [Fact(r[0], r[1], r[2], r[3], r[4], r[5], decode(r[6]), *r[7:]) for r in rows]


PROJECTOR_LOCK = 7426003


def lock_key(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


@dataclass
class ProjectorStats:
    """What the projector has done: batches, facts, and whether it leads."""

    leading: bool = False
    batches: int = 0
    facts: int = 0


class Projector:
    """Runs one projection against the log for as long as the service runs."""

    def __init__(
        self,
        dsn: str,
        projection: Projection[Any],
        notifier: Notifier | None = None,
        *,
        batch: int = 1000,
        poll_seconds: float = 1.0,
        before_commit: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
    ) -> None:
        self.dsn, self.projection, self.notifier = dsn, projection, notifier
        self.batch, self.poll_seconds = batch, poll_seconds
        # Fault injection for the tests: runs inside a batch's transaction, before COMMIT.
        self.before_commit = before_commit
        self.stats = ProjectorStats()
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name=f"projector-{self.projection.name}")

    async def close(self) -> None:
        """Stop between batches; a projector stuck in a query is cancelled after a grace time."""
        self._stopping.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._task, 2.0)
            self._task = None

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                conn = await failover.connect(
                    self.dsn, server_settings={"application_name": "nedbrud-projector"}
                )
                try:
                    await self._lead(conn)
                finally:
                    self.stats.leading = False
                    conn.terminate()  # releases the lock at once; nothing is in flight
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Where it failed, not the message: a message may quote a citizen's data.
                log.warning(
                    "projector %s: %s\n%s",
                    self.projection.name,
                    type(exc).__name__,
                    "".join(traceback.format_tb(exc.__traceback__)),
                )
            await self._pause()

    async def _pause(self, woken: asyncio.Event | None = None) -> None:
        """Sleep a poll interval, or less when woken or told to stop."""
        await pause(self._stopping, woken, self.poll_seconds)

    async def _lead(self, conn: asyncpg.Connection) -> None:
        key = lock_key(self.projection.name)
        # Standing by: another instance leads until its connection goes.
        while not self._stopping.is_set():
            if await conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", PROJECTOR_LOCK, key):
                break
            await self._pause()
        else:
            return
        self.stats.leading = True
        log.info("projector %s leads", self.projection.name)
        while not self._stopping.is_set():
            woken = self.notifier.commits() if self.notifier else None
            if await self.step(conn) < self.batch:
                await self._pause(woken)

    async def step(self, conn: asyncpg.Connection) -> int:
        """Fold the next batch of the log into the projection; the number of facts read."""
        name = self.projection.name
        async with conn.transaction():
            # A projection is rebuilt from the log, and its rows and position commit together:
            # a crash can only lose the last batches, which are then folded again. No need to
            # wait for the disk.
            await conn.execute("SET LOCAL synchronous_commit = off")
            position = await conn.fetchval(
                "SELECT position FROM projection_positions WHERE name = $1 FOR UPDATE", name
            )
            rows = await conn.fetch(
                f"SELECT {FACT_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2",
                position,
                self.batch,
            )
            if not rows:
                return 0
            facts = facts_of(rows)
            await self.projection.apply(conn, facts)
            head = facts[-1].position
            await conn.execute(
                "UPDATE projection_positions SET position = $2, updated_at = now() WHERE name = $1",
                name,
                head,
            )
            await conn.execute(
                "SELECT pg_notify($1, $2)", CHANNEL, f"{PROJECTION_PREFIX}{name}:{head}"
            )
            if self.before_commit is not None:
                await self.before_commit(conn)
        self.stats.batches += 1
        self.stats.facts += len(facts)
        return len(facts)


async def reset(conn: asyncpg.Connection, projection: Projection[Any]) -> None:
    """Drop a projection's rows and set it back to the start of the log, in one transaction."""
    async with conn.transaction():
        await conn.execute(
            "SELECT position FROM projection_positions WHERE name = $1 FOR UPDATE",
            projection.name,
        )
        await conn.execute(f"DELETE FROM {projection.table}")
        await conn.execute(
            "UPDATE projection_positions SET position = 0, updated_at = now() WHERE name = $1",
            projection.name,
        )


def _untold(done: int, total: int | None = None) -> None:
    """No one follows the rebuild's progress."""


@dataclass(frozen=True)
class RebuildResult:
    name: str
    facts: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.facts / self.seconds if self.seconds else 0.0


async def rebuild(
    dsn: str,
    projection: Projection[Any],
    *,
    batch: int = 10_000,
    keep: int = 50_000,
    progress: Callable[[int, int | None], None] | None = None,
) -> RebuildResult:
    """Drop one projection and rebuild it from the log. When a running service leads this
    projection, its projector rebuilds it and this waits until it has caught up.

    Rebuilt here, it happens in one transaction: readers see the old rows until the new ones
    are complete, and a rebuild that fails leaves the old ones. The log is read once, through a
    cursor. A projection with one row per stream (the back-entry worklist) reads its streams one
    after another and writes each row once, into a new table that is swapped in at the end. The
    others fold their rows in memory (at most `keep` at a time) and write them in large
    statements, instead of reading back and writing for every batch of the log. `progress` is
    told the events folded so far of the head's (done, total)."""
    told = progress or _untold
    conn = await failover.connect(dsn)
    try:
        started = time.perf_counter()
        ours = await conn.fetchval(
            "SELECT pg_try_advisory_lock($1, $2)", PROJECTOR_LOCK, lock_key(projection.name)
        )
        if ours:
            head = await _fold_the_log(dsn, conn, projection, batch, keep, told)
        else:
            await reset(conn, projection)
            head = int(await conn.fetchval("SELECT coalesce(max(position), 0) FROM events"))
            while True:
                done = await position_of(conn, projection.name)
                told(min(done, head), head)
                if done >= head:
                    break
                await asyncio.sleep(0.1)
        told(head, head)
        return RebuildResult(projection.name, head, time.perf_counter() - started)
    finally:
        await conn.close()


async def _fold_the_log(
    dsn: str,
    conn: asyncpg.Connection,
    projection: Projection[Any],
    batch: int,
    keep: int,
    told: Callable[[int, int | None], None],
) -> int:
    """Empty the projection and fold the whole log into it, in one transaction; the head."""
    async with conn.transaction():
        # The rows can always be rebuilt from the log: no need to wait for the disk.
        await conn.execute("SET LOCAL synchronous_commit = off")
        if projection.stream_type is not None:
            # Written into a new table, indexed once full, and swapped in at the end: far less
            # work than keeping four indexes up to date row by row beside the old rows.
            staging = f"{projection.table}_rebuild"
            await conn.execute(f"DROP TABLE IF EXISTS {staging}")
            await conn.execute(
                f"CREATE TABLE {staging} "
                f"(LIKE {projection.table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            )
            head = int(await conn.fetchval("SELECT coalesce(max(position), 0) FROM events"))
            await _fold_stream_by_stream(dsn, conn, projection, staging, head, batch, told)
            await _swap_in(conn, projection.table, staging)
        else:
            await reset(conn, projection)
            head = int(await conn.fetchval("SELECT coalesce(max(position), 0) FROM events"))
            rows = _Rows(projection, keep)
            cursor = await conn.cursor(
                f"SELECT {FACT_COLUMNS} FROM events WHERE position <= $1 ORDER BY position", head
            )
            while chunk := await cursor.fetch(batch):
                await rows.fold(conn, facts_of(chunk))
                told(chunk[-1][0], head)
            await rows.write(conn)
        await conn.execute(
            "UPDATE projection_positions SET position = $2, updated_at = now() WHERE name = $1",
            projection.name,
            head,
        )
        await conn.execute(
            "SELECT pg_notify($1, $2)", CHANNEL, f"{PROJECTION_PREFIX}{projection.name}:{head}"
        )
    return head


async def _fold_stream_by_stream(
    dsn: str,
    conn: asyncpg.Connection,
    projection: Projection[Any],
    table: str,
    head: int,
    batch: int,
    told: Callable[[int, int | None], None],
) -> None:
    """A projection with one row per stream: its streams' events, one stream after another, in
    each stream's order. A row is complete when its stream ends, and is written once, by COPY
    into `table`. The log is read on a second connection, so that PostgreSQL reads the next
    events while this process folds and writes."""
    reader = await failover.connect(dsn)
    chunks: asyncio.Queue[list[asyncpg.Record] | None] = asyncio.Queue(maxsize=2)

    async def read() -> None:
        try:
            async with reader.transaction(readonly=True):
                cursor = await reader.cursor(
                    f"SELECT {FACT_COLUMNS} FROM events WHERE stream_type = $1 "
                    "AND position <= $2 ORDER BY stream_id, version",
                    projection.stream_type,
                    head,
                )
                while chunk := await cursor.fetch(batch):
                    await chunks.put(chunk)
        finally:
            await chunks.put(None)

    reading = asyncio.create_task(read())
    try:
        await _fold_chunks(conn, projection, table, chunks, lambda done: told(done, head))
        await reading  # its error, if it stopped on one
    finally:
        reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reading
        await reader.close()


async def _fold_chunks(
    conn: asyncpg.Connection,
    projection: Projection[Any],
    table: str,
    chunks: asyncio.Queue[list[asyncpg.Record] | None],
    told: Callable[[int], None],
) -> None:
    done: dict[str, Any] = {}
    key, state = "", None
    folded = 0
    while chunk := await chunks.get():
        folded += len(chunk)
        told(folded)
        for fact in facts_of(chunk):
            if str(fact.stream_id) != key:
                if state is not None:
                    done[key] = state
                key, state = str(fact.stream_id), projection.new(fact.stream_id)
            state = projection.evolve(state, fact)
        if len(done) >= _Rows.WRITE:
            await projection.insert_new(conn, done, table)
            done = {}
    if state is not None:
        done[key] = state
    await projection.insert_new(conn, done, table)


# Every view that reads a table, directly or through another view, oldest first (the order
# they can be made again in).
_VIEWS_ON = """
WITH RECURSIVE reading(oid) AS (
    SELECT r.ev_class FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
    WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = $1::regclass
        AND r.ev_class <> $1::regclass
    UNION
    SELECT r.ev_class FROM reading JOIN pg_depend d ON d.refobjid = reading.oid
    JOIN pg_rewrite r ON r.oid = d.objid
    WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class <> reading.oid
)
SELECT format('%I.%I', n.nspname, c.relname) AS name, pg_get_viewdef(c.oid) AS definition,
    obj_description(c.oid, 'pg_class') AS comment
FROM reading JOIN pg_class c ON c.oid = reading.oid JOIN pg_namespace n ON n.oid = c.relnamespace
ORDER BY c.oid
"""


class _Grant(NamedTuple):
    privilege: str
    grantee: str


async def _grants(conn: asyncpg.Connection, relation: str) -> list[_Grant]:
    """The privileges on `relation` that others than its owner hold."""
    rows = await conn.fetch(
        "SELECT a.privilege_type, quote_ident(r.rolname) AS grantee "
        "FROM pg_class c, aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee "
        "WHERE c.oid = $1::regclass AND a.grantee <> c.relowner",
        relation,
    )
    return [_Grant(row["privilege_type"], row["grantee"]) for row in rows]


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_INDEX = re.compile(r"^(CREATE (?:UNIQUE )?INDEX) (\S+) ON (\S+) (USING .*)$")


async def _swap_in(conn: asyncpg.Connection, table: str, staging: str) -> None:
    """Give `staging` the indexes, keys and grants of `table`, then put it in its place. The old
    table is locked only from here to COMMIT: readers see the old rows until then."""
    indexes = await conn.fetch(
        "SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition, k.contype::text "
        "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "LEFT JOIN pg_constraint k ON k.conindid = x.indexrelid AND k.conrelid = x.indrelid "
        "WHERE x.indrelid = $1::regclass",
        table,
    )
    for index in indexes:
        match = _INDEX.match(index["definition"])
        assert match is not None, index["definition"]
        create, name, _, using = match.groups()
        await conn.execute(f"{create} {name}_rebuild ON {staging} {using}")
    for grant in await _grants(conn, table):
        await conn.execute(f"GRANT {grant.privilege} ON {staging} TO {grant.grantee}")
    views = await conn.fetch(_VIEWS_ON, table)
    view_grants = [await _grants(conn, view["name"]) for view in views]
    await conn.execute(f"DROP TABLE {table} CASCADE" if views else f"DROP TABLE {table}")
    await conn.execute(f"ALTER TABLE {staging} RENAME TO {table}")
    # The dashboards' views (migration 0010) read the table: made again, as they were, on the
    # new one, with their grants and comments.
    for view, grants in zip(views, view_grants, strict=True):
        await conn.execute(f"CREATE VIEW {view['name']} AS {view['definition']}")
        if view["comment"] is not None:
            await conn.execute(
                f"COMMENT ON VIEW {view['name']} IS {quote_literal(view['comment'])}"
            )
        for grant in grants:
            await conn.execute(f"GRANT {grant.privilege} ON {view['name']} TO {grant.grantee}")
    for index in indexes:
        name = index["name"]
        if index["contype"] == "p":
            await conn.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {name} PRIMARY KEY USING INDEX {name}_rebuild"
            )
        elif index["contype"] == "u":
            await conn.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}_rebuild"
            )
        else:
            await conn.execute(f"ALTER INDEX {name}_rebuild RENAME TO {name}")


class _Rows:
    """A projection's rows while it is rebuilt: folded in memory, written when `keep` of them
    are held (then read back only if a later fact touches them again)."""

    WRITE = 5000  # rows per statement

    def __init__(self, projection: Projection[Any], keep: int) -> None:
        self.projection, self.keep = projection, keep
        self.states: dict[str, Any] = {}
        self.changed: set[str] = set()
        self.written: set[str] = set()

    async def fold(self, conn: asyncpg.Connection, facts: list[Fact]) -> None:
        if self.written:  # rows written out before may be touched again: read them back
            keys = {str(k) for f in facts if (k := self.projection.key_of(f)) is not None}
            if missing := list((keys & self.written) - self.states.keys()):
                self.states |= {
                    r["key"]: self.projection.decode(r["state"])
                    for r in await conn.fetch(
                        f"SELECT key, state::text AS state FROM {self.projection.table} "
                        "WHERE key = ANY($1::text[])",
                        missing,
                    )
                }
        self.changed |= self.projection.fold(self.states, facts)
        if len(self.states) >= self.keep:
            await self.write(conn)
            self.states.clear()

    async def write(self, conn: asyncpg.Connection) -> None:
        """Rows written before are updated; the others are new and go in by COPY."""
        again = list(self.changed & self.written)
        for start in range(0, len(again), self.WRITE):
            part = again[start : start + self.WRITE]
            await self.projection.store(conn, {key: self.states[key] for key in part})
        await self.projection.insert_new(
            conn, {key: self.states[key] for key in self.changed - self.written}
        )
        self.written |= self.changed
        self.changed.clear()


async def position_of(conn: asyncpg.Connection | asyncpg.Pool, name: str) -> int:
    position = await conn.fetchval(
        "SELECT position FROM projection_positions WHERE name = $1", name
    )
    return int(position or 0)
