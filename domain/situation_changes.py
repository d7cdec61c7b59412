"""Situationsrapport: what changed in the situation picture since an earlier one.

A crisis staff's situation report must "beskrive ændringer i forhold til tidligere
situationsbilleder". `changes` compares each incident's picture entry as it stood at the earlier
position with the entry now (both folded from the log, `domain/situation.py`): outages opened and
closed, systems restored, escalations, statuses and paper-record counts that moved. Pure: the
caller folds the two entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

import msgspec

from domain.base import Instant
from domain.situation import SituationEntry

COUNTED = ("records_made", "records_entered", "records_voided", "records_pending")


class ChangeOpened(msgspec.Struct, kw_only=True):
    incident_id: UUID
    title: str
    detected_at: Instant


class ChangeClosed(msgspec.Struct, kw_only=True):
    incident_id: UUID
    title: str
    closed_at: Instant


class ChangeRestored(msgspec.Struct, kw_only=True):
    incident_id: UUID
    system: str
    restored_at: Instant


class ChangeEscalation(msgspec.Struct, kw_only=True):
    incident_id: UUID
    to_role: str


class ChangeStatus(msgspec.Struct, kw_only=True):
    incident_id: UUID
    before: str | None
    after: str


class ChangeCount(msgspec.Struct, kw_only=True):
    """A count of the incident's paper records that moved: `made`, `entered`, `voided`,
    `pending`."""

    incident_id: UUID
    count: str
    before: int
    after: int


class SituationChanges(msgspec.Struct, kw_only=True):
    """Ændringer siden sidste situationsbillede."""

    opened: list[ChangeOpened] = msgspec.field(default_factory=list)
    closed: list[ChangeClosed] = msgspec.field(default_factory=list)
    systems_restored: list[ChangeRestored] = msgspec.field(default_factory=list)
    escalations: list[ChangeEscalation] = msgspec.field(default_factory=list)
    statuses: list[ChangeStatus] = msgspec.field(default_factory=list)
    counts: list[ChangeCount] = msgspec.field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(msgspec.structs.astuple(self))


def changes(
    before: Mapping[UUID, SituationEntry], after: Mapping[UUID, SituationEntry]
) -> SituationChanges:
    """What moved from `before` to `after` (an incident missing from `before` is new), by
    incident in the order `after` gives."""
    out = SituationChanges()
    for incident_id, now in after.items():
        if now.detected_at is None:
            continue
        then = before.get(incident_id)
        known = then is not None and then.detected_at is not None
        if not known:
            out.opened.append(
                ChangeOpened(incident_id=incident_id, title=now.title, detected_at=now.detected_at)
            )
        if now.closed_at is not None and (then is None or then.closed_at is None):
            out.closed.append(
                ChangeClosed(incident_id=incident_id, title=now.title, closed_at=now.closed_at)
            )
        old_restored = then.restored if then is not None else {}
        for system in now.systems_restored:
            if system not in old_restored:
                out.systems_restored.append(
                    ChangeRestored(
                        incident_id=incident_id, system=system, restored_at=now.restored[system]
                    )
                )
        old_roles = set(then.escalations) if then is not None else set()
        out.escalations += [
            ChangeEscalation(incident_id=incident_id, to_role=r)
            for r in now.escalations
            if r not in old_roles
        ]
        old_status = then.status if known and then is not None else None
        if old_status != now.status:
            out.statuses.append(
                ChangeStatus(incident_id=incident_id, before=old_status, after=now.status)
            )
        for name in COUNTED:
            was = getattr(then, name) if then is not None else 0
            new = getattr(now, name)
            if was != new:
                out.counts.append(
                    ChangeCount(
                        incident_id=incident_id,
                        count=name.removeprefix("records_"),
                        before=was,
                        after=new,
                    )
                )
    return out
