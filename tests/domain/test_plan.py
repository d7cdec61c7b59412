"""The plan as data: the seed's plan ships as the default, and a broken plan file is refused."""

from __future__ import annotations

from datetime import date

import pytest

from domain.incident import EVENT_TYPES as INCIDENT_EVENTS
from domain.manual_record import EVENT_TYPES as RECORD_EVENTS
from domain.plan import Contact, Plan, PlanInvalid, load_plan
from domain.unit import EVENT_TYPES as UNIT_EVENTS
from service.runtime.plan_file import DEFAULT_PLAN

KNOWN_STEPS = {*INCIDENT_EVENTS, *RECORD_EVENTS, *UNIT_EVENTS}


def test_the_default_plan_is_the_seed_approved_by_the_socialchef_on_15_november_2021(
    plan: Plan,
) -> None:
    assert plan.version == 1
    assert plan.file.written == "2021-09"
    assert plan.file.approved_on == date(2021, 11, 15)
    assert plan.file.approved_by.startswith("Socialchef")
    assert [c.channel for c in plan.file.contacts] == [Contact.SERVICE_DESK, Contact.IT_VAGT]
    assert plan.file.fallback.phone == "87 87 87 87"
    assert "Midt Jysk Brand og Redning" in plan.file.fallback.note


def test_every_step_a_plan_line_names_is_an_event_the_service_records(plan: Plan) -> None:
    named = {step for line in plan.file.lines for step in line.steps}
    assert named <= KNOWN_STEPS
    # and the plan's own duties are all there, in the plan's words
    texts = " ".join(line.text for line in plan.file.lines)
    for phrase in (
        "informerer straks sine kollegaer",
        "Nærmeste leder informeres ved først givne lejlighed",
        "opdateret udprintet medicinliste",
        "Borgerens læge kontaktes",
        "isoleret til en enkelt enhed",
        "drøftes dette med nærmeste leder",
        "Kommunikationsafdelingen skal inddrages",
    ):
        assert phrase in texts


def test_every_step_the_service_records_has_one_name_in_the_plan(plan: Plan) -> None:
    assert set(plan.file.steps) == KNOWN_STEPS
    assert plan.file.steps["staffing-decided"] == "Bemanding besluttet"


def plan_text(old: str, new: str) -> str:
    text = DEFAULT_PLAN.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ('hours.thu = ["07:00-17:00"]', 'hours.thu = ["07:00-17:30"]', "hours.thu"),
        ('hours.mon = ["07:00-15:30"]', 'hours.mon = ["15:30-07:00"]', "contacts[0].hours.mon"),
        ('hours.mon = ["07:00-15:30"]', 'hours.mon = ["7-15"]', "contacts[0].hours.mon"),
        ('hours.sat = ["08:00-16:00"]', 'hours.sa = ["08:00-16:00"]', "contacts[1].hours"),
        ("[fallback]", "[fallback\n", "line 37"),
        ('observed = ["nytaarsdag",', 'observed = ["sankthans",', "holidays.observed"),
        ('timezone = "Europe/Copenhagen"', 'timezone = "Europe/Atlantis"', "timezone"),
        ("version = 1\n", 'version = "one"\n', "version"),
        ('slug = "fmk"', 'slug = "nexus"', "catalogue.systems[1].slug"),
        ('slug = "bosted-aahuset"', 'slug = "Bosted Åhuset"', "catalogue.units[2].slug"),
        ('name = "Intranettet"', 'name = " "', "catalogue.systems[3].name"),
        (
            '[[catalogue.units]]\nslug = "botilbud-solsikken"',
            '[[catalogue.units]]\nslug = "x"\nkind = 1',
            "kind",
        ),
        (
            'staffing-decided = "Bemanding besluttet"',
            'staffing-decided = ""',
            "steps.staffing-decided",
        ),
        ('text = "Note"', 'text = "  "', "forms.note-added.text"),
    ],
)
def test_a_broken_plan_file_is_refused_naming_the_field(old: str, new: str, named: str) -> None:
    with pytest.raises(PlanInvalid, match=named.replace("[", r"\[").replace("]", r"\]")):
        load_plan(plan_text(old, new))


def test_another_municipality_brings_its_own_numbers_and_hours() -> None:
    other = load_plan(
        plan_text('phone = "87 87 41 99"', 'phone = "11 22 33 44"').replace(
            "version = 1", "version = 2"
        )
    )
    assert other.version == 2
    assert other.file.contacts[0].phone == "11 22 33 44"
