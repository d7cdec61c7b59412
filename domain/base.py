"""What every stream of the plan shares: people, and events that never read the clock."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
from eventsourcing.domain import Aggregate

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Person(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Someone who did a step of the plan (medarbejder, leder, IT-supporter)."""

    id: str
    name: str | None = None
    role: str | None = None


class PlanAggregate(Aggregate):
    """An eventsourcing aggregate whose events carry `occurred_at` instead of a clock reading.

    The library stamps every event with the time it was triggered; the plan's events say when
    they happened in the world, so the library's stamp is fixed and never used.
    """

    class Event(Aggregate.Event):
        @staticmethod
        def create_timestamp() -> datetime:
            return EPOCH

    class Created(Event, Aggregate.Created):
        pass
