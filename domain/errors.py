"""Refusals: each names the rule of the plan that a step would break, with a stable slug."""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """A step the plan does not allow; `slug` becomes the problem type."""

    slug: ClassVar[str] = "rule-broken"


class IncidentClosed(DomainError):
    """Nothing more can be recorded on an incident after it was closed."""

    slug = "incident-closed"

    def __init__(self) -> None:
        super().__init__("the incident is closed; no further steps can be recorded on it")


class SystemNotAffected(DomainError):
    """Only a system the outage affects can be restored."""

    slug = "system-not-affected"

    def __init__(self, system: str) -> None:
        super().__init__(f"system {system!r} is not among the incident's affected systems")


class AlreadyRestored(DomainError):
    """A system comes back once; restoring it again records nothing new."""

    slug = "already-restored"

    def __init__(self, system: str) -> None:
        super().__init__(f"system {system!r} is already restored")


class SystemsStillDown(DomainError):
    """An incident closes, and a unit is verified as restored, only when its systems are back."""

    slug = "systems-still-down"

    def __init__(self, systems: list[str]) -> None:
        super().__init__(f"systems still down: {', '.join(systems)}")
        self.systems = systems


class SystemNotRestored(DomainError):
    """A unit verifies a system's restoration only after the system was restored."""

    slug = "system-not-restored"

    def __init__(self, system: str) -> None:
        super().__init__(f"system {system!r} has not been restored yet")


class UnitNotAffected(DomainError):
    """Restoration is verified for the units the outage affects."""

    slug = "unit-not-affected"

    def __init__(self, unit: str) -> None:
        super().__init__(f"unit {unit!r} is not among the incident's affected units")


class IsolatedNeedsOneUnit(DomainError):
    """An outage isolated to a single unit names exactly one unit."""

    slug = "isolated-needs-one-unit"

    def __init__(self, units: int) -> None:
        super().__init__(f"isolated_to_single_unit needs exactly one affected unit, not {units}")


class WorkaroundNeedsIsolatedOutage(DomainError):
    """Work without IT is agreed locally only for an outage isolated to that one unit."""

    slug = "workaround-needs-isolated-outage"

    def __init__(self, unit: str) -> None:
        super().__init__(
            f"the scope has not been assessed as isolated to unit {unit!r}; the plan lets the "
            "department leader agree work without IT only for an outage isolated to one unit"
        )


class UnknownStaffingRequest(DomainError):
    """A staffing decision answers a staffing request recorded on the same incident."""

    slug = "unknown-staffing-request"

    def __init__(self) -> None:
        super().__init__("request_event_id is not a staffing request of this incident")


class StaffingAlreadyDecided(DomainError):
    """Each staffing request is decided once."""

    slug = "staffing-already-decided"

    def __init__(self) -> None:
        super().__init__("this staffing request has already been decided")


class UnknownEvent(DomainError):
    """A correction points at an event of this incident or of its manual records."""

    slug = "unknown-event"

    def __init__(self) -> None:
        super().__init__(
            "corrects_event_id is not an event of this incident or of its manual records"
        )


class ManualRecordsPending(DomainError):
    """Closing while paper records still wait for the journal needs a leader's waiver."""

    slug = "manual-records-pending"

    def __init__(self, pending: int) -> None:
        super().__init__(
            f"{pending} manual record(s) are not yet entered into the journal or voided; "
            "closing needs a waiver_reason"
        )
        self.pending = pending


class WaiverNeedsLeader(DomainError):
    """Only a leader may waive the back-entry of pending paper records."""

    slug = "waiver-needs-leader"

    def __init__(self) -> None:
        super().__init__("a waiver for pending manual records must be given by a leader")


class AlreadyEnteredInJournal(DomainError):
    """A paper record is entered into the journal once."""

    slug = "already-entered-in-journal"

    def __init__(self) -> None:
        super().__init__("this record has already been entered into the journal")


class RecordVoided(DomainError):
    """A voided paper record is not entered into the journal, nor voided again."""

    slug = "record-voided"

    def __init__(self) -> None:
        super().__init__("this record has been voided")


class BeforeItHappened(DomainError):
    """A step cannot be dated before the thing it follows up on."""

    slug = "before-it-happened"

    def __init__(self, field: str, earlier: str) -> None:
        super().__init__(f"{field} is before {earlier}")


class ModeMismatch(DomainError):
    """Drills never mix with real data: a stream stays in the mode it began in."""

    slug = "mode-mismatch"

    def __init__(self, stream_mode: str, mode: str) -> None:
        super().__init__(f"this stream is {stream_mode!r}; a {mode!r} event cannot join it")
