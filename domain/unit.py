"""Unit readiness: a botilbud keeps an updated printed medication list, before any outage.

Medicin: for citizens attached to a botilbud, an updated printed medication list must be kept at
the home. Each refresh is recorded, so a list gone stale shows before the next outage does.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from domain.base import Person, PlanAggregate
from domain.errors import BeforeItHappened


class Unit(PlanAggregate):
    """Enhed (a botilbud or a home-care group) and its printed medication list."""

    @event("Registered")
    def __init__(self, id: UUID, unit: str, occurred_at: datetime) -> None:
        self.unit = unit
        self.list_printed_at: datetime | None = None
        self.list_as_of: datetime | None = None

    def print_medication_list(
        self, list_as_of: datetime, by: Person, occurred_at: datetime
    ) -> None:
        """The medication list was printed (as of `list_as_of`) and placed at the unit."""
        if list_as_of > occurred_at:
            raise BeforeItHappened("printed_at", "list_as_of")
        self._medication_list_printed(list_as_of=list_as_of, by=by, occurred_at=occurred_at)

    @event("MedicationListPrinted")
    def _medication_list_printed(
        self, list_as_of: datetime, by: Person, occurred_at: datetime
    ) -> None:
        if self.list_printed_at is None or occurred_at >= self.list_printed_at:
            self.list_printed_at, self.list_as_of = occurred_at, list_as_of


STREAM_TYPE = "unit"

EVENT_TYPES: dict[str, type[PlanAggregate.Event]] = {
    "unit-registered": Unit.Registered,  # type: ignore[attr-defined]
    "medication-list-printed": Unit.MedicationListPrinted,  # type: ignore[attr-defined]
}
