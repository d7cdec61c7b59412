"""Refusals of the emergency list (nødliste) and the rounds, each with a stable slug.

They sit beside `domain/errors.py` rather than in it only so that work on that module in parallel
merges cleanly; they are `DomainError`s like the rest and can move there unchanged.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.errors import DomainError


class ListInvalid(DomainError):
    """An emergency list that breaks a rule; `field` names where, as a path into the list."""

    slug = "emergency-list-invalid"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class TooManyCitizens(ListInvalid):
    slug = "too-many-citizens"


class TooManyItems(ListInvalid):
    slug = "too-many-items"


class DuplicateCitizen(ListInvalid):
    slug = "duplicate-citizen"


class BadItemId(ListInvalid):
    slug = "bad-item-id"


class DuplicateItemId(ListInvalid):
    slug = "duplicate-item-id"


class BadTime(ListInvalid):
    slug = "bad-time"


class EmptyTimes(ListInvalid):
    slug = "empty-times"


class BadDays(ListInvalid):
    slug = "bad-days"


class MedicationMissing(ListInvalid):
    slug = "medication-missing"


class ServiceMissing(ListInvalid):
    slug = "service-missing"


class ItemKindMismatch(ListInvalid):
    slug = "item-kind-mismatch"


class WindowOutOfRange(ListInvalid):
    slug = "window-out-of-range"


class VitalNeedsUnaccounted(DomainError):
    """Citizens with vital needs come first: closing with vital doses overdue needs a waiver."""

    slug = "vital-needs-unaccounted"

    def __init__(self, overdue: int) -> None:
        super().__init__(
            f"{overdue} vital occurrence(s) are overdue, neither given nor missed; "
            "closing needs a leader's waiver_reason"
        )
        self.overdue = overdue


class AlreadyGiven(DomainError):
    """No dose is given twice by mistake: a repeat needs confirm_repeat and a reason."""

    slug = "already-given"

    def __init__(self, occurrence_id: UUID, given_at: datetime, given_record_id: UUID) -> None:
        super().__init__(
            f"this dose was already given at {given_at.isoformat()}; "
            "a repeat needs confirm_repeat with a reason"
        )
        self.occurrence_id = occurrence_id
        self.given_at = given_at
        self.given_record_id = given_record_id


class RepeatNeedsReason(DomainError):
    """A confirmed repeat dose says why it is given again."""

    slug = "repeat-needs-reason"

    def __init__(self) -> None:
        super().__init__("confirm_repeat needs a reason")


class OutcomeNeedsReason(DomainError):
    """A dose refused or not given says why."""

    slug = "outcome-needs-reason"
    field = "reason"

    def __init__(self, outcome: str) -> None:
        super().__init__(f"a dose {outcome} needs a reason")
