"""Projection writers: a pure fold from `domain/` plus the table its rows live in.

`apply` loads the rows a batch of facts touches, folds the facts in, and upserts the rows; the
projector calls it inside the transaction that also moves the projection's position, so each
fact is applied exactly once. Rows keep the fold state as JSON beside the columns the API
filters on, so any projection can be dropped and rebuilt from the log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

import asyncpg
import msgspec

from domain import readiness, situation, worklist
from domain.facts import Fact
from domain.manual_record import STREAM_TYPE as MANUAL_RECORD
from service.log.events import RecordedEvent

S = TypeVar("S", bound=msgspec.Struct)


def fact_of(event: RecordedEvent) -> Fact:
    return Fact(
        position=event.position,
        event_id=event.event_id,
        stream_id=event.stream_id,
        stream_type=event.stream_type,
        version=event.version,
        type=event.type,
        data=event.payload,
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        mode=event.mode,
        correlation_id=event.correlation_id,
    )


@dataclass(frozen=True)
class Projection(Generic[S]):
    """A fold, the key that picks its row for a fact, and the row's filter columns."""

    name: str
    table: str
    state_type: type[S]
    key_of: Callable[[Fact], UUID | None]
    new: Callable[[UUID], S]
    evolve: Callable[[S, Fact], S]
    columns: Callable[[S], dict[str, Any]]
    # Set when the rows are one per stream of this type, keyed by its id, and no other events
    # change them: a rebuild then folds the log stream by stream and writes each row once.
    stream_type: str | None = None

    def decode(self, state: str | bytes) -> S:
        return msgspec.json.decode(state, type=self.state_type)

    def fold(self, states: dict[str, S], facts: list[Fact]) -> set[str]:
        """Fold `facts` into `states` (missing rows start new); the keys that changed."""
        changed = set()
        for fact in facts:
            if (key := self.key_of(fact)) is None:
                continue
            row = str(key)  # once: a UUID's str costs more than folding most facts
            current = states.get(row) or self.new(key)
            states[row] = self.evolve(current, fact)
            changed.add(row)
        return changed

    async def apply(self, conn: asyncpg.Connection, facts: list[Fact]) -> int:
        """Fold a batch of facts into this projection's rows; the number of rows written."""
        keys = list({str(k) for f in facts if (k := self.key_of(f)) is not None})
        if not keys:
            return 0
        rows = await conn.fetch(
            f"SELECT key, state::text AS state FROM {self.table} WHERE key = ANY($1::text[])", keys
        )
        states = {r["key"]: self.decode(r["state"]) for r in rows}
        changed = self.fold(states, facts)
        await self.store(conn, {key: states[key] for key in changed})
        return len(changed)

    async def store(self, conn: asyncpg.Connection, states: dict[str, S]) -> None:
        """Upsert the rows in one statement: the rows travel as one JSON array."""
        if not states:
            return
        rows = [
            {"key": key, "position": _position(s), "state": s, **self.columns(s)}
            for key, s in states.items()
        ]
        names = list(rows[0])
        updates = ", ".join(f"{n} = EXCLUDED.{n}" for n in names if n != "key")
        await conn.execute(
            f"INSERT INTO {self.table} ({', '.join(names)}) "
            f"SELECT {', '.join(names)} FROM json_populate_recordset(NULL::{self.table}, $1) "
            f"ON CONFLICT (key) DO UPDATE SET {updates}",
            msgspec.json.encode(rows).decode(),
        )

    async def insert_new(
        self, conn: asyncpg.Connection, states: dict[str, S], table: str | None = None
    ) -> None:
        """Insert rows that do not exist yet (a rebuild, into an emptied or a new table) by
        COPY: no JSON to take apart and no conflict to check, row by row."""
        if not states:
            return
        records = [
            (key, _position(s), msgspec.json.encode(s).decode(), *self.columns(s).values())
            for key, s in states.items()
        ]
        names = ["key", "position", "state", *self.columns(next(iter(states.values())))]
        await conn.copy_records_to_table(table or self.table, records=records, columns=names)


def _position(state: Any) -> int:
    position: int = state.position
    return position


SITUATION = Projection(
    name="situation",
    table="situation_incidents",
    state_type=situation.SituationEntry,
    key_of=situation.incident_of,
    new=lambda key: situation.SituationEntry(incident_id=key),
    evolve=situation.evolve,
    columns=lambda s: {
        "incident_id": s.incident_id,
        "mode": s.mode,
        "status": s.status,
        "detected_at": s.detected_at,
        "last_change_at": s.last_change_at,
    },
)

BACK_ENTRY = Projection(
    name="back-entry",
    table="back_entry_items",
    state_type=worklist.BackEntryItem,
    key_of=worklist.record_of,
    new=lambda key: worklist.BackEntryItem(record_id=key),
    evolve=worklist.evolve,
    columns=lambda s: {
        "record_id": s.record_id,
        "incident_id": s.incident_id,
        "mode": s.mode,
        "unit": s.unit,
        "citizen_ref": s.citizen_ref,
        "status": s.status.value,
        "occurred_at": s.occurred_at,
    },
    stream_type=MANUAL_RECORD,
)

READINESS = Projection(
    name="readiness",
    table="unit_readiness",
    state_type=readiness.UnitReadiness,
    key_of=readiness.unit_of,
    new=lambda key: readiness.UnitReadiness(),
    evolve=readiness.evolve,
    columns=lambda s: {"unit": s.unit, "mode": s.mode, "list_printed_at": s.list_printed_at},
)

PROJECTIONS: dict[str, Projection[Any]] = {p.name: p for p in (SITUATION, BACK_ENTRY, READINESS)}
