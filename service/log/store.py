"""The event store on PostgreSQL through asyncpg: append with group commit, read, follow.

Every writer, in every process, takes one advisory transaction lock before it reads the head of
the log, so commit order is position order and a reader of `position > N` never skips a late
commit. Within a process one appender task takes all the append requests waiting at that moment
and writes them in one transaction: one fsync for many events. Each request is checked on its
own (expected version, event_id), so a conflict refuses that request alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from service.log.appending import Batch, Outcome
from service.log.chain import GENESIS, ROW_COLUMNS
from service.log.events import (
    AppendRequest,
    ReadTogether,
    Receipt,
    RecordedEvent,
    StoreUnavailable,
    StreamTip,
    TogetherAsked,
)

log = logging.getLogger(__name__)

APPEND_LOCK = 7426002
CHANNEL = "nedbrud_events"

UNAVAILABLE = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.QueryCanceledError,
    asyncpg.LockNotAvailableError,
    asyncpg.InsufficientResourcesError,
    asyncpg.OperatorInterventionError,
    # No host of a multi-host DATABASE_URL takes writes: the primary is gone and no standby has
    # been promoted yet.
    asyncpg.TargetServerAttributeNotMatched,
    # Connected to a server that no longer takes writes: a hot standby, or a primary fenced with
    # default_transaction_read_only. The pool's connections are dropped (see `drop_read_only`).
    asyncpg.ReadOnlySQLTransactionError,
)


async def drop_read_only(pool: asyncpg.Pool, exc: BaseException) -> None:
    """After a write refused as read-only, replace every connection of the pool: each new one
    goes to the host that takes writes (`service.log.failover`), or fails until there is one."""
    if isinstance(exc, asyncpg.ReadOnlySQLTransactionError):
        log.warning("the database refused a write as read-only; reconnecting the pool")
        await pool.expire_connections()


async def fetch(pool: asyncpg.Pool, query: str, *args: Any) -> list[asyncpg.Record]:
    """The rows of a query; a database that cannot answer is StoreUnavailable (503)."""
    try:
        return list(await pool.fetch(query, *args))
    except UNAVAILABLE as exc:
        await drop_read_only(pool, exc)
        raise StoreUnavailable("the database is unavailable") from exc


@dataclass
class AppendStats:
    """How well group commit is batching: requests and events per transaction."""

    transactions: int = 0
    requests: int = 0
    events: int = 0


@dataclass
class _Pending:
    request: AppendRequest
    future: asyncio.Future[list[Receipt]]


_READ_HEAD = """
SELECT clock_timestamp() AS now, h.position, h.hash,
       (SELECT coalesce(jsonb_object_agg(s.id, v.version), '{}')::text
        FROM unnest($1::uuid[]) AS s(id)
        CROSS JOIN LATERAL (SELECT version FROM events WHERE stream_id = s.id
                            ORDER BY version DESC LIMIT 1) v) AS versions
