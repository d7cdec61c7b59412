"""Occurrences: each item of the emergency list happens at each of its times on each of its days.

Times are the list's local wall clock in the plan's timezone. On a daylight-saving change day an
occurrence happens once, at the first instant the wall clock shows its time or later: 08:00 is
08:00 CEST or CET; 02:30 on the spring-forward day, a time the clock skips, is 03:00 CEST; 02:30
on the fall-back day, a time the clock shows twice, is the first 02:30 (CEST). Holidays change
nothing: the care a citizen needs does not take the day off, so a weekdays-only item happens on a
public holiday that falls on a weekday.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from uuid import UUID, uuid5

from domain.list_items import EVERY_DAY, ItemKind, ListCitizen, ListItem, ListVersion, time_of_day

# Fixed for ever: occurrence ids derived from it are printed on paper (QR codes) and stored.
OCCURRENCE_NAMESPACE = UUID("6f1d3a2e-5c0b-4f7e-9a61-2b8d7c4e9f10")


class Status(StrEnum):
    """Where an occurrence is: not yet due, due, overdue, or accounted for (given or missed)."""

    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    GIVEN = "given"
    MISSED = "missed"


@dataclass(frozen=True)
class Occurrence:
    """One time an item of the list is to be given or done (a line of the round).

    `what` is the medication's name or the help; `summary` adds the dose. For a medication both
    are personal data (`summary_is_personal`), which the service shows only with a purpose."""

    occurrence_id: UUID
    citizen_ref: str
    item_id: str
    kind: ItemKind
    what: str
    summary: str
    summary_is_personal: bool
    vital: bool
    local_date: date
    local_time: str
    due_at: datetime
    due_from: datetime
    due_until: datetime
    status: Status = Status.UPCOMING
    record_id: UUID | None = None
    accounted_at: datetime | None = None
    record_ids: tuple[UUID, ...] = ()


def match_name(name: str) -> str:
    """Medication names and services compare case-insensitively, with spaces evened out."""
    return " ".join(name.split()).casefold()


def occurrence_id(unit: str, citizen_ref: str, item_id: str, day: date, at: str) -> UUID:
    """The same occurrence has the same id in every version of the list and every call: it is
    derived from the unit, the citizen's ref, the item's id and the local date and time (the
    list's time, "02:30" even when the clock skipped it), and from nothing personal."""
    key = json.dumps([unit, citizen_ref, item_id, day.isoformat(), at], ensure_ascii=True)
    return uuid5(OCCURRENCE_NAMESPACE, key)


def dose_slot(occurrence_id: UUID, n: int) -> UUID:
    """The record id of the n-th dose given for an occurrence of the emergency list (1: the
    dose; 2 and on: confirmed repeats). Creating the record at version 0 of this stream is the
    store's optimistic lock on the occurrence: of two dispensings at once, one is stored and the
    other finds the dose given. The report reads from it which occurrence a dose gave."""
    return uuid5(occurrence_id, f"dose-{n}")


def wall_instant(day: date, at: time, tz: tzinfo) -> datetime:
    """The first instant (UTC) at which the wall clock in `tz` shows `at` on `day`, or later."""
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first  # fold=0 is the earlier of a time the clock shows twice
    # Skipped by a jump forward: the jump itself is the first instant showing a later time.
    low = int(wall.replace(tzinfo=tz, fold=1).astimezone(UTC).timestamp())
    high = int(first.timestamp())
    low, high = min(low, high), max(low, high)
    while high - low > 1:
        mid = (low + high) // 2
        if datetime.fromtimestamp(mid, tz).replace(tzinfo=None) >= wall:
            high = mid
        else:
            low = mid
    return datetime.fromtimestamp(high, UTC)


def _what(item: ListItem) -> str:
    return item.medication.name if item.medication is not None else item.service or ""


def summary_of(item: ListItem) -> str:
    """One line for the round: the medication and its dose, or the help."""
    if item.medication is not None:
        return f"{item.medication.name} {item.medication.dose}"
    return item.service or ""


def expand(plan_list: ListVersion, start: datetime, end: datetime, tz: tzinfo) -> list[Occurrence]:
    """Every occurrence of the list whose window reaches past `start` and that is due before
    `end`, in no particular order."""
    first = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date() + timedelta(days=1)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    instants: dict[tuple[date, str], datetime] = {}
    out: list[Occurrence] = []
    for citizen, item, day, text in _slots(plan_list.citizens, days):
        if (day, text) not in instants:
            instants[(day, text)] = wall_instant(day, time_of_day(text), tz)
        due_at = instants[(day, text)]
        half = timedelta(minutes=item.window_minutes) / 2
        if due_at + half <= start or due_at >= end:
            continue
        out.append(
            Occurrence(
                occurrence_id=occurrence_id(
                    plan_list.unit, citizen.citizen_ref, item.item_id, day, text
                ),
                citizen_ref=citizen.citizen_ref,
                item_id=item.item_id,
                kind=item.kind,
                what=_what(item),
                summary=summary_of(item),
                summary_is_personal=item.kind is ItemKind.MEDICATION,
                vital=item.vital,
                local_date=day,
                local_time=text,
                due_at=due_at,
                due_from=due_at - half,
                due_until=due_at + half,
            )
        )
    return out


def _slots(
    citizens: tuple[ListCitizen, ...], days: list[date]
) -> Iterator[tuple[ListCitizen, ListItem, date, str]]:
    for day in days:
        weekday = EVERY_DAY[day.weekday()]
        for citizen in citizens:
            for item in citizen.items:
                if weekday in item.days:
                    for text in item.times:
                        yield citizen, item, day, text
