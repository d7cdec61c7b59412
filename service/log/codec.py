"""Codec: the plan's domain events to rows of the log and back.

`occurred_at` and the actor's id go in their own columns; personal data and free text (the fields
the event type marks `Sealed`, at any depth of its structs) go in the `sealed` part, apart from the
plain payload an auditor reads with SQL. Old shapes are upcast on the way back by `upcasters`.
The sealed part is keyed by dotted path (`citizen`, `by.name`): a marked field seals whole, and a
struct field left unmarked seals the marked fields inside it.

An event whose sealed part was erased (its subject's key deleted) reads as `erased: true` without
its sealed fields; replayed into its aggregate, each required sealed field reads as `ERASED`.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.utils import get_topic

from domain import emergency_list, incident, manual_record, unit
from domain.base import EPOCH, DataSubject, PlanAggregate, Sealed
from domain.facts import withheld
from service.log.events import NewEvent, RecordedEvent

BASE_FIELDS = {"originator_id", "originator_version", "timestamp", "originator_topic"}

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
ERASED = "[slettet]"


@dataclass(frozen=True)
class StreamKind:
    """One aggregate type: its stream type, its event types and which of their fields are sealed
    (derived from the fields' `Sealed` marks)."""

    stream_type: str
    aggregate: type[PlanAggregate]
    event_types: dict[str, type[PlanAggregate.Event]]

    @property
    def sealed_fields(self) -> dict[str, tuple[str, ...]]:
        return {name: sealed_paths(cls) for name, cls in self.event_types.items()}


INCIDENT = StreamKind(incident.STREAM_TYPE, incident.Incident, incident.EVENT_TYPES)
MANUAL_RECORD = StreamKind(
    manual_record.STREAM_TYPE, manual_record.ManualRecord, manual_record.EVENT_TYPES
)
UNIT = StreamKind(unit.STREAM_TYPE, unit.Unit, unit.EVENT_TYPES)
EMERGENCY_LIST = StreamKind(
    emergency_list.STREAM_TYPE, emergency_list.EmergencyList, emergency_list.EVENT_TYPES
)
KINDS = (INCIDENT, MANUAL_RECORD, UNIT, EMERGENCY_LIST)


def _strip(hint: Any) -> tuple[Any, tuple[Any, ...]]:
    """The type under an `Annotated`, and its marks."""
    if typing.get_origin(hint) is typing.Annotated:
        base, *marks = typing.get_args(hint)
        return base, tuple(marks)
    return hint, ()


def _struct_in(hint: Any) -> Any:
    """The Struct a field holds (directly or as `X | None`), or None."""
    base = _strip(hint)[0]
    if typing.get_origin(base) is tuple:
        return None
    return next((h for h in (base, *typing.get_args(base)) if _is_struct(h)), None)


def _element_struct(hint: Any) -> Any:
    """The Struct a `tuple[Struct, ...]` field holds elements of, or None."""
    base = _strip(hint)[0]
    if typing.get_origin(base) is tuple and (args := typing.get_args(base)) and _is_struct(args[0]):
        return args[0]
    return None


def _marked_paths(hints: dict[str, Any], prefix: str = "") -> tuple[str, ...]:
    paths: list[str] = []
    for name, hint in hints.items():
        if Sealed in _strip(hint)[1]:
            paths.append(prefix + name)
        elif (struct := _struct_in(hint)) is not None:
            inner = {f.name: f.type for f in msgspec.structs.fields(struct)}
            paths.extend(_marked_paths(inner, f"{prefix}{name}."))
        elif (element := _element_struct(hint)) is not None:
            # `name[]`: the marked fields of every element (a list's citizens and their items).
            inner = {f.name: f.type for f in msgspec.structs.fields(element)}
            paths.extend(_marked_paths(inner, f"{prefix}{name}[]."))
    return tuple(paths)


@cache
def subject_arrays(cls: Any) -> tuple[tuple[str, str], ...]:
    """The event's fields holding elements that name their own data subject: (field, the
    element's `DataSubject` field). Each element's sealed fields go under that subject's key."""
    hints = _field_types_extras(cls)
    found: list[tuple[str, str]] = []
    for name, hint in hints.items():
        if (element := _element_struct(hint)) is None:
            continue
        inner = typing.get_type_hints(element, include_extras=True)
        marked = [f for f, h in inner.items() if DataSubject in _strip(h)[1]]
        if marked:
            found.append((name, marked[0]))
    return tuple(found)


@cache
def _field_types_extras(cls: Any) -> dict[str, Any]:
    hints = typing.get_type_hints(cls, include_extras=True)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.name not in BASE_FIELDS}