FROM (SELECT 1) one
LEFT JOIN LATERAL (SELECT position, hash FROM events ORDER BY position DESC LIMIT 1) h ON true
"""

# Events, answered Idempotency-Keys and the NOTIFY that wakes followers, in one statement (each
# part may be empty). Data-modifying CTEs run whether or not the query reads them.
# With a synchronous standby, COMMIT waits until the standby has the WAL. A statement timeout
# that fires during that wait does not undo the commit: PostgreSQL only warns ("canceling wait
# for synchronous replication") and reports it committed, on the primary alone, and a failover
# then loses what was acknowledged. So the COMMIT of a write has no statement timeout: it waits
# for the standby, or is never acknowledged.
_WRITE = """
WITH written AS (
    INSERT INTO events (position, event_id, stream_id, stream_type, version, type, payload,
                        sealed, occurred_at, recorded_at, actor, source, correlation_id,
                        causation_id, mode, content_digest, hash)
    SELECT p, e, s, st, v, t, pl::jsonb, se, oa, ra, a, so, co, ca, m, cd, h
    FROM unnest($1::bigint[], $2::uuid[], $3::uuid[], $4::text[], $5::bigint[], $6::text[],
                $7::text[], $8::bytea[], $9::timestamptz[], $10::timestamptz[], $11::text[],
                $12::text[], $13::uuid[], $14::uuid[], $15::text[], $16::bytea[], $17::bytea[])
         AS x(p, e, s, st, v, t, pl, se, oa, ra, a, so, co, ca, m, cd, h)
), answered AS (
    INSERT INTO idempotency_keys (scope, key, request_digest, status, event_id, extras)
    SELECT * FROM unnest($18::text[], $19::text[], $20::bytea[], $21::int[], $22::uuid[],
                         $23::jsonb[])
    ON CONFLICT (scope, key) DO NOTHING
), commit_waits AS MATERIALIZED (
    SELECT set_config('statement_timeout', '0', true)
)
SELECT pg_notify($24, $25) FROM commit_waits WHERE cardinality($1::bigint[]) > 0
"""


# The newest event of a stream as `read_together` sends it: without its payload and sealed part
# when its id is the one the caller holds ($6).
_HELD_OR_WHOLE = ROW_COLUMNS.replace(
    "payload::text AS payload", "CASE WHEN event_id = $6 THEN NULL ELSE payload::text END"
).replace("sealed,", "CASE WHEN event_id = $6 THEN NULL ELSE sealed END,", 1)
assert _HELD_OR_WHOLE.count("$6") == 2  # both replaced: ROW_COLUMNS names them so


def _event(row: asyncpg.Record) -> RecordedEvent:
    """An event of a `read_together` row (without its `part`)."""
    values = dict(row.items())
    del values["part"]
    return RecordedEvent.from_row(values)


_TIPS = """
SELECT DISTINCT ON (e.stream_id) e.stream_id, f.payload->>$2 AS first, e.version,
       e.payload->>$3 AS last, e.occurred_at
