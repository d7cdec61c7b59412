"""What every stream of the plan shares: people, the plan's vocabularies, and events that never
read the clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, NamedTuple, TypeVar

import msgspec
from eventsourcing.domain import Aggregate

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A moment a view answers with: aware (the service answers it in UTC).
Instant = Annotated[datetime, msgspec.Meta(tz=True)]


class Sealed:
    """Marks a field of an event (or of a struct in one) as personal data or free text:
    `Annotated[str, Sealed]`. The codec keeps it out of the plain payload, sealed under the data
    subject's key, and a read shows it only for a purpose."""


class DataSubject:
    """Marks the field that, when set, names whose personal data the event's sealed part is (a
    citizen_ref), where that is not the stream's own data subject: a correction of a paper
    record, kept on the incident's stream, is sealed under the citizen's key."""


class Person(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Someone who did a step of the plan (medarbejder, leder, IT-supporter)."""

    id: str
    name: Annotated[str | None, Sealed] = None
    role: str | None = None


class StaffingRequest(msgspec.Struct, kw_only=True):
    """Extra staff asked for one unit, and what the nearest leader granted (None: undecided)."""

    unit: str
    requested: int
    granted: int | None = None


class Escalation(NamedTuple):
    """The department leader's assessment: must the nearest leader, and the Socialchef, know?"""

    inform_nearest_leader: bool
    inform_socialchef: bool


class DetectedVia(StrEnum):
    """How the outage became known (alarmering): from the vendor or through an employee."""

    VENDOR = "vendor"
    EMPLOYEE = "employee"
    MONITORING = "monitoring"
    EXTERNAL_SYSTEM = "external-system"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class ItMethod(StrEnum):
    """How IT was reached: by phone, or an IT case (IT-sag) on the intranet."""

    PHONE = "phone"
    INTRANET_CASE = "intranet-case"


class EscalationRole(StrEnum):
    """Whom an outage is escalated to: nærmeste leder, Socialchef, Kommunikationsafdelingen."""

    NAERMESTE_LEDER = "naermeste-leder"
    SOCIALCHEF = "socialchef"
    KOMMUNIKATIONSAFDELING = "kommunikationsafdeling"


class Audience(StrEnum):
    """Whom the units' management informs: medarbejdere, borgere, pårørende, samarbejdspartnere."""

    STAFF = "staff"
    CITIZENS = "citizens"
    RELATIVES = "relatives"
    PARTNERS = "partners"


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

    @property
    def data_subject(self) -> str:
        """Whose personal data this stream's events carry: the stream itself, unless a subclass
        names a citizen. Each subject's data can be erased on its own."""
        return str(self.id)


Command = TypeVar("Command", bound=Callable[..., None])


def step(slug: str) -> Callable[[Command], Command]:
    """Marks an aggregate's command as the plan's step `slug`, recorded as the API receives it:
    the command's parameters are the step's fields, but for `by`, `occurred_at` and what the
    service supplies (the plan, the event's own id). The event method it calls says, in its
    docstring, what happened; the service derives the step's wire type from these."""

    def mark(command: Command) -> Command:
        setattr(command, "__step__", slug)  # noqa: B010 (mypy knows no such attribute of a function)
        return command

    return mark


@dataclass(frozen=True)
class StepDeclaration:
    """A step of the plan as an aggregate declares it: the event type's slug, the command that
    records it, the event (its fields and sealed marks) and what the event says happened."""

    slug: str
    command: Callable[..., None]
    event: type[PlanAggregate.Event]
    said: str


def _docstring(event: type) -> str:
    """What an event declared as a class says of itself: eventsourcing redefines the class for
    the aggregate as a dataclass, whose docstring is its signature, so the written one is the
    first along its bases that is not."""
    for cls in event.__mro__:
        doc = vars(cls).get("__doc__") or ""
        if doc and not doc.startswith(f"{cls.__name__}("):
            return doc.strip()
    return ""


def declared_steps(
    aggregate: type[PlanAggregate], event_types: Mapping[str, type[PlanAggregate.Event]]
) -> dict[str, StepDeclaration]:
    """The aggregate's commands marked with `step`, in the order of its event types."""
    commands = {}
    for command in vars(aggregate).values():
        if (slug := getattr(command, "__step__", None)) is not None:
            commands[slug] = command
    said: dict[str, str] = {}
    for method in vars(aggregate).values():
        # eventsourcing's @event keeps the decorated method (and so its docstring); an event
        # declared as a class says it in its own docstring.
        func: Any = getattr(method, "decorated_func", None)
        name = getattr(method, "event_cls_name", None)
        if func is not None and name is not None:
            said[name] = (func.__doc__ or "").strip()
    unknown = sorted(commands.keys() - event_types.keys())
    assert not unknown, f"step {unknown[0]!r} marks a command but has no event type"
    return {
        slug: StepDeclaration(
            slug, commands[slug], event, said.get(event.__name__) or _docstring(event)
        )
        for slug, event in event_types.items()
        if slug in commands
    }