def concrete_paths(data: Any, path: str, prefix: str = "") -> list[str]:
    """A declared path's concrete paths in `data`: each element of a `name[]` segment by its
    index (`citizens[].citizen` -> `citizens.0.citizen`, `citizens.1.citizen`, ...)."""
    head, _, rest = path.partition(".")
    if head.endswith("[]"):
        items = data.get(head[:-2]) if isinstance(data, dict) else None
        if not isinstance(items, list | tuple):
            return []
        return [
            p
            for i, item in enumerate(items)
            for p in concrete_paths(item, rest, f"{prefix}{head[:-2]}.{i}.")
        ]
    if not rest:
        return [prefix + head]
    return concrete_paths(
        data.get(head) if isinstance(data, dict) else None, rest, prefix + head + "."
    )


def _child(node: Any, part: str) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list | tuple) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    return None


@cache
def sealed_paths(cls: Any) -> tuple[str, ...]:
    """The dotted paths of an event type's sealed fields, as its `Sealed` marks declare them."""
    hints = typing.get_type_hints(cls, include_extras=True)
    return _marked_paths(
        {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.name not in BASE_FIELDS}
    )


@cache
def _subject_fields(cls: Any) -> tuple[str, ...]:
    hints = typing.get_type_hints(cls, include_extras=True)
    return tuple(f.name for f in dataclasses.fields(cls) if DataSubject in _strip(hints[f.name])[1])


def subject_of(event: Any, default: str) -> str:
    """Whose key seals this event's sealed part: the field it marks `DataSubject` when set, else
    the stream's data subject."""
    cls: Any = type(event)
    for name in _subject_fields(cls):
        if (value := getattr(event, name, None)) is not None:
            return str(value)
    return default


@cache
def _defaulted(cls: Any) -> frozenset[str]:
    return frozenset(
        f.name
        for f in dataclasses.fields(cls)
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
    )


@cache
def _field_types(cls: Any) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.name not in BASE_FIELDS}


def _pop_path(data: dict[str, Any], path: str) -> Any:
    *parents, leaf = path.split(".")
    node: Any = data
    for part in parents:
        node = _child(node, part)
    return node.pop(leaf, None) if isinstance(node, dict) else None


