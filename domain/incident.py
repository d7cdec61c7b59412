"""Incident (IT-nedbrud): an outage from its detection to its closing.

Alarmering: the outage is detected by the vendor, an employee, monitoring or another system.
Each affected system is restored in its own step; notes keep the situation picture current; the
incident closes when every system is back.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import event

from domain.base import Person, PlanAggregate
from domain.errors import AlreadyRestored, IncidentClosed, SystemNotAffected, SystemsStillDown


class DetectedVia(StrEnum):
    """How the outage became known (alarmering)."""

    VENDOR = "vendor"
    EMPLOYEE = "employee"
    MONITORING = "monitoring"
    EXTERNAL_SYSTEM = "external-system"


class Incident(PlanAggregate):
    """IT-nedbrud: systems and units affected by one outage."""

    @event("Detected")
    def __init__(
        self,
        id: UUID,
        title: str,
        description: str | None,
        detected_via: DetectedVia,
        reported_by: Person,
        affected_systems: tuple[str, ...],
        affected_units: tuple[str, ...],
        occurred_at: datetime,
    ) -> None:
        self.title = title
        self.detected_via = detected_via
        self.detected_at = occurred_at
        self.affected_systems = list(dict.fromkeys(affected_systems))
        self.affected_units = list(dict.fromkeys(affected_units))
        self.systems_restored: list[str] = []
        self.closed_at: datetime | None = None
        self.last_change_at = occurred_at

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def status(self) -> str:
        """open, partly-restored, restored or closed: as the situation picture shows it."""
        if self.is_closed:
            return "closed"
        if not self.systems_down:
            return "restored"
        return "partly-restored" if self.systems_restored else "open"

    @property
    def systems_down(self) -> list[str]:
        return [s for s in self.affected_systems if s not in self.systems_restored]

    def restore(self, system: str, by: Person, occurred_at: datetime) -> None:
        """A system is working again."""
        self._refuse_if_closed()
        if system not in self.affected_systems:
            raise SystemNotAffected(system)
        if system in self.systems_restored:
            raise AlreadyRestored(system)
        self._system_restored(system=system, by=by, occurred_at=occurred_at)

    @event("SystemRestored")
    def _system_restored(self, system: str, by: Person, occurred_at: datetime) -> None:
        self.systems_restored.append(system)
        self._touch(occurred_at)

    def add_note(self, text: str, by: Person, occurred_at: datetime) -> None:
        """A note that keeps the situation picture up to date."""
        self._refuse_if_closed()
        self._note_added(text=text, by=by, occurred_at=occurred_at)

    @event("NoteAdded")
    def _note_added(self, text: str, by: Person, occurred_at: datetime) -> None:
        self._touch(occurred_at)

    def close(self, by: Person, occurred_at: datetime, waiver_reason: str | None = None) -> None:
        """The outage is over: every system is back."""
        self._refuse_if_closed()
        if self.systems_down:
            raise SystemsStillDown(self.systems_down)
        self._closed(by=by, occurred_at=occurred_at, waiver_reason=waiver_reason)

    @event("Closed")
    def _closed(self, by: Person, occurred_at: datetime, waiver_reason: str | None) -> None:
        self.closed_at = occurred_at
        self._touch(occurred_at)

    def _refuse_if_closed(self) -> None:
        if self.is_closed:
            raise IncidentClosed()

    def _touch(self, occurred_at: datetime) -> None:
        self.last_change_at = max(self.last_change_at, occurred_at)


STREAM_TYPE = "incident"

EVENT_TYPES: dict[str, type[PlanAggregate.Event]] = {
    "incident-detected": Incident.Detected,  # type: ignore[attr-defined]
    "system-restored": Incident.SystemRestored,  # type: ignore[attr-defined]
    "note-added": Incident.NoteAdded,  # type: ignore[attr-defined]
    "incident-closed": Incident.Closed,  # type: ignore[attr-defined]
}

# Personal data and free text go in the event's sealed part, never in the plain payload.
SEALED_FIELDS: dict[str, tuple[str, ...]] = {
    "incident-detected": ("description", "reported_by.name"),
    "system-restored": ("by.name",),
    "note-added": ("text", "by.name"),
    "incident-closed": ("waiver_reason", "by.name"),
}