FROM events e JOIN events f ON f.stream_id = e.stream_id AND f.version = 1
WHERE e.stream_type = $1
ORDER BY e.stream_id, e.version DESC
"""


class EventStore:
    """Append-only, totally ordered, idempotent event log."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        *,
        max_batch: int = 256,
        before_commit: Callable[[], Awaitable[None]] | None = None,
        on_commit: Callable[[int], None] | None = None,
    ) -> None:
        self.pool = pool
        # Told the number of events each committed transaction wrote (the metrics' histogram).
        self.on_commit = on_commit
        self.max_batch = max_batch
        # Fault injection for the contract tests: runs inside the transaction, before COMMIT.
        self.before_commit = before_commit
        self.stats = AppendStats()
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._appender: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._appender is None:
            self._appender = asyncio.create_task(self._run(), name="nedbrud-appender")

    async def close(self) -> None:
        if self._appender is not None:
            self._appender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._appender
            self._appender = None

    async def append(self, request: AppendRequest) -> list[Receipt]:
        """Append `request`'s events, or raise the reason they were refused."""
        if not request.events:
            raise ValueError("an append needs at least one event")
        await self.start()
        future: asyncio.Future[list[Receipt]] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Pending(request, future))
        # Shielded: a caller who gives up does not cancel a write that may already be committed.
        return await asyncio.shield(future)

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            await self._commit_batch(batch)

    async def _commit_batch(self, batch: list[_Pending]) -> None:
        try:
            outcomes = await self._commit([p.request for p in batch])
        except UNAVAILABLE as exc:
            log.warning("append failed: %s", type(exc).__name__)
            await drop_read_only(self.pool, exc)
            outcomes = [StoreUnavailable("the database is unavailable")] * len(batch)
        except Exception as exc:
            if len(batch) > 1:  # one request the database refused must not sink the others
                for pending in batch:
                    await self._commit_batch([pending])
                return
            log.error("append refused by the database: %s", type(exc).__name__)
            outcomes = [exc]
        for pending, outcome in zip(batch, outcomes, strict=True):
            if pending.future.done():
                continue
            if isinstance(outcome, BaseException):
                pending.future.set_exception(outcome)
            else:
                pending.future.set_result(outcome)

    async def _commit(self, requests: Sequence[AppendRequest]) -> list[Outcome]:
        stream_ids = list({r.stream_id for r in requests})
        event_ids = [e.event_id for r in requests for e in r.events]
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", APPEND_LOCK)
            # The head, the clock and each stream's version in one round trip: the lock is held
            # from here to COMMIT, and under load every round trip waits for the event loop.
            head = await conn.fetchrow(_READ_HEAD, stream_ids)
            assert head is not None
            versions = {UUID(k): v for k, v in msgspec.json.decode(head["versions"]).items()}
            existing = {
                r["event_id"]: RecordedEvent.from_row(r)
                for r in await conn.fetch(
                    f"SELECT {ROW_COLUMNS} FROM events WHERE event_id = ANY($1::uuid[])", event_ids
                )
            }
            batch = Batch(
                head["position"] or 0,
                bytes(head["hash"] or GENESIS),
                head["now"],
                versions,
                existing,
            )
            outcomes = [batch.decide(r) for r in requests]
            if batch.rows or batch.idempotency:  # events, keys and the wake-up in one statement
                events = list(zip(*batch.rows, strict=True)) or [() for _ in range(17)]
                keys = list(zip(*batch.idempotency, strict=True)) or [() for _ in range(6)]
                await conn.execute(
                    _WRITE, *map(list, events), *map(list, keys), CHANNEL, str(batch.position)
                )
            if self.before_commit is not None:
                await self.before_commit()
        self.stats.transactions += 1
        self.stats.requests += len(requests)
        self.stats.events += len(batch.rows)
        if self.on_commit is not None:
            self.on_commit(len(batch.rows))
        return outcomes

    async def read_stream(
        self, stream_id: UUID, *, to_version: int | None = None, after_version: int = 0
    ) -> list[RecordedEvent]:
        """The events of one stream, oldest first: every one, or those after `after_version`
        up to `to_version`."""
        rows = await self._fetch(
            f"SELECT {ROW_COLUMNS} FROM events WHERE stream_id = $1 "
            "AND ($2::bigint IS NULL OR version <= $2) AND version > $3 ORDER BY version",
            stream_id,
            to_version,
            after_version,
        )
        return [RecordedEvent.from_row(r) for r in rows]

    async def read_streams(
        self, wanted: Sequence[tuple[UUID, int]]
    ) -> dict[tuple[UUID, int], list[RecordedEvent]]:
        """The events of many streams, each after the version given with it, oldest first, in
        one statement (a stream nobody wrote to: no entry)."""
        after: dict[UUID, int] = {}
        for stream_id, version in wanted:
            after[stream_id] = min(version, after.get(stream_id, version))
        rows = await self._fetch(
            f"SELECT x.* FROM unnest($1::uuid[], $2::bigint[]) AS w(id, after) "
            f"CROSS JOIN LATERAL (SELECT {ROW_COLUMNS} FROM events "
            "WHERE stream_id = w.id AND version > w.after ORDER BY version) x",
            list(after),
            list(after.values()),
        )
        streams: dict[UUID, list[RecordedEvent]] = {}
        for row in rows:
            streams.setdefault(row["stream_id"], []).append(RecordedEvent.from_row(row))
        found = {}
        for stream_id, version in wanted:
            events = [e for e in streams.get(stream_id, ()) if e.version > version]
            if events:
                found[(stream_id, version)] = events
        return found

    async def read_last(self, stream_id: UUID) -> RecordedEvent | None:
        """The newest event of one stream (an emergency list's current version)."""
        rows = await self._fetch(
            f"SELECT {ROW_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version DESC LIMIT 1",
            stream_id,
        )
        return RecordedEvent.from_row(rows[0]) if rows else None

    async def last_event_id(self, stream_id: UUID) -> UUID | None:
        """The id of the newest event of one stream (without its payload)."""
        rows = await self._fetch(
            "SELECT event_id FROM events WHERE stream_id = $1 ORDER BY version DESC LIMIT 1",
            stream_id,
        )
        return rows[0]["event_id"] if rows else None

    async def read_all(self, after_position: int = 0, limit: int = 500) -> list[RecordedEvent]:
        """The global feed in commit order."""
        rows = await self._fetch(
            f"SELECT {ROW_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2",
            after_position,
            limit,
        )
        return [RecordedEvent.from_row(r) for r in rows]

    async def read_correlated(self, correlation_id: UUID) -> list[RecordedEvent]:
        """A stream and every event correlated with it (an incident and its manual records)."""
        rows = await self._fetch(
            f"SELECT {ROW_COLUMNS} FROM events WHERE stream_id = $1 OR correlation_id = $1 "
            "ORDER BY position",
            correlation_id,
        )
        return [RecordedEvent.from_row(r) for r in rows]

    async def read_correlated_of_type(
        self, correlation_id: UUID, stream_type: str, after_position: int = 0
    ) -> list[RecordedEvent]:
        """The events of one stream type correlated with a stream (an incident's paper records),
        in commit order: every one, or those after `after_position` (commit order is position
        order, so a reader who has seen up to a position misses nothing by reading on from it)."""
        rows = await self._fetch(
            f"SELECT {ROW_COLUMNS} FROM events WHERE correlation_id = $1 AND stream_type = $2 "
            "AND position > $3 ORDER BY position",
            correlation_id,
            stream_type,
            after_position,
        )
        return [RecordedEvent.from_row(r) for r in rows]

    async def read_together(self, asked: TogetherAsked) -> ReadTogether:
        """As `EventLog.read_together`: one statement, its three parts told apart by `part`
        (the newest event's payload and sealed part are sent only when it is not `held`)."""
        rows = await self._fetch(
            f"SELECT 1 AS part, {ROW_COLUMNS} FROM events WHERE stream_id = $1 AND version > $2 "
            f"UNION ALL SELECT 2, {ROW_COLUMNS} FROM events WHERE correlation_id = $1 "
            "AND stream_type = $3 AND position > $4 "
            f"UNION ALL (SELECT 3, {_HELD_OR_WHOLE} FROM events WHERE stream_id = $5 "
            "ORDER BY version DESC LIMIT 1) ORDER BY part, position",
            asked.stream_id,
            asked.after_version,
            asked.correlated_type,
            asked.after_position,
            asked.newest_of,
            asked.held,
        )
        parts: dict[int, list[asyncpg.Record]] = {1: [], 2: [], 3: []}
        for row in rows:
            parts[row["part"]].append(row)
        last = parts[3][0] if parts[3] else None
        newest = None if last is None or last["payload"] is None else _event(last)
        return ReadTogether(
            [_event(r) for r in parts[1]],
            [_event(r) for r in parts[2]],
            None if last is None else last["event_id"],
            newest,
        )

    async def find_many(self, event_ids: list[UUID]) -> list[RecordedEvent]:
        rows = await self._fetch(
            f"SELECT {ROW_COLUMNS} FROM events WHERE event_id = ANY($1::uuid[])", event_ids
        )
        return [RecordedEvent.from_row(r) for r in rows]

    async def last_position_of(self, correlation_id: UUID) -> int | None:
        """The position of the latest event of a stream or correlated with it."""
        rows = await self._fetch(
            "SELECT max(position) AS last FROM events WHERE stream_id = $1 OR correlation_id = $1",
            correlation_id,
        )
        return None if rows[0]["last"] is None else int(rows[0]["last"])

    async def find(self, event_id: UUID) -> RecordedEvent | None:
        rows = await self._fetch(f"SELECT {ROW_COLUMNS} FROM events WHERE event_id = $1", event_id)
        return RecordedEvent.from_row(rows[0]) if rows else None

    async def tips(self, stream_type: str, first_field: str, last_field: str) -> list[StreamTip]:
        """Each stream of one type, by stream id: a plain field of its first event and one of
        its newest."""
        rows = await self._fetch(_TIPS, stream_type, first_field, last_field)
        return [StreamTip(**dict(r.items())) for r in rows]

    async def head(self) -> int:
        rows = await self._fetch("SELECT coalesce(max(position), 0) AS head FROM events")
        return int(rows[0]["head"])

    async def _fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        return await fetch(self.pool, query, *args)
