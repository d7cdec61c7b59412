"""Read views: the projections' rows, read with SQL, and read-your-own-write waits.

`after_position` lets a client that holds a receipt ask for a view that includes its write: the
read waits (briefly) until the projection has folded that position in, and says so plainly when
it has not, instead of answering with stale data.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Literal
from uuid import UUID

import asyncpg

from domain.manual_record import STREAM_TYPE as MANUAL_RECORD
from domain.readiness import UnitReadiness
from domain.situation import SituationEntry
from domain.unit import STREAM_TYPE as UNIT
from domain.worklist import BackEntryItem
from service.access.disclosure import RecordRef
from service.log.chain import ROW_COLUMNS
from service.log.events import RecordedEvent
from service.log.store import fetch
from service.read.notifier import Notifier
from service.read.projections import BACK_ENTRY, READINESS, SITUATION

WAIT_SECONDS = 5.0


class ProjectionBehind(Exception):
    """The projection has not yet reached the position asked for."""

    def __init__(self, name: str, position: int, reached: int) -> None:
        super().__init__(
            f"the {name} view has reached position {reached}, not yet {position}; retry shortly"
        )


class PositionBeyondLog(Exception):
    def __init__(self, position: int, head: int) -> None:
        super().__init__(f"after_position {position} is beyond the end of the log ({head})")


async def projection_position(pool: asyncpg.Pool, name: str) -> int:
    rows = await fetch(pool, "SELECT position FROM projection_positions WHERE name = $1", name)
    return int(rows[0]["position"]) if rows else 0


async def wait_for(pool: asyncpg.Pool, notifier: Notifier, name: str, position: int | None) -> int:
    """The projection's position, once it is at least `position` (None: no wait)."""
    reached = await projection_position(pool, name)
    if position is None or reached >= position:
        return reached
    rows = await fetch(pool, "SELECT coalesce(max(position), 0) AS head FROM events")
    if position > rows[0]["head"]:
        raise PositionBeyondLog(position, rows[0]["head"])
    deadline = time.monotonic() + WAIT_SECONDS
    while reached < position:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ProjectionBehind(name, position, reached)
        woken = notifier.waiter()
        reached = await projection_position(pool, name)
        if reached < position:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), min(remaining, 0.25))
            reached = await projection_position(pool, name)
    return reached


async def situation_as_of(
    pool: asyncpg.Pool, *, mode: str, which: Literal["open", "closed", "all"]
) -> tuple[int, list[str]]:
    """The projection's position and its rows as stored (JSON text), oldest first: open
    (anything not closed), closed, or all. Read in one statement:
    the rows are exactly those as of that position, and a busy server waits for one answer."""
    rows = await fetch(
        pool,
        "SELECT (SELECT position FROM projection_positions WHERE name = $3) AS position, "
        "coalesce(array_agg(state::text ORDER BY detected_at, key), '{}') AS states "
        "FROM situation_incidents WHERE mode = $1 AND detected_at IS NOT NULL "
        "AND ($2 = 'all' OR ($2 = 'closed') = (status = 'closed'))",
        mode,
        which,
        SITUATION.name,
    )
    return int(rows[0]["position"] or 0), list(rows[0]["states"])


async def open_at_units(
    pool: asyncpg.Pool, *, mode: str, units: list[str], also: list[str]
) -> list[str]:
    """The rows as stored (JSON text), oldest first, of the open incidents that affect any of
    `units` (as scoped, or as declared before a scope), and of the incidents keyed in `also`
    that are still open. The database leaves out the rest: the drills of a busy day would
    otherwise be decoded every time the rounds are worked out again."""
    rows = await fetch(
        pool,
        "SELECT coalesce(array_agg(state::text ORDER BY detected_at, key), '{}') AS states "
        "FROM situation_incidents WHERE mode = $1 AND detected_at IS NOT NULL "
        "AND status <> 'closed' AND (key = ANY($3::text[]) OR "
        "coalesce(state->'scope'->'value'->'affected_units', state->'declared_units') "
        "?| $2::text[])",
        mode,
        units,
        also,
    )
    return list(rows[0]["states"])


async def situation(
    pool: asyncpg.Pool, *, mode: str, which: Literal["open", "closed", "all"]
) -> list[SituationEntry]:
    """Incidents oldest first: open (anything not closed), closed, or all."""
    return [SITUATION.decode(s) for s in (await situation_as_of(pool, mode=mode, which=which))[1]]


async def situation_entry(pool: asyncpg.Pool, incident_id: UUID) -> SituationEntry | None:
    return (await situation_entries(pool, [incident_id])).get(incident_id)


