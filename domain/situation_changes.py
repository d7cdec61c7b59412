"""Situationsrapport: what changed in the situation picture since an earlier one.

A crisis staff's situation report must "beskrive ændringer i forhold til tidligere
situationsbilleder". `changes` compares each incident's picture entry as it stood at the earlier
position with the entry now (both folded from the log, `domain/situation.py`): outages opened and
closed, systems restored, escalations, statuses and paper-record counts that moved. Pure: the
caller folds the two entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

import msgspec

from domain.situation import SituationEntry

COUNTED = ("records_made", "records_entered", "records_voided", "records_pending")


class Opened(msgspec.Struct, kw_only=True):
    incident_id: UUID
    title: str
    detected_at: datetime


class Closed(msgspec.Struct, kw_only=True):
    incident_id: UUID
    title: str
    closed_at: datetime


class Restored(msgspec.Struct, kw_only=True):
    incident_id: UUID
    system: str
    restored_at: datetime


class Escalation(msgspec.Struct, kw_only=True):
    incident_id: UUID
    to_role: str


class StatusMoved(msgspec.Struct, kw_only=True):
    incident_id: UUID
    before: str | None
    after: str


class CountMoved(msgspec.Struct, kw_only=True):
    """A count of the incident's paper records that moved: `made`, `entered`, `voided`,
    `pending`."""

    incident_id: UUID
    count: str
    before: int
    after: int


class Changes(msgspec.Struct, kw_only=True):
    """Ændringer siden sidste situationsbillede."""

    opened: list[Opened] = msgspec.field(default_factory=list)
    closed: list[Closed] = msgspec.field(default_factory=list)
    systems_restored: list[Restored] = msgspec.field(default_factory=list)
    escalations: list[Escalation] = msgspec.field(default_factory=list)
    statuses: list[StatusMoved] = msgspec.field(default_factory=list)
    counts: list[CountMoved] = msgspec.field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(msgspec.structs.astuple(self))


def changes(before: Mapping[UUID, SituationEntry], after: Mapping[UUID, SituationEntry]) -> Changes:
    """What moved from `before` to `after` (an incident missing from `before` is new), by
    incident in the order `after` gives."""
    out = Changes()
    for incident_id, now in after.items():
        if now.detected_at is None:
            continue
        then = before.get(incident_id)
        known = then is not None and then.detected_at is not None
        if not known:
            out.opened.append(
                Opened(incident_id=incident_id, title=now.title, detected_at=now.detected_at)
            )
        if now.closed_at is not None and (then is None or then.closed_at is None):
            out.closed.append(
                Closed(incident_id=incident_id, title=now.title, closed_at=now.closed_at)
            )
        old_restored = then.restored if then is not None else {}
        for system in now.systems_restored:
            if system not in old_restored:
                out.systems_restored.append(
                    Restored(
                        incident_id=incident_id, system=system, restored_at=now.restored[system]
                    )
                )
        old_roles = set(then.escalations) if then is not None else set()
        out.escalations += [
            Escalation(incident_id=incident_id, to_role=r)
            for r in now.escalations
            if r not in old_roles
        ]
        old_status = then.status if known and then is not None else None
        if old_status != now.status:
            out.statuses.append(
                StatusMoved(incident_id=incident_id, before=old_status, after=now.status)
            )
        for name in COUNTED:
            was = getattr(then, name) if then is not None else 0
            new = getattr(now, name)
            if was != new:
                out.counts.append(
                    CountMoved(
                        incident_id=incident_id,
                        count=name.removeprefix("records_"),
                        before=was,
                        after=new,
                    )
                )
    return out
