"""Paper, for when everything is dark: the plan's action cards and its whole contact schedule.

The plan says "Der er ikke knyttet action cards til denne indsatsplan": each role's card is made
from the plan's own lines (each line names the roles that act on it, in the plan file), word for
word, so a card never says what the plan does not. The contact schedule is every day's hours per
channel with the fallback filling the rest of the day, and the plan's rule for holidays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from domain.plan import DAY_NAMES_DA, DAYS, MIDNIGHT, ContactLine, Plan, PlanLine

# The plan's situation lines head every card: what an outage is, for whoever holds it.
SITUATION = "Situation"
HOLIDAY_NAMES_DA = {
    "nytaarsdag": "nytårsdag",
    "skaertorsdag": "skærtorsdag",
    "langfredag": "langfredag",
    "paaskedag": "påskedag",
    "2-paaskedag": "2. påskedag",
    "store-bededag": "store bededag",
    "kristi-himmelfartsdag": "Kristi himmelfartsdag",
    "pinsedag": "pinsedag",
    "2-pinsedag": "2. pinsedag",
    "grundlovsdag": "grundlovsdag",
    "juleaftensdag": "juleaftensdag",
    "juledag": "juledag",
    "2-juledag": "2. juledag",
    "nytaarsaftensdag": "nytårsaftensdag",
}


@dataclass(frozen=True)
class ActionCard:
    """Et action card: what one role does in an outage, in the plan's words, by section."""

    role: str
    title: str
    situation: tuple[str, ...]
    sections: tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Slot:
    """Part of a day in the contact schedule: from, to (00:00 is midnight), whom to call."""

    start: time
    end: time
    label: str
    phone: str
    fallback: bool = False

    @property
    def text(self) -> str:
        end = "24.00" if self.end == MIDNIGHT else f"{self.end:%H.%M}"
        return f"{self.start:%H.%M} \N{EN DASH} {end}"


@dataclass(frozen=True)
class ContactSchedule:
    """Kontaktoplysninger, whole: each day's slots, the contacts with their notes, holidays."""

    days: tuple[tuple[str, tuple[Slot, ...]], ...]
    contacts: tuple[ContactLine, ...]
    fallback: ContactLine
    holiday_rule: str


def action_cards(plan: Plan) -> list[ActionCard]:
    """One card per role of the plan that some line names, in the order of the plan's roles."""
    file = plan.file
    situation = tuple(x.text for x in file.lines if x.section == SITUATION)
    cards = []
    for role, title in file.roles.items():
        mine = [x for x in file.lines if role in x.roles]
        if mine:
            cards.append(ActionCard(role, title, situation, _by_section(mine)))
    return cards


def _by_section(lines: list[PlanLine]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    sections: dict[str, list[str]] = {}
    for line in lines:
        sections.setdefault(line.section, []).append(line.text)
    return tuple((name, tuple(texts)) for name, texts in sections.items())


def contact_schedule(plan: Plan) -> ContactSchedule:
    """Every day of the week from 00.00 to 24.00: the plan's windows, the fallback between."""
    fallback = plan.file.fallback
    days = []
    for day in DAYS:
        slots: list[Slot] = []
        at = MIDNIGHT
        for w in plan.windows[day]:
            if w.start > at:
                slots.append(Slot(at, w.start, fallback.label, fallback.phone, fallback=True))
            slots.append(Slot(w.start, w.end, w.contact.label, w.contact.phone))
            at = w.end
            if at == MIDNIGHT:
                break
        else:
            slots.append(Slot(at, MIDNIGHT, fallback.label, fallback.phone, fallback=True))
        days.append((DAY_NAMES_DA[day].capitalize(), tuple(slots)))
    return ContactSchedule(tuple(days), tuple(plan.file.contacts), fallback, holiday_rule(plan))


def holiday_rule(plan: Plan) -> str:
    """The plan's holiday rule in words, with the holidays it observes."""
    rule = plan.file.holidays
    names = [HOLIDAY_NAMES_DA.get(h, h) for h in rule.observed]
    names += [f"{d:%d.%m.%Y}" for d in rule.extra_dates]
    which = ", ".join(names) if names else "ingen"
    if rule.follow == "own-day":
        return f"Helligdage ({which}) har ugedagens normale tider."
    return f"Helligdage ({which}) følger {DAY_NAMES_DA[rule.follow]}ens tider."
