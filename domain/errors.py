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
        self.system = system


class AlreadyRestored(DomainError):
    """A system comes back once; restoring it again records nothing new."""

    slug = "already-restored"

    def __init__(self, system: str) -> None:
        super().__init__(f"system {system!r} is already restored")
        self.system = system


class SystemsStillDown(DomainError):
    """An incident closes only when every affected system is back."""

    slug = "systems-still-down"

    def __init__(self, systems: list[str]) -> None:
        super().__init__(f"systems still down: {', '.join(systems)}")
        self.systems = systems