async def situation_entries(
    pool: asyncpg.Pool, incident_ids: list[UUID]
) -> dict[UUID, SituationEntry]:
    """The projection's entries of these incidents (those declared), in one query."""
    rows = await fetch(
        pool,
        "SELECT key, state::text AS state FROM situation_incidents WHERE key = ANY($1::text[])",
        [str(i) for i in incident_ids],
    )
    entries = {UUID(r["key"]): SITUATION.decode(r["state"]) for r in rows}
    return {i: e for i, e in entries.items() if e is not None and e.detected_at is not None}


async def back_entry(
    pool: asyncpg.Pool,
    *,
    mode: str,
    incident: UUID | None,
    unit: str | None,
    status: str | None,
    citizen_ref: str | None,
    units: tuple[str, ...] | None,
    limit: int,
    offset: int,
) -> tuple[int, list[BackEntryItem]]:
    """One page of the worklist, oldest first, and how many items match in all."""
    where = (
        "mode = $1 AND ($2::uuid IS NULL OR incident_id = $2) AND ($3::text IS NULL OR unit = $3) "
        "AND ($4::text IS NULL OR status = $4) AND ($5::text IS NULL OR citizen_ref = $5) "
        "AND ($6::text[] IS NULL OR unit = ANY($6)) AND occurred_at IS NOT NULL"
    )
    args = (mode, incident, unit, status, citizen_ref, None if units is None else list(units))
    total = await fetch(pool, f"SELECT count(*) AS n FROM back_entry_items WHERE {where}", *args)
    rows = await fetch(
        pool,
        f"SELECT state::text AS state FROM back_entry_items WHERE {where} "
        "ORDER BY occurred_at, key LIMIT $7 OFFSET $8",
        *args,
        limit,
        offset,
    )
    return int(total[0]["n"]), [BACK_ENTRY.decode(r["state"]) for r in rows]


# A paper record's events, and corrections about one (named in the correction, or, for one
# written before corrections named their record, the record of the event it corrects), are shown
# only for the units given; the record's unit is in its first event. ($3 NULL: every unit; empty:
# none.)
_FEED = f"""
SELECT {ROW_COLUMNS} FROM events e
LEFT JOIN LATERAL (
    SELECT CASE
        WHEN e.stream_type = '{MANUAL_RECORD}' THEN e.stream_id
        WHEN e.type = 'event-corrected' THEN coalesce(
            (e.payload->>'record_id')::uuid,
            (SELECT t.stream_id FROM events t
             WHERE t.event_id = (e.payload->>'corrects_event_id')::uuid
             AND t.stream_type = '{MANUAL_RECORD}'))
    END AS record_id
) about ON true
WHERE e.position > $1 AND (
    $3::text[] IS NULL OR about.record_id IS NULL
    OR (SELECT r.payload->>'unit' FROM events r
        WHERE r.stream_id = about.record_id AND r.version = 1) = ANY($3)
) AND (
    $4::text[] IS NULL OR e.stream_type <> '{UNIT}'
    OR (SELECT u.payload->>'unit' FROM events u
        WHERE u.stream_id = e.stream_id AND u.version = 1) = ANY($4)
)
ORDER BY e.position LIMIT $2
"""


async def feed(
    pool: asyncpg.Pool,
    after_position: int,
    limit: int,
    record_units: tuple[str, ...] | None,
    own_units: tuple[str, ...] | None = None,
) -> list[RecordedEvent]:
    """The global feed in commit order, with paper records only of `record_units` (None: of
    every unit; empty: none), and a unit's own events (its printed lists) only of `own_units`
    (the key's units; None: every unit), as readiness shows them."""
    units = None if record_units is None else list(record_units)
    own = None if own_units is None else list(own_units)
    rows = await fetch(pool, _FEED, after_position, limit, units, own)
    return [RecordedEvent.from_row(r) for r in rows]


async def record_heads(pool: asyncpg.Pool, events: list[RecordedEvent]) -> dict[UUID, RecordRef]:
    """The paper records these events belong to, from each record's first event."""
    ids = list({e.stream_id for e in events if e.stream_type == MANUAL_RECORD})
    if not ids:
        return {}
    rows = await fetch(
        pool,
        "SELECT stream_id, payload->>'unit' AS unit, payload->>'citizen_ref' AS citizen_ref "
        "FROM events WHERE stream_id = ANY($1::uuid[]) AND version = 1",
        ids,
    )
    return {r["stream_id"]: RecordRef(r["stream_id"], r["unit"], r["citizen_ref"]) for r in rows}


async def readiness(pool: asyncpg.Pool, *, mode: str) -> list[UnitReadiness]:
    rows = await fetch(
        pool,
        "SELECT state::text AS state FROM unit_readiness WHERE mode = $1 AND unit <> '' "
        "ORDER BY unit",
        mode,
    )
    return [READINESS.decode(r["state"]) for r in rows]
