"""A fact is one stored event as the projections see it: its plain payload and its place in the log.

Projections never see the sealed part (names, CPR numbers, free text): what they hold can be
rebuilt, and erased citizens stay erased. A fold reads a fact as its domain event
(`plain_event`), typed, with every sealed field withheld.
"""

from __future__ import annotations

import dataclasses
import typing
from datetime import datetime
from functools import cache
from typing import Any, TypeVar
from uuid import UUID

import msgspec
from eventsourcing.utils import get_topic

from domain.base import EPOCH, PlanAggregate, Sealed

E = TypeVar("E", bound=PlanAggregate.Event)

# What a sealed text reads as in an event read from its plain payload.
WITHHELD = "[forseglet]"


class Fact(msgspec.Struct, frozen=True):
    """One event of the log, without its sealed part. (A struct: a rebuild makes a million.)"""

    position: int
    event_id: UUID
    stream_id: UUID
    stream_type: str
    version: int
    type: str
    data: dict[str, Any]
    occurred_at: datetime
    recorded_at: datetime
    mode: str
    correlation_id: UUID | None


def withheld(hint: Any, text: str = WITHHELD) -> Any:
    """What a sealed field of this type reads as without its sealed part: None where it may be
    absent, an empty mapping, a struct of its required fields, else `text`."""
    if hint is None or type(None) in typing.get_args(hint):
        return None
    if isinstance(hint, type) and issubclass(hint, msgspec.Struct):
        return {
            f.name: withheld(_unmarked(f.type)[0], text)
            for f in msgspec.structs.fields(hint)
            if f.required
        }
    if hint is dict or typing.get_origin(hint) is dict:
        return {}
    return text


def _unmarked(hint: Any) -> tuple[Any, tuple[Any, ...]]:
    """The type under an `Annotated`, and its marks."""
    if typing.get_origin(hint) is typing.Annotated:
        base, *marks = typing.get_args(hint)
        return base, tuple(marks)
    return hint, ()


BASE_FIELDS = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})


@dataclasses.dataclass(frozen=True)
class _Reader:
    struct: type[msgspec.Struct]  # the event's own fields, their types and defaults
    sealed: dict[str, Any]  # what each sealed field reads as without its sealed part
    topic: str | None  # the aggregate's topic, for the event that creates it


@cache
def _reader(cls: type[PlanAggregate.Event], aggregate: type[PlanAggregate]) -> _Reader:
    hints = typing.get_type_hints(cls, include_extras=True)
    fields: list[Any] = []
    sealed = {}
    for f in dataclasses.fields(cls):
        if f.name in BASE_FIELDS:
            continue
        base, marks = _unmarked(hints[f.name])
        if Sealed in marks:
            sealed[f.name] = withheld(base)
        if f.default is not dataclasses.MISSING:
            fields.append((f.name, base, f.default))
        elif f.default_factory is not dataclasses.MISSING:
            fields.append((f.name, base, msgspec.field(default_factory=f.default_factory)))
        else:
            fields.append((f.name, base))
    struct = msgspec.defstruct(f"Plain{cls.__name__}", fields, kw_only=True)
    created = issubclass(cls, PlanAggregate.Created)
    return _Reader(struct, sealed, get_topic(aggregate) if created else None)


def plain_event(fact: Fact, cls: type[E], aggregate: type[PlanAggregate]) -> E:
    """The fact as its event of `aggregate`'s class `cls`, from the plain payload: each sealed
    field withheld (a fold reads no sealed field), a field added later its default.

    The event is read back, not made: msgspec converts its fields in one call, and they are
    set on it without eventsourcing's checks for a new event (a fold reads thousands of
    events, and those checks cost more than the fold)."""
    reader = _reader(cls, aggregate)
    values = msgspec.convert(
        {**reader.sealed, **fact.data, "occurred_at": fact.occurred_at}, reader.struct
    )
    attrs = msgspec.structs.asdict(values)
    attrs["originator_id"], attrs["originator_version"] = fact.stream_id, fact.version
    attrs["timestamp"] = EPOCH
    if reader.topic is not None:
        attrs["originator_topic"] = reader.topic
    event = object.__new__(cls)
    event.__dict__.update(attrs)
    return event
