"""The plan's steps on an incident as wire types (a union tagged by `type`), and what each does.

The wire types are the HTTP contract and may grow; the domain's events are stored and may not.
Each step the incident declares (`domain.incident.STEPS`: a command marked `@step`) gets its wire
type derived here: its command's fields, each given the API's type for its kind (`FIELD_TYPES`,
else by its domain type: a sealed text is free text, a plain one a short text), described by what
its event says happened. `command` turns one wire step into that command, by the fields' names.
"""

from __future__ import annotations

import functools
import inspect
import operator
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from types import NoneType, UnionType
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    Literal,
    TypeAlias,
    get_args,
    get_origin,
    get_type_hints,
)
from uuid import UUID

import msgspec
from msgspec import Meta, Struct

from domain.base import Person, Sealed, StepDeclaration
from domain.incident import STEPS, Incident
from domain.plan import Plan
from service.api.schemas import AwareTime, Mode, PersonIn, ShortText, Slug, Text

Units = Annotated[list[Slug], Meta(min_length=1, max_length=500)]
Staff = Annotated[int, Meta(ge=0, le=10_000)]

# What the service supplies to a command, rather than the step's body.
SUPPLIED = frozenset({"by", "occurred_at", "plan", "request_id"})

# A field's wire type by its name, where its kind says more than its domain type: a unit or a
# system is a slug; how many units or systems one step may name; a count of staff.
FIELD_TYPES: dict[str, Any] = {
    "unit": Slug,
    "system": Slug,
    "units": Units,
    "affected_systems": Annotated[list[Slug], Meta(min_length=1, max_length=100)],
    "affected_units": Annotated[list[Slug], Meta(max_length=500)],
    "extra_staff": Annotated[int, Meta(ge=1, le=10_000)],
    "granted_staff": Staff,
}


class StepBase(Struct, forbid_unknown_fields=True, kw_only=True, tag_field="type"):
    occurred_at: AwareTime
    by: PersonIn
    mode: Mode | None = None


class IncidentClosedIn(StepBase, tag="incident-closed"):
    """The outage is over; a waiver is needed while paper records are pending."""

    waiver_reason: Text | None = None


class EventCorrectedIn(StepBase, tag="event-corrected"):
    """A correction of an earlier event of this incident or its manual records."""

    corrects_event_id: UUID
    reason: Text
    correction: dict[str, Any]


def _sealed(hint: Any) -> bool:
    return get_origin(hint) is Annotated and Sealed in hint.__metadata__


def wire_type(name: str, hint: Any, sealed: bool) -> Any:
    """The API's type for a command's field `name` of domain type `hint`."""
    if isinstance(hint, UnionType) and NoneType in get_args(hint):
        (inner,) = (a for a in get_args(hint) if a is not NoneType)
        return wire_type(name, inner, sealed) | None
    if name in FIELD_TYPES:
        return FIELD_TYPES[name]
    if hint is str:
        return Text if sealed else ShortText
    if hint is Person:
        return PersonIn
    if hint is datetime:
        return AwareTime
    if isinstance(hint, type) and issubclass(hint, StrEnum):
        return Literal.__getitem__(tuple(member.value for member in hint))
    if hint in (bool, UUID):
        return hint
    raise TypeError(f"{name}: say in FIELD_TYPES what a {hint} is on the wire")


@functools.cache
def _signature(declared: StepDeclaration) -> dict[str, Any]:
    """The command's parameters in order, with their domain types."""
    hints = get_type_hints(declared.command)
    names = inspect.signature(declared.command).parameters
    return {n: hints[n] for n in names if n != "self"}


def _parameters(declared: StepDeclaration) -> dict[str, Any]:
    """The command's fields beyond what the service supplies, with their domain types."""
    return {n: t for n, t in _signature(declared).items() if n not in SUPPLIED}


@functools.cache
def _arguments(declared: StepDeclaration) -> type[Struct]:
    """The command's fields as one struct, so a wire step converts to them at once."""
    name = f"{declared.event.__name__}Arguments"
    return msgspec.defstruct(name, list(_parameters(declared).items()), module=__name__)


def wire_struct(declared: StepDeclaration) -> type[StepBase]:
    """The step's wire type: required fields first, an optional one (it may be None) after."""
    event = get_type_hints(declared.event, include_extras=True)
    fields = [
        (n, wire_type(n, hint, _sealed(event.get(n)))) for n, hint in _parameters(declared).items()
    ]
    required = [(n, t) for n, t in fields if NoneType not in get_args(t)]
    optional = [(n, t, None) for n, t in fields if NoneType in get_args(t)]
    struct = msgspec.defstruct(
        f"{declared.event.__name__}In",
        [*required, *optional],
        bases=(StepBase,),
        module=__name__,
        namespace={"__doc__": declared.said},
        tag=declared.slug,
    )
    assert issubclass(struct, StepBase)
    return struct


# The wire type of each declared step, and the command it records.
DERIVED: dict[type[StepBase], StepDeclaration] = {wire_struct(d): d for d in STEPS.values()}

if TYPE_CHECKING:
    IncidentStep: TypeAlias = StepBase
else:
    IncidentStep = functools.reduce(operator.or_, [*DERIVED, IncidentClosedIn, EventCorrectedIn])


def person(p: PersonIn) -> Person:
    return Person(id=p.id, name=p.name, role=p.role)


def command(step: IncidentStep, event_id: UUID, plan: Plan) -> Callable[[Incident], None]:
    """The incident's command for a wire step (closing and corrections go through the service):
    the step's fields by name, converted to the command's types, and what the service supplies."""
    declared = DERIVED.get(type(step))
    if declared is None:
        raise TypeError(f"{type(step).__name__} is recorded through the incident service")
    supplied = {"by": person(step.by), "occurred_at": step.occurred_at}
    supplied |= {"plan": plan, "request_id": event_id}
    given = msgspec.convert(step, _arguments(declared), from_attributes=True)
    args = {n: supplied[n] if n in SUPPLIED else getattr(given, n) for n in _signature(declared)}
    name = declared.command.__name__
    return lambda incident: getattr(incident, name)(**args)