def _get_path(data: dict[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = _child(node, part)
    return node


def _hint_at(cls: Any, path: str) -> Any:
    """The type of a (dotted) field of an event, through Structs; None if the event has no such
    field (a sealed path shared by many event types)."""
    first, *rest = path.split(".")
    hint = _field_types(cls).get(first)
    for part in rest:
        if (struct := _struct_in(hint)) is None:
            return None
        hint = {f.name: f.type for f in msgspec.structs.fields(struct)}.get(part)
    return _strip(hint)[0]


def _is_struct(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, msgspec.Struct)


def erased_value(hint: Any) -> Any:
    """What a sealed field of this type reads as once erased: None where it may be absent (as a
    fold reads it without the sealed part, with ERASED for the text)."""
    return withheld(hint, ERASED)


def _put_path(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node: Any = data
    for part in parents:
        child = _child(node, part)
        if not isinstance(child, dict | list):
            return
        node = child
    if isinstance(node, dict):
        node[leaf] = value


class Codec:
    """Maps the plan's events to `NewEvent`s and stored rows back to events."""

    def __init__(
        self,
        kinds: tuple[StreamKind, ...] = KINDS,
        upcasters: dict[str, Upcaster] | None = None,
    ) -> None:
        self.kinds = {k.stream_type: k for k in kinds}
        self.by_class = {cls: (name, k) for k in kinds for name, cls in k.event_types.items()}
        self.upcasters = upcasters or {}

    def encode(
        self,
        event: Any,
        *,
        event_id: UUID,
        source: str | None,
        mode: str = "actual",
        correlation_id: UUID | None = None,
        causation_id: UUID | None = None,
    ) -> NewEvent:
        name, _ = self.by_class[type(event)]
        cls: Any = type(event)
        fields = {f: getattr(event, f) for f in _field_types(cls)}
        data: dict[str, Any] = msgspec.to_builtins(fields)
        occurred_at = fields.pop("occurred_at")
        data.pop("occurred_at")
        sealed = {
            p: v
            for declared in sealed_paths(cls)
            for p in concrete_paths(data, declared)
            if (v := _pop_path(data, p)) is not None
        }
        subjects = tuple(
            (f"{name}.{i}.", str(element[field]))
            for name, field in subject_arrays(cls)
            for i, element in enumerate(data.get(name) or ())
            if any(p.startswith(f"{name}.{i}.") for p in sealed)
        )
        actor = (data.get("by") or data.get("reported_by") or {}).get("id")
        return NewEvent(
            event_id=event_id,
            type=name,
            payload=data,
            occurred_at=occurred_at,
            sealed=msgspec.json.encode(sealed, order="sorted") if sealed else None,
            actor=actor,
            source=source,
            correlation_id=correlation_id,
            causation_id=causation_id,
            mode=mode,
            subject_paths=subjects,
        )

    def data(
        self, recorded: RecordedEvent, *, unseal: bool = True, withhold: tuple[str, ...] = ()
    ) -> dict[str, Any]:
        """The event's fields as JSON values, with the sealed part put back when `unseal`
        (except the sealed paths in `withhold`)."""
        # A copy (the caller's event stays as read); a JSON round trip is several times faster
        # than deepcopy, and the payload is JSON by construction.
        data: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(recorded.payload))
        if recorded.erased:
            data["erased"] = True
        elif unseal and recorded.sealed is not None:
            for path, value in msgspec.json.decode(recorded.sealed).items():
                if path not in withhold:
                    _put_path(data, path, value)
        if recorded.erased_subjects:
            self._mark_erased(recorded, data)
        if (upcast := self.upcasters.get(recorded.type)) is not None:
            data = upcast(data)
        return data

    def _mark_erased(self, recorded: RecordedEvent, data: dict[str, Any]) -> None:
        """An element whose own subject was forgotten reads as `erased: true` without its
        sealed fields; the rest of the event reads as before."""
        kind = self.kinds.get(recorded.stream_type)
        cls = kind.event_types.get(recorded.type) if kind else None
        for name, field in subject_arrays(cls) if cls is not None else ():
            for element in data.get(name) or ():
                if isinstance(element, dict) and element.get(field) in recorded.erased_subjects:
                    element["erased"] = True

    def decode(self, recorded: RecordedEvent) -> PlanAggregate.Event:
        kind = self.kinds[recorded.stream_type]
        cls = kind.event_types[recorded.type]
        data = self.data(recorded)
        for name, _ in subject_arrays(cls):
            for element in data.get(name) or ():
                if isinstance(element, dict):
                    element.pop("erased", None)
        if data.pop("erased", False):
            for path in sealed_paths(cls):
                if "[]" not in path and _get_path(data, path) is None:
                    _put_path(data, path, erased_value(_hint_at(cls, path)))
        data["occurred_at"] = recorded.occurred_at
        kwargs = {
            name: msgspec.convert(data.get(name), hint, strict=False)
            for name, hint in _field_types(cls).items()
            if name in data or name not in _defaulted(cls)  # a field added later: its default
        }
        if issubclass(cls, PlanAggregate.Created):
            kwargs["originator_topic"] = get_topic(kind.aggregate)
        return cls(
            originator_id=recorded.stream_id,
            originator_version=recorded.version,
            timestamp=EPOCH,
            **kwargs,
        )

    def replay(
        self, events: list[RecordedEvent], start: PlanAggregate | None = None
    ) -> PlanAggregate | None:
        """The aggregate as its events leave it (the events after `start`, when given)."""
        aggregate = start
        for recorded in events:
            aggregate = self.decode(recorded).mutate(aggregate)
        return aggregate
