"""Runderne: minute by minute, what is due, what is overdue and what was given during an outage.

Opgaver: citizens with vital needs get the help they need first, and assessed citizens get the
help they are assessed for. `rounds` works this out from the unit's emergency list, the paper
records and the incident, at a time it is given (it never reads the clock): the occurrences from
the incident's detection until `at` plus the next 12 hours while it is open, or until its close.
An occurrence whose window reaches past the detection is included: a 08:00 dose with a window to
08:30 is still due when the outage is found at 08:10.

An occurrence is `upcoming` before `due_from`, `due` from then until `due_until`, then `overdue`
until a record accounts for it (`given` or `missed`; `domain/matching.py`). Ordered: overdue vital,
overdue, due vital, due, upcoming (each by `due_at`), then given and then missed.

Where the contract is silent: windows are half-open (due at `due_from`, overdue at `due_until`);
`overdue` counts include `overdue_vital`; the rounds trust the records they are given (the caller
leaves out what was not yet known at `at`), and a closed incident's rounds keep being judged at
`at`, so a dose never recorded before the close stays overdue in the report. `occurrence_id` is
a UUID, so the service can use it as the stream on which a dispensing takes its optimistic lock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import NamedTuple, Protocol
from uuid import UUID

from domain.errors import WaiverNeedsLeader
from domain.list_items import ItemKind, ListVersion
from domain.matching import RoundRecord, account, candidates
from domain.occurrences import Occurrence, Status, expand
from domain.rounds_errors import AlreadyGiven, RepeatNeedsReason, VitalNeedsUnaccounted

AHEAD = timedelta(hours=12)
_RANK = {
    (Status.OVERDUE, True): 0,
    (Status.OVERDUE, False): 1,
    (Status.DUE, True): 2,
    (Status.DUE, False): 3,
    (Status.UPCOMING, True): 4,
    (Status.UPCOMING, False): 4,
    (Status.GIVEN, True): 5,
    (Status.GIVEN, False): 5,
    (Status.MISSED, True): 6,
    (Status.MISSED, False): 6,
}


class IncidentSpan(Protocol):
    """What the rounds need of an incident (`Incident` has both): when it began and closed."""

    @property
    def detected_at(self) -> datetime: ...

    @property
    def closed_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class Outage:
    """An incident's span, when the caller has no `Incident` at hand."""

    detected_at: datetime
    closed_at: datetime | None = None


@dataclass(frozen=True)
class Counts:
    """How many occurrences are in each state; `overdue` includes `overdue_vital`."""

    upcoming: int = 0
    due: int = 0
    overdue: int = 0
    overdue_vital: int = 0
    given: int = 0
    missed: int = 0


@dataclass(frozen=True)
class Rounds:
    """Runden: a unit's occurrences at `at`, in order, and the records that stand alone."""

    unit: str
    list_version: int
    at: datetime
    start: datetime
    end: datetime
    counts: Counts
    occurrences: tuple[Occurrence, ...]
    unmatched: tuple[RoundRecord, ...]

    @property
    def vital_overdue(self) -> tuple[Occurrence, ...]:
        return tuple(o for o in self.occurrences if o.vital and o.status is Status.OVERDUE)

    def by_id(self, occurrence_id: UUID) -> Occurrence | None:
        return next((o for o in self.occurrences if o.occurrence_id == occurrence_id), None)


def status_at(occurrence: Occurrence, at: datetime) -> Status:
    """given or missed once accounted for; otherwise by the clock: upcoming, due, overdue."""
    if occurrence.record_id is not None:
        return occurrence.status
    if at < occurrence.due_from:
        return Status.UPCOMING
    return Status.DUE if at < occurrence.due_until else Status.OVERDUE


class Span(NamedTuple):
    """The stretch of time whose rounds are shown."""

    start: datetime
    end: datetime


def span(incident: IncidentSpan, at: datetime) -> Span:
    """From the detection until `at` plus 12 hours, or until the close if that is sooner."""
    end = at + AHEAD
    if incident.closed_at is not None:
        end = min(end, incident.closed_at)
    return Span(incident.detected_at, end)


def rounds(
    plan_list: ListVersion,
    records: Iterable[RoundRecord],
    incident: IncidentSpan,
    at: datetime,
    tz: tzinfo,
) -> Rounds:
    """The rounds of `plan_list`'s unit during `incident`, as they stand at `at` (aware)."""
    if at.tzinfo is None:
        raise ValueError("rounds needs an aware time")
    start, end = span(incident, at)
    accounted, alone = account(expand(plan_list, start, end, tz), records)
    return _judged(plan_list, accounted, alone, start, end, at)


@dataclass(frozen=True)
class Accounted:
    """The occurrences of a list from `start` until `until`, each with the records that account
    for it, and the records that stand alone: what the rounds are worked out from, whatever the
    clock says. Kept between reads, it gives the rounds at any `at` whose span ends by `until`
    (`rounds_from`)."""

    start: datetime
    until: datetime
    occurrences: tuple[Occurrence, ...]
    unmatched: tuple[RoundRecord, ...]
    # Each occurrence as the clock has judged it: made once per change of status, not per read.
    judged: dict[tuple[UUID, Status], Occurrence] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )


