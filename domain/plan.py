"""The response plan as data: contacts and their hours, roles, holidays, the plan's own lines.

The plan file (TOML) is the municipality's; the seed's plan ships as the default. `load_plan`
checks it once, so a rule never meets a window that ends before it starts or two contacts that
answer at the same hour.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

import msgspec

from domain.holidays import HOLIDAY_NAMES

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES_DA = dict(
    zip(DAYS, ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"), strict=True)
)
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
WINDOW = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
MIDNIGHT = time(0, 0)


class Contact(StrEnum):
    """Whom the plan says to call: Service Desk, IT-vagt or beredskabet."""

    SERVICE_DESK = "service-desk"
    IT_VAGT = "it-vagt"
    BEREDSKAB = "beredskab"


class ContactLine(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One line of the contact table: a channel, its number and the hours it answers."""

    channel: Contact
    label: str
    phone: str
    note: str = ""
    hours: dict[str, list[str]] = msgspec.field(default_factory=dict)


class HolidayRule(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Which days count as holidays, and whose hours they follow ("own-day" keeps their own)."""

    follow: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun", "own-day"] = "sun"
    observed: list[str] = msgspec.field(default_factory=list)
    extra_dates: list[date] = msgspec.field(default_factory=list)


class ReadinessRule(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """How old a botilbud's printed medication list may be before it shows as stale."""

    max_list_age_days: int = 7


class PlanLine(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A sentence of the plan, the event types that record it being done, and the roles whose
    action card carries it."""

    section: str
    text: str
    steps: list[str] = msgspec.field(default_factory=list)
    roles: list[str] = msgspec.field(default_factory=list)
    # The municipality's target: done within so many minutes of the detection ("straks": 15).
    # The plan itself sets none; the evaluation report marks a line done later as late.
    target_minutes: int | None = None


class CatalogueEntry(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A system or a unit of the municipality: its slug in the log, its name on the screen."""

    slug: str
    name: str


class Catalogue(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The municipality's own systems and units, so a form offers choices, not codes to type."""

    systems: list[CatalogueEntry] = msgspec.field(default_factory=list)
    units: list[CatalogueEntry] = msgspec.field(default_factory=list)


class PlanFile(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The plan file as the municipality writes it."""

    version: int
    title: str
    written: str
    written_by: str
    approved_on: date
    approved_by: str
    timezone: str = "Europe/Copenhagen"
    contacts: list[ContactLine]
    fallback: ContactLine
    holidays: HolidayRule = msgspec.field(default_factory=HolidayRule)
    roles: dict[str, str] = msgspec.field(default_factory=dict)
    readiness: ReadinessRule = msgspec.field(default_factory=ReadinessRule)
    lines: list[PlanLine] = msgspec.field(default_factory=list)
    # Each step's one name, in the plan's words: the forms, the cards and the timeline say it.
    steps: dict[str, str] = msgspec.field(default_factory=dict)
    # Each step's form in the plan's words: a label for each field, by the field's name.
    forms: dict[str, dict[str, str]] = msgspec.field(default_factory=dict)
    catalogue: Catalogue = msgspec.field(default_factory=Catalogue)


@dataclass(frozen=True)
class Window:
    """A channel's hours on one kind of day, half-open: [start, end); end 00:00 is midnight."""

    start: time
    end: time
    contact: ContactLine

    @property
    def text(self) -> str:
        end = "24:00" if self.end == MIDNIGHT else f"{self.end:%H:%M}"
        return f"{self.start:%H:%M}-{end}"


@dataclass(frozen=True)
class Plan:
    """A checked plan: the file, its timezone, and each day's windows in order."""

    file: PlanFile
    tz: ZoneInfo
    windows: Mapping[str, tuple[Window, ...]]

    @property
    def version(self) -> int:
        return self.file.version


class PlanInvalid(ValueError):
    """The plan file breaks a rule; the message names the field."""


def _parse_window(text: str, where: str, contact: ContactLine) -> Window:
    match = WINDOW.match(text)
    if match is None:
        raise PlanInvalid(f"{where}: {text!r} is not HH:MM-HH:MM")
    h1, m1, h2, m2 = map(int, match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
        raise PlanInvalid(f"{where}: {text!r} is not a time of day")
    start, end = time(h1, m1), time(0, 0) if h2 == 24 else time(h2, m2)
    if end != MIDNIGHT and end <= start:
        raise PlanInvalid(f"{where}: {text!r} ends before it starts")
    return Window(start, end, contact)


def _end_minutes(w: Window) -> int:
    return 24 * 60 if w.end == MIDNIGHT else w.end.hour * 60 + w.end.minute


def _check_catalogue(catalogue: Catalogue) -> None:
    for kind, entries in (("systems", catalogue.systems), ("units", catalogue.units)):
        seen: set[str] = set()
        for i, entry in enumerate(entries):
            where = f"catalogue.{kind}[{i}]"
            if not SLUG.match(entry.slug):
                raise PlanInvalid(f"{where}.slug: {entry.slug!r} is not a lowercase ASCII slug")
            if entry.slug in seen:
                raise PlanInvalid(f"{where}.slug: {entry.slug!r} appears twice")
            if not entry.name.strip():
                raise PlanInvalid(f"{where}.name: a name to show is needed")
            seen.add(entry.slug)


def _check(file: PlanFile) -> dict[str, tuple[Window, ...]]:
    _check_catalogue(file.catalogue)
    for i, line in enumerate(file.lines):
        if line.target_minutes is not None and line.target_minutes < 0:
            raise PlanInvalid(f"lines[{i}].target_minutes: a target is 0 minutes or more")
        if line.target_minutes is not None and not line.steps:
            raise PlanInvalid(f"lines[{i}].target_minutes: a line with no steps has no target")
    for step, name in file.steps.items():
        if not name.strip():
            raise PlanInvalid(f"steps.{step}: a name to show is needed")
    for step, labels in file.forms.items():
        for field, label in labels.items():
            if not label.strip():
                raise PlanInvalid(f"forms.{step}.{field}: a label to show is needed")
    for i, line in enumerate(file.lines):
        if unknown_roles := sorted(set(line.roles) - file.roles.keys()):
            raise PlanInvalid(f"lines[{i}].roles: {unknown_roles[0]!r} is not one of the roles")
    if file.fallback.hours:
        raise PlanInvalid("fallback.hours: the fallback answers whenever no one else does")
    channels = [c.channel for c in file.contacts] + [file.fallback.channel]
    if len(set(channels)) != len(channels):
        raise PlanInvalid("contacts: each channel appears once")
    unknown = sorted(set(file.holidays.observed) - HOLIDAY_NAMES)
    if unknown:
        raise PlanInvalid(f"holidays.observed: unknown holiday {unknown[0]!r}")
    windows: dict[str, list[Window]] = {day: [] for day in DAYS}
    for i, contact in enumerate(file.contacts):
        for day, texts in contact.hours.items():
            if day not in windows:
                raise PlanInvalid(f"contacts[{i}].hours: {day!r} is not one of {', '.join(DAYS)}")
            where = f"contacts[{i}].hours.{day}"
            windows[day].extend(_parse_window(t, where, contact) for t in texts)
    for day, day_windows in windows.items():
        day_windows.sort(key=lambda w: w.start)
        for earlier, later in itertools.pairwise(day_windows):
            if _end_minutes(earlier) > later.start.hour * 60 + later.start.minute:
                raise PlanInvalid(
                    f"hours.{day}: {earlier.contact.channel} {earlier.text} overlaps "
                    f"{later.contact.channel} {later.text}"
                )
    return {day: tuple(ws) for day, ws in windows.items()}


def load_plan(text: str | bytes) -> Plan:
    """Parse and check a plan file (TOML)."""
    try:
        file = msgspec.toml.decode(text, type=PlanFile)
    except msgspec.DecodeError as exc:  # a TOML syntax error, or a field of the wrong type
        raise PlanInvalid(str(exc)) from None
    windows = _check(file)
    try:
        tz = ZoneInfo(file.timezone)
    except (ValueError, KeyError) as exc:
        raise PlanInvalid(f"timezone: {file.timezone!r} is not a known time zone") from exc
    return Plan(file=file, tz=tz, windows=windows)
