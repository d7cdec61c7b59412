"""Kontaktoplysninger: whom to call at a given moment, and until when that answer holds.

All alarms go to the Service Desk in normal working hours, to the IT-vagt in its hours, and to
beredskabet at every other time. Hours are the plan's local time (Europe/Copenhagen), so the
answer is worked out on the wall clock and turned back into instants: across a daylight-saving
change an evening window is still 15:30-21:00 on the wall. Windows are half-open: Thursday 17:00
belongs to the IT-vagt, 16:59:59 to the Service Desk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Literal

from domain.holidays import danish_holidays
from domain.plan import DAY_NAMES_DA, DAYS, MIDNIGHT, Contact, ContactLine, Plan, Window

# Far enough to pass any run of holidays and weekends; a plan with no hours at all never changes.
HORIZON_DAYS = 21


@dataclass(frozen=True)
class DayRule:
    """Which hours a calendar day follows, and why."""

    day: date
    key: str
    kind: Literal["weekday", "weekend", "holiday"]
    holiday: str | None


@dataclass(frozen=True)
class ContactAnswer:
    """Ring nu til: the channel, its number, the rule that gave it and when the answer changes."""

    channel: Contact
    phone: str
    label: str
    rule: str
    valid_from: datetime | None
    valid_until: datetime | None
    plan_version: int
    day_kind: Literal["weekday", "weekend", "holiday"]
    holiday: str | None


@cache
def _holidays(year: int) -> dict[date, str]:
    return danish_holidays(year)


def day_rule(day: date, plan: Plan) -> DayRule:
    """The hours a local calendar day follows: its own, or a holiday's."""
    own = DAYS[day.weekday()]
    rule = plan.file.holidays
    name = _holidays(day.year).get(day)
    if name is not None and name not in rule.observed:
        name = None
    if name is None and day in rule.extra_dates:
        name = "extra"
    if name is not None:
        key = own if rule.follow == "own-day" else rule.follow
        return DayRule(day, key, "holiday", name)
    return DayRule(day, own, "weekend" if day.weekday() >= 5 else "weekday", None)


@dataclass(frozen=True)
class _Span:
    start: datetime
    end: datetime
    contact: ContactLine
    window: Window | None


def _instant(day: date, at: time, plan: Plan) -> datetime:
    if at == MIDNIGHT:
        day += timedelta(days=1)
    return datetime.combine(day, at, tzinfo=plan.tz).astimezone(UTC)


def _spans(first: date, days: int, plan: Plan) -> list[_Span]:
    """Every window from local midnight of `first` on, the fallback filling the gaps."""
    windows = [
        _Span(_instant(day, w.start, plan), _instant(day, w.end, plan), w.contact, w)
        for day in (first + timedelta(days=n) for n in range(days))
        for w in plan.windows[day_rule(day, plan).key]
    ]
    spans: list[_Span] = []
    cursor = _instant(first, time(0, 0), plan)
    for span in windows:
        if cursor < span.start:
            spans.append(_Span(cursor, span.start, plan.file.fallback, None))
        spans.append(span)
        cursor = span.end
    end = _instant(first + timedelta(days=days), time(0, 0), plan)
    if cursor < end:
        spans.append(_Span(cursor, end, plan.file.fallback, None))
    return spans


def _describe(span: _Span, today: DayRule, plan: Plan) -> str:
    if span.window is None:
        others = " og ".join(c.label for c in plan.file.contacts)
        text = f"{span.contact.label}: alle andre tidspunkter af døgnet (uden for {others})"
    else:
        text = f"{span.contact.label}: {DAY_NAMES_DA[today.key]} {span.window.text}"
    if today.holiday is not None:
        follows = plan.file.holidays.follow
        hours = "egne" if follows == "own-day" else f"{DAY_NAMES_DA[today.key]}ens"
        text += f" (helligdag: {today.holiday}, følger {hours} tider)"
    return text


def contact_now(at: datetime, plan: Plan) -> ContactAnswer:
    """Whom to call at `at` (an aware instant) under `plan`, and until when."""
    if at.tzinfo is None:
        raise ValueError("contact_now needs an aware time")
    today = day_rule(at.astimezone(plan.tz).date(), plan)
    spans = _spans(today.day - timedelta(days=HORIZON_DAYS), 2 * HORIZON_DAYS, plan)
    here = next(i for i, s in enumerate(spans) if s.start <= at < s.end)
    span = spans[here]
    channel = span.contact.channel
    start = span.start
    for earlier in reversed(spans[:here]):
        if earlier.contact.channel != channel:
            break
        start = earlier.start
    until = next((s.start for s in spans[here + 1 :] if s.contact.channel != channel), None)
    return ContactAnswer(
        channel=channel,
        phone=span.contact.phone,
        label=span.contact.label,
        rule=_describe(span, today, plan),
        valid_from=start if start != spans[0].start else None,
        valid_until=until,
        plan_version=plan.version,
        day_kind=today.kind,
        holiday=today.holiday,
    )
