"""Parathed: each botilbud's printed medication list and how old it is, before the next outage."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from domain.facts import Fact
from domain.unit import STREAM_TYPE as UNIT


class UnitReadiness(msgspec.Struct, kw_only=True):
    """The latest printed medication list of one unit (in one mode)."""

    unit: str = ""
    mode: str = "actual"
    list_printed_at: datetime | None = None
    list_as_of: datetime | None = None
    printed_by: str | None = None
    printed_position: int = 0
    position: int = 0

    def age(self, now: datetime) -> timedelta | None:
        """How old the list's contents are (from its data date), at `now`."""
        return None if self.list_as_of is None else now - self.list_as_of

    def is_stale(self, now: datetime, limit: timedelta) -> bool:
        age = self.age(now)
        return age is None or age > limit


def unit_of(fact: Fact) -> UUID | None:
    """Each unit (in each mode) has a stream of its own: the stream is the key."""
    return fact.stream_id if fact.stream_type == UNIT else None


def evolve(unit: UnitReadiness, fact: Fact) -> UnitReadiness:
    """The unit with one more print folded in: the print that happened last wins."""
    changes: dict[str, object] = {"mode": fact.mode, "position": max(unit.position, fact.position)}
    if fact.type == "unit-registered":
        changes["unit"] = fact.data["unit"]
    latest = (unit.list_printed_at, unit.printed_position)
    if fact.type == "medication-list-printed" and (
        unit.list_printed_at is None or (fact.occurred_at, fact.position) > latest
    ):
        changes |= {
            "list_printed_at": fact.occurred_at,
            "list_as_of": msgspec.convert(fact.data["list_as_of"], datetime),
            "printed_by": fact.data["by"]["id"],
            "printed_position": fact.position,
        }
    return msgspec.structs.replace(unit, **changes)
