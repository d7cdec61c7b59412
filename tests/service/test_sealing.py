"""What is sealed is declared on the event type: every field marked `Sealed`, in every event type
the codec knows, stays out of the plain payload; a new event type is covered without an edit."""

from __future__ import annotations

import dataclasses
import enum
import typing
from datetime import UTC, datetime
from itertools import count
from typing import Any
from uuid import UUID

import msgspec
import pytest

from domain.base import EPOCH, PlanAggregate, Sealed
from service.log.codec import BASE_FIELDS, KINDS, Codec, sealed_paths
from tests.service.test_codec import stored

AT = datetime(2026, 3, 5, 13, 30, tzinfo=UTC)
EVENT_TYPES = [(k.stream_type, name, cls) for k in KINDS for name, cls in k.event_types.items()]

# Text fields left plain on purpose: ids, slugs, systems and units, the incident's title (it is
# on the situation picture for everyone), references into other systems. A new text field must
# be marked `Sealed` or named here: forgetting it fails this test.
PLAIN_BY_DESIGN = {
    "id",
    "role",
    "title",
    "affected_systems",
    "affected_units",
    "units",
    "unit",
    "system",
    "source",
    "vendor",
    "reference",
    "channel",
    "channel_rule",
    "corrects_type",
    "citizen_ref",
    "journal_reference",
    "item_id",  # the sender's id of an item on the list, stable across versions
    "times",  # an emergency list's times of day, HH:MM
}

# The sealed paths as the modules' hand-kept SEALED_FIELDS listed them before they were derived:
# rows stored since then keep this shape, and must still decode.
HISTORIC_SEALED: dict[str, tuple[str, ...]] = {
    "incident-detected": ("description", "reported_by.name"),
    "leader-informed": ("leader.name", "by.name"),
    "alarm-received": ("summary", "by.name"),
    "escalation-assessed": ("reason", "by.name"),
    "escalated": ("to.name", "by.name"),
    "communications-decided": ("reason", "by.name"),
    "workaround-agreed": (
        "department_leader.name",
        "nearest_leader.name",
        "arrangement",
        "by.name",
    ),
    "staffing-requested": ("reason", "by.name"),
    "communication-sent": ("summary", "by.name"),
    "note-added": ("text", "by.name"),
    "incident-closed": ("waiver_reason", "by.name"),
    "event-corrected": ("reason", "correction", "by.name"),
    "medication-dispensed": ("citizen", "medication", "doctor_consulted", "note", "by.name"),
    "care-delivered": ("citizen", "service", "note", "by.name"),
    "record-voided": ("reason", "by.name"),
    "unit-registered": (),
}


class Filler:
    """Builds an event of any type: every text under a `Sealed` mark is a unique canary."""

    def __init__(self) -> None:
        self.serial = count(1)
        self.canaries: set[str] = set()
        self.plain_text: set[str] = set()

    def canary(self, path: str) -> str:
        value = f"KANARIE{next(self.serial):04d}-{path}"
        self.canaries.add(value)
        return value

    def value(self, hint: Any, path: str, sealed: bool) -> Any:
        if typing.get_origin(hint) is typing.Annotated:
            base, *marks = typing.get_args(hint)
            return self.value(base, path, sealed or Sealed in marks)
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if typing.get_origin(hint) in (typing.Union, type(int | None)):
            return self.value(args[0], path, sealed)
        if typing.get_origin(hint) is typing.Literal:
            return typing.get_args(hint)[0]
        if hint is str:
            if sealed:
                return self.canary(path)
            self.plain_text.add(path.rsplit(".", 1)[-1])
            return f"plain-{path}"
        if typing.get_origin(hint) is tuple:
            return (self.value(args[0], path, sealed),)
        if hint is dict or typing.get_origin(hint) is dict:
            return {"value": self.canary(path)} if sealed else {}
        if isinstance(hint, type) and issubclass(hint, msgspec.Struct):
            return hint(
                **{
                    f.name: self.value(f.type, f"{path}.{f.name}", sealed)
                    for f in msgspec.structs.fields(hint)
                }
            )
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return next(iter(hint))
        simple = {bool: True, int: 1, UUID: UUID(int=next(self.serial)), datetime: AT}
        return simple[hint]

    def event(self, cls: Any) -> PlanAggregate.Event:
        hints = typing.get_type_hints(cls, include_extras=True)
        kwargs = {
            f.name: self.value(hints[f.name], f.name, False)
            for f in dataclasses.fields(cls)
            if f.name not in BASE_FIELDS
        }
        if issubclass(cls, PlanAggregate.Created):
            kwargs["originator_topic"] = "test"
        event: PlanAggregate.Event = cls(
            originator_id=UUID(int=7), originator_version=1, timestamp=EPOCH, **kwargs
        )
        return event


def test_every_event_type_has_a_sealed_part_or_says_why_not() -> None:
    assert {name for _, name, _ in EVENT_TYPES} >= set(HISTORIC_SEALED)
    for _, name, cls in EVENT_TYPES:
        if name != "unit-registered":
            assert sealed_paths(cls), name


@pytest.mark.parametrize(("kind", "name", "cls"), EVENT_TYPES, ids=[e[1] for e in EVENT_TYPES])
def test_no_sealed_field_of_any_event_type_reaches_the_plain_payload(
    kind: str, name: str, cls: Any
) -> None:
    codec, filler = Codec(), Filler()
    new = codec.encode(filler.event(cls), event_id=UUID(int=1), source="test")
    plain = msgspec.json.encode([new.payload, new.actor, new.source, new.type]).decode()
    assert filler.canaries or not sealed_paths(cls)
    assert not [c for c in filler.canaries if c in plain]
    assert all(c in (new.sealed or b"").decode() for c in filler.canaries)
    assert filler.plain_text <= PLAIN_BY_DESIGN, f"{name}: mark these Sealed or say why not"
    back = codec.decode(dataclasses.replace(stored(new, 1), stream_type=kind))
    assert codec.encode(back, event_id=UUID(int=1), source="test") == new


@pytest.mark.parametrize(("kind", "name", "cls"), EVENT_TYPES, ids=[e[1] for e in EVENT_TYPES])
def test_an_erased_event_of_any_type_still_decodes_without_its_canaries(
    kind: str, name: str, cls: Any
) -> None:
    codec, filler = Codec(), Filler()
    new = codec.encode(filler.event(cls), event_id=UUID(int=1), source="test")
    erased = dataclasses.replace(stored(new, 1), stream_type=kind, sealed=None, erased=True)
    back = codec.decode(erased)
    assert not [c for c in filler.canaries if c in repr(back)]


def test_the_derived_sealed_paths_keep_the_shape_of_stored_rows() -> None:
    for _, name, cls in EVENT_TYPES:
        historic = set(HISTORIC_SEALED.get(name, ("by.name",)))
        assert historic <= set(sealed_paths(cls)), name
