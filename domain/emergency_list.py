"""Nødliste: a unit's emergency list, kept ahead of an outage, of whom it cares for and when.

Opgaver: citizens with vital needs (borgere med livsvigtige behov) get the help they need first,
and assessed citizens (visiterede borgere) get the help they are assessed for. A unit keeps, ahead
of any outage, the list of what each citizen is to receive and when; during an outage the rounds
(`domain/rounds.py`) say from it what is due. The list is a stream per unit; each version is one
event holding the whole list, so `list_version` is the stream's version.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from domain.base import Person, PlanAggregate
from domain.errors import BeforeItHappened
from domain.list_items import (
    EVERY_DAY,
    Day,
    ItemKind,
    ListCitizen,
    ListItem,
    ListVersion,
    check_citizens,
)

__all__ = [
    "EVERY_DAY",
    "Day",
    "EmergencyList",
    "ItemKind",
    "ListCitizen",
    "ListItem",
    "ListVersion",
]


class EmergencyList(PlanAggregate):
    """Nødliste: one unit's emergency list; each new version replaces the whole list."""

    @event("Published")
    def __init__(
        self,
        id: UUID,
        unit: str,
        list_version: int,
        list_as_of: datetime,
        citizens: tuple[ListCitizen, ...],
        by: Person,
        occurred_at: datetime,
    ) -> None:
        self.unit = unit
        self._take(list_version, list_as_of, citizens, occurred_at)

    @classmethod
    def publish(
        cls,
        id: UUID,
        unit: str,
        list_as_of: datetime,
        citizens: tuple[ListCitizen, ...],
        by: Person,
        occurred_at: datetime,
    ) -> EmergencyList:
        """The unit's first emergency list is kept in nedbrud (version 1)."""
        _check(list_as_of, citizens, occurred_at)
        return cls(
            id=id,
            unit=unit,
            list_version=1,
            list_as_of=list_as_of,
            citizens=citizens,
            by=by,
            occurred_at=occurred_at,
        )

    def replace(
        self,
        list_as_of: datetime,
        citizens: tuple[ListCitizen, ...],
        by: Person,
        occurred_at: datetime,
    ) -> None:
        """A whole new version of the list replaces the one before it."""
        _check(list_as_of, citizens, occurred_at)
        self._replaced(
            list_version=self.list_version + 1,
            list_as_of=list_as_of,
            citizens=citizens,
            by=by,
            occurred_at=occurred_at,
        )

    @event("Replaced")
    def _replaced(
        self,
        list_version: int,
        list_as_of: datetime,
        citizens: tuple[ListCitizen, ...],
        by: Person,
        occurred_at: datetime,
    ) -> None:
        self._take(list_version, list_as_of, citizens, occurred_at)

    def _take(
        self,
        list_version: int,
        list_as_of: datetime,
        citizens: tuple[ListCitizen, ...],
        occurred_at: datetime,
    ) -> None:
        self.list_version, self.list_as_of = list_version, list_as_of
        self.citizens, self.published_at = tuple(citizens), occurred_at

    @property
    def current(self) -> ListVersion:
        return ListVersion(
            unit=self.unit,
            list_version=self.list_version,
            list_as_of=self.list_as_of,
            citizens=self.citizens,
        )


def _check(list_as_of: datetime, citizens: tuple[ListCitizen, ...], occurred_at: datetime) -> None:
    if list_as_of > occurred_at:
        raise BeforeItHappened("occurred_at", "list_as_of")
    check_citizens(citizens)


STREAM_TYPE = "emergency-list"

EVENT_TYPES: dict[str, type[PlanAggregate.Event]] = {
    "emergency-list-published": EmergencyList.Published,  # type: ignore[attr-defined]
    "emergency-list-replaced": EmergencyList.Replaced,  # type: ignore[attr-defined]
}
