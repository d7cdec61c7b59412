"""What every stream of the plan shares: people, the plan's vocabularies, and events that never
read the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

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
