"""Kontaktoplysninger: whom to call now, and the plan in force."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal, get_args

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import Parameter
from msgspec import Struct

from domain.contacts import ContactAnswer, contact_now
from domain.plan import ContactLine, Plan
from service.api.problems import InvalidField
from service.api.reading import query_time
from service.api.schemas import Instant
from service.api.step_forms import FormFieldView, forms
from service.api.steps import IncidentStep

# The contact rule looks some days either side of the time asked; these bounds keep that inside
# the calendar (year 1 or 9999 overflowed it: a 500) and are far beyond any outage.
EARLIEST_ASKED = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_ASKED = datetime(9000, 1, 1, tzinfo=UTC)


AskedTime = Annotated[
    str | None,
    Parameter(
        required=False,
        schema_extra={"format": "date-time"},
        description="RFC 3339 with an offset, like 2026-11-26T08:00:00+01:00, between the years "
        "1900 and 9000 (default: now)",
    ),
]


def asked_time(value: str | None) -> datetime:
    """`at` as given (default: now), or a 422 naming it when the plan cannot answer for it."""
    at = query_time("at", value) or datetime.now(UTC)
    if not EARLIEST_ASKED <= at < LATEST_ASKED:
        raise InvalidField("at", "must lie between the years 1900 and 9000")
    return at


class ContactNow(Struct):
    """Ring nu til: the channel, its number, the rule that gave it, and until when it holds."""

    channel: Literal["service-desk", "it-vagt", "beredskab"]
    phone: str
    label: str
    rule: str
    valid_from: Instant | None
    valid_until: Instant | None
    plan_version: int
    day_kind: Literal["weekday", "weekend", "holiday"]
    holiday: str | None
    at: Instant


class ContactLineView(Struct):
    """One line of the plan's contact list: whom to call, how, and when."""

    channel: str
    label: str
    phone: str
    note: str
    hours: dict[str, list[str]]


class HolidaysView(Struct):
    """Which public holidays the plan's hours follow, and the extra dates."""

    follow: str
    observed: list[str]
    extra_dates: list[date]


class PlanLineView(Struct):
    """One line of the response plan and the event types that record it."""

    section: str
    text: str
    steps: list[str]
    target_minutes: int | None = None


class CatalogueEntryView(Struct):
    """One of the municipality's systems or units: its slug and its name."""

    slug: str
    name: str


class CatalogueView(Struct):
    """The municipality's systems and units, with the names people know them by."""

    systems: list[CatalogueEntryView]
    units: list[CatalogueEntryView]


class PlanView(Struct):
    """The response plan in force (indsatsplan), as data."""

    version: int
    title: str
    written: str
    written_by: str
    approved_on: date
    approved_by: str
    timezone: str
    contacts: list[ContactLineView]
    fallback: ContactLineView
    holidays: HolidaysView
    roles: dict[str, str]
    lines: list[PlanLineView]
    steps: dict[str, str]
    catalogue: CatalogueView
    # Each step's form, by the step's type: the dashboard builds its forms from these.
    forms: dict[str, list[FormFieldView]]


# The plan's hours are whole minutes of local time (HH:MM, and days change at midnight), so
# whom to call is the same for every instant of one minute. Busy readers of the situation
# picture ask many times a second: the answer of the last minutes asked is kept per plan.
_ANSWERS: dict[datetime, tuple[Plan, ContactAnswer]] = {}
_ANSWERS_KEPT = 8


# The forms are derived from the step types (some milliseconds): once per plan in force.
_FORMS: list[tuple[Plan, dict[str, list[FormFieldView]]]] = []


def plan_forms(plan: Plan) -> dict[str, list[FormFieldView]]:
    if not _FORMS or _FORMS[0][0] is not plan:
        _FORMS[:] = [(plan, forms(get_args(IncidentStep), plan.file.forms))]
    return _FORMS[0][1]


def contact_answer(when: datetime, plan: Plan) -> ContactNow:
    minute = when.astimezone(UTC).replace(second=0, microsecond=0)
    kept = _ANSWERS.get(minute)
    if kept is not None and kept[0] is plan:
        answer = kept[1]
    else:
        answer = contact_now(when, plan)
        if len(_ANSWERS) >= _ANSWERS_KEPT:
            _ANSWERS.clear()
        _ANSWERS[minute] = (plan, answer)
    return ContactNow(
        channel=answer.channel.value,
        phone=answer.phone,
        label=answer.label,
        rule=answer.rule,
        valid_from=answer.valid_from,
        valid_until=answer.valid_until,
        plan_version=answer.plan_version,
        day_kind=answer.day_kind,
        holiday=answer.holiday,
        at=when,
    )


class ContactController(Controller):
    """Whom the plan says to call, and the plan itself."""

    path = "/v1"
    tags = ["plan"]

    @get("/contacts/now", operation_id="getContactNow")
    async def now(self, plan_in_force: NamedDependency[Plan], at: AskedTime = None) -> ContactNow:
        """Whom to call at `at` (default: now): Service Desk, IT-vagt or beredskabet."""
        return contact_answer(asked_time(at), plan_in_force)

    @get("/plan", operation_id="getPlan")
    async def plan(self, plan_in_force: NamedDependency[Plan]) -> PlanView:
        """The response plan in force: contacts and hours, holidays, roles, every line, each
        step's name and the municipality's systems and units."""
        f = plan_in_force.file

        def line(c: ContactLine) -> ContactLineView:
            return ContactLineView(c.channel.value, c.label, c.phone, c.note, c.hours)

        return PlanView(
            version=f.version,
            title=f.title,
            written=f.written,
            written_by=f.written_by,
            approved_on=f.approved_on,
            approved_by=f.approved_by,
            timezone=f.timezone,
            contacts=[line(c) for c in f.contacts],
            fallback=line(f.fallback),
            holidays=HolidaysView(f.holidays.follow, f.holidays.observed, f.holidays.extra_dates),
            roles=f.roles,
            lines=[PlanLineView(x.section, x.text, x.steps, x.target_minutes) for x in f.lines],
            steps=f.steps,
            catalogue=CatalogueView(
                systems=[CatalogueEntryView(e.slug, e.name) for e in f.catalogue.systems],
                units=[CatalogueEntryView(e.slug, e.name) for e in f.catalogue.units],
            ),
            forms=plan_forms(plan_in_force),
        )
