"""Paper from the plan: one action card per role in the plan's own words, and the contact
schedule of every day from midnight to midnight."""

from __future__ import annotations

import itertools
from datetime import time

import pytest

from domain.paper import action_cards, contact_schedule, holiday_rule
from domain.plan import MIDNIGHT, Plan, PlanInvalid, load_plan
from service.runtime.plan_file import DEFAULT_PLAN


def test_every_role_of_the_plan_gets_a_card_with_its_lines_word_for_word(plan: Plan) -> None:
    cards = {c.role: c for c in action_cards(plan)}
    assert list(cards) == list(plan.file.roles)
    medarbejder = dict(cards["medarbejder"].sections)
    assert (
        "Medicinudlevering registreres manuelt, og skrives i systemet, når det fungerer igen."
        in medarbejder["Medicin"]
    )
    assert "Nærmeste leder informeres ved først givne lejlighed." in medarbejder["Alarmering"]
    assert list(dict(cards["socialchef"].sections)) == ["Kommunikation"]
    # Every line that asks someone to act is on some card; the situation heads every card.
    acting = {x.text for x in plan.file.lines if x.section not in ("Situation", "Action cards")}
    carried = {t for c in cards.values() for _, texts in c.sections for t in texts}
    assert acting <= carried
    assert cards["laege"].situation[0].startswith("Ved IT-nedbrud forstås")


def test_the_contact_schedule_covers_every_day_from_midnight_to_midnight(plan: Plan) -> None:
    schedule = contact_schedule(plan)
    assert [d for d, _ in schedule.days] == [
        "Mandag",
        "Tirsdag",
        "Onsdag",
        "Torsdag",
        "Fredag",
        "Lørdag",
        "Søndag",
    ]
    for _, slots in schedule.days:
        assert slots[0].start == MIDNIGHT
        assert slots[-1].end == MIDNIGHT
        assert all(a.end == b.start for a, b in itertools.pairwise(slots))
    thursday = dict(schedule.days)["Torsdag"]
    assert [(s.start, s.end, s.label) for s in thursday] == [
        (MIDNIGHT, time(7), "Beredskabet"),
        (time(7), time(17), "Service Desk"),
        (time(17), time(21), "IT-vagt"),
        (time(21), MIDNIGHT, "Beredskabet"),
    ]
    assert holiday_rule(plan).endswith("følger søndagens tider.")
    assert "2. påskedag" in holiday_rule(plan)


def test_a_plan_line_naming_a_role_the_plan_does_not_have_is_refused() -> None:
    text = DEFAULT_PLAN.read_text(encoding="utf-8").replace(
        'roles = ["medarbejder"]', 'roles = ["vikar"]', 1
    )
    with pytest.raises(PlanInvalid, match=r"lines\[\d+\]\.roles: 'vikar'"):
        load_plan(text)
