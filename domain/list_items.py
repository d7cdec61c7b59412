"""What the emergency list (nødliste) holds: citizens, their items, and the rules a list keeps.

A list is checked whole when it is kept, so the rounds never meet a time that is not a time of
day, an item that cannot be told apart from another, or a list too large to print and carry.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from enum import StrEnum
from typing import Annotated, Literal, cast

import msgspec

from domain.base import DataSubject, Sealed
from domain.manual_record import Citizen, Medication
from domain.plan import DAYS
from domain.rounds_errors import (
    BadDays,
    BadItemId,
    BadTime,
    DuplicateCitizen,
    DuplicateItemId,
    EmptyTimes,
    ItemKindMismatch,
    MedicationMissing,
    ServiceMissing,
    TooManyCitizens,
    TooManyItems,
    WindowOutOfRange,
)

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
EVERY_DAY = cast(tuple[Day, ...], DAYS)
MAX_CITIZENS = 500
MAX_ITEMS = 5_000
# What is due each day across the list: 500 citizens with 40 things a day. Without it 5,000 items
# at 48 times were 240,000 occurrences a day, a week's rounds hundreds of megabytes.
MAX_TIMES_A_DAY = 20_000
# Under ten minutes no round can keep a window; over twelve hours, a twice-daily dose's windows
# would overlap the next day's.
MIN_WINDOW_MINUTES, MAX_WINDOW_MINUTES = 10, 720
HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class ItemKind(StrEnum):
    """What an item of the list is: a medication (medicin) or a visit of assessed help."""

    MEDICATION = "medication"
    CARE = "care"


class ListItem(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One thing a citizen is to receive, at local wall-clock times (HH:MM) on some weekdays.

    `item_id` is the sender's, unique per citizen and stable across versions of the list."""

    item_id: str
    kind: ItemKind
    times: tuple[str, ...]
    medication: Annotated[Medication | None, Sealed] = None
    service: Annotated[str | None, Sealed] = None
    days: tuple[Day, ...] = EVERY_DAY
    window_minutes: int = 60
    vital: bool = False


class ListCitizen(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A citizen on the list (borger), named by `citizen_ref`; identity and needs are sealed.

    Each citizen's sealed fields are sealed under that citizen's own key (`DataSubject`), not
    the list's: forgetting one citizen erases them from every version and no one else."""

    citizen_ref: Annotated[str, DataSubject]
    citizen: Annotated[Citizen | None, Sealed] = None
    vital_needs: Annotated[str | None, Sealed] = None
    items: tuple[ListItem, ...] = ()


class ListVersion(msgspec.Struct, frozen=True, kw_only=True):
    """One whole version of a unit's list: what the rounds are worked out from."""

    unit: str
    list_version: int
    list_as_of: datetime
    citizens: tuple[ListCitizen, ...]


def time_of_day(text: str) -> time:
    """A list's local wall-clock time, "HH:MM" from 00:00 to 23:59."""
    match = HH_MM.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a time of day HH:MM")
    return time(int(match[1]), int(match[2]))


# Ten digits as a CPR number has them (DDMMYY-XXXX): an item's id is in the log's plain part for
# good and shown without a purpose, so none may hold one.
_CPR_LIKE = re.compile(r"(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])")


def check_citizens(citizens: tuple[ListCitizen, ...]) -> None:
    """Refuse a list that breaks one of the rules, naming the first field that does."""
    if len(citizens) > MAX_CITIZENS:
        raise TooManyCitizens("citizens", f"{len(citizens)} citizens; at most {MAX_CITIZENS}")
    items = sum(len(c.items) for c in citizens)
    if items > MAX_ITEMS:
        raise TooManyItems("citizens", f"{items} items; at most {MAX_ITEMS}")
    times = sum(len(i.times) for c in citizens for i in c.items)
    if times > MAX_TIMES_A_DAY:
        raise TooManyItems("citizens", f"{times} times a day; at most {MAX_TIMES_A_DAY}")
    refs: set[str] = set()
    for i, citizen in enumerate(citizens):
        if citizen.citizen_ref in refs:
            raise DuplicateCitizen(f"citizens[{i}]", "this citizen is on the list twice")
        refs.add(citizen.citizen_ref)
        ids: set[str] = set()
        for j, item in enumerate(citizen.items):
            where = f"citizens[{i}].items[{j}]"
            _check_item(item, where)  # first: a CPR number as the id is refused, not echoed
            if item.item_id in ids:
                raise DuplicateItemId(f"{where}.item_id", f"{item.item_id!r} is used twice")
            ids.add(item.item_id)


def _check_item(item: ListItem, where: str) -> None:
    if not item.item_id.strip():
        raise BadItemId(f"{where}.item_id", "an item needs an id")
    if _CPR_LIKE.search(item.item_id):
        raise BadItemId(f"{where}.item_id", "looks like a CPR number; an item id is not personal")
    if item.kind is ItemKind.MEDICATION:
        if item.medication is None:
            raise MedicationMissing(f"{where}.medication", "a medication item names it")
        if item.service is not None:
            raise ItemKindMismatch(f"{where}.service", "a medication item has no service")
    else:
        if item.service is None or not item.service.strip():
            raise ServiceMissing(f"{where}.service", "a care item names the help")
        if item.medication is not None:
            raise ItemKindMismatch(f"{where}.medication", "a care item has no medication")
    if not item.times:
        raise EmptyTimes(f"{where}.times", "an item happens at one time of day or more")
    seen: set[str] = set()
    for k, text in enumerate(item.times):
        if HH_MM.match(text) is None:
            raise BadTime(f"{where}.times[{k}]", f"{text!r} is not a time of day HH:MM")
        if text in seen:
            raise BadTime(f"{where}.times[{k}]", f"{text} is listed twice")
        seen.add(text)
    if (
        not item.days
        or not set(item.days) <= set(EVERY_DAY)
        or len(set(item.days)) < len(item.days)
    ):
        raise BadDays(f"{where}.days", f"days are some of {', '.join(EVERY_DAY)}, each once")
    if not MIN_WINDOW_MINUTES <= item.window_minutes <= MAX_WINDOW_MINUTES:
        raise WindowOutOfRange(
            f"{where}.window_minutes",
            f"{item.window_minutes} is not from {MIN_WINDOW_MINUTES} to {MAX_WINDOW_MINUTES}",
        )