def accounted(
    plan_list: ListVersion,
    records: Iterable[RoundRecord],
    start: datetime,
    until: datetime,
    tz: tzinfo,
) -> Accounted:
    """The list's occurrences from `start` (a span's start) until `until`, accounted for."""
    occurrences, alone = account(expand(plan_list, start, until, tz), records)
    return Accounted(start, until, tuple(occurrences), tuple(alone))


def rounds_from(
    plan_list: ListVersion, found: Accounted, incident: IncidentSpan, at: datetime
) -> Rounds | None:
    """The same rounds as `rounds(plan_list, records, incident, at, tz)` for the records `found`
    was accounted with, or None when `found` cannot tell (another start, a span ending after
    `until`, or a record accounting for an occurrence due after the span). The occurrences past
    the span's end are left out; as long as no record accounts for any of them, every record
    lands where it would have without them (each takes the earliest open one of its candidates,
    and those come later than every one it could take)."""
    if at.tzinfo is None:
        raise ValueError("rounds needs an aware time")
    start, end = span(incident, at)
    if start != found.start or end > found.until:
        return None
    within = []
    for o in found.occurrences:
        if o.due_at < end:
            within.append(o)
        elif o.record_ids:
            return None
    return _judged(plan_list, within, list(found.unmatched), start, end, at, found.judged)


def _judged(
    plan_list: ListVersion,
    accounted: Iterable[Occurrence],
    alone: Iterable[RoundRecord],
    start: datetime,
    end: datetime,
    at: datetime,
    judged: dict[tuple[UUID, Status], Occurrence] | None = None,
) -> Rounds:
    if judged is None:
        timed = [_with_status(o, status_at(o, at)) for o in accounted]
    else:
        timed = []
        for o in accounted:
            status = status_at(o, at)
            if o.status is status:
                timed.append(o)
            else:
                key = (o.occurrence_id, status)
                if (seen := judged.get(key)) is None:
                    seen = judged[key] = _with_status(o, status)
                timed.append(seen)
    timed.sort(key=lambda o: (_RANK[o.status, o.vital], o.due_at, o.citizen_ref, o.item_id))
    return Rounds(
        unit=plan_list.unit,
        list_version=plan_list.list_version,
        at=at,
        start=start,
        end=end,
        counts=_count(timed),
        occurrences=tuple(timed),
        unmatched=tuple(alone),
    )


def _with_status(occurrence: Occurrence, status: Status) -> Occurrence:
    # The same occurrence when its status stands (given, missed): a round of hundreds of
    # occurrences is worked out on every read, and `dataclasses.replace` is the costly part.
    return (
        occurrence
        if occurrence.status is status
        else dataclasses.replace(occurrence, status=status)
    )


def _count(occurrences: list[Occurrence]) -> Counts:
    tally = {s: sum(1 for o in occurrences if o.status is s) for s in Status}
    return Counts(
        upcoming=tally[Status.UPCOMING],
        due=tally[Status.DUE],
        overdue=tally[Status.OVERDUE],
        overdue_vital=sum(1 for o in occurrences if o.vital and o.status is Status.OVERDUE),
        given=tally[Status.GIVEN],
        missed=tally[Status.MISSED],
    )


def check_rounds_allow_close(
    units: Iterable[Rounds], waiver_reason: str | None, waived_by_leader: bool
) -> None:
    """The incident may close only when no vital occurrence is overdue (neither given nor
    missed), or a leader gives a waiver; a due one is not yet late."""
    overdue = sum(r.counts.overdue_vital for r in units)
    if overdue and waiver_reason is None:
        raise VitalNeedsUnaccounted(overdue)
    if overdue and not waived_by_leader:
        raise WaiverNeedsLeader()


def target_of(result: Rounds, record: RoundRecord) -> Occurrence | None:
    """The occurrence a new record would account for: the one it names, else the earliest not
    yet given whose window holds its time, else the earliest already given (a repeat)."""
    named = result.by_id(record.occurrence_id) if record.occurrence_id is not None else None
    if named is not None and (named.citizen_ref, named.kind) == (record.citizen_ref, record.kind):
        return named
    found = candidates(result.occurrences, record)
    return next((o for o in found if o.status is not Status.GIVEN), found[0] if found else None)


def check_repeat_dose(
    result: Rounds, record: RoundRecord, confirm_repeat: bool, reason: str | None
) -> Occurrence | None:
    """No dose is given twice by mistake: a dispensing for an occurrence already given is
    refused unless it confirms the repeat with a reason. Gives the occurrence it accounts for."""
    target = target_of(result, record)
    if record.kind is not ItemKind.MEDICATION or not record.given or target is None:
        return target
    if target.status is Status.GIVEN and target.record_id is not None:
        if not confirm_repeat:
            assert target.accounted_at is not None
            raise AlreadyGiven(target.occurrence_id, target.accounted_at, target.record_id)
        if reason is None or not reason.strip():
            raise RepeatNeedsReason()
    return target
