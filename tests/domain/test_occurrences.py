"""Each item happens at each of its times on each of its days, on the plan's wall clock.

2026-03-29 and 2026-10-25 are the last Sundays of March and October (daylight-saving changes);
2026-05-14 is Kristi himmelfartsdag, a Thursday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import msgspec
import pytest

from domain.emergency_list import ListCitizen
from domain.holidays import danish_holidays
from domain.manual_record import Citizen
from domain.occurrences import Occurrence, expand, occurrence_id, wall_instant
from domain.rounds import Outage, rounds
from tests.domain.nodliste import (
    AASE,
    CITIZENS,
    CPH,
    SOLSIKKEN,
    UNIT,
    WEEKDAYS,
    care,
    citizen,
    local,
    medicine,
    occ,
    published,
)
from tests.domain.people import ANNE

SPRING_FORWARD, FALL_BACK = date(2026, 3, 29), date(2026, 10, 25)
HIMMELFART = date(2026, 5, 14)
NIGHT_AND_MORNING = (
    citizen(
        AASE,
        "Aase Testesen",
        medicine("nat", "Pinex", "1 g", "02:30"),
        medicine("insulin-morgen", "NovoRapid", "8 IE", "08:00", vital=True),
    ),
)


def that_day(day: date, citizens: tuple[ListCitizen, ...] = NIGHT_AND_MORNING) -> list[Occurrence]:
    start = datetime.combine(day, time(0), tzinfo=CPH)
    found = expand(published(citizens).current, start, start + timedelta(days=1), CPH)
    return sorted((o for o in found if o.local_date == day), key=lambda o: o.due_at)


def utc(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=UTC)


def test_08_00_on_the_last_sunday_of_march_is_08_00_summer_time() -> None:
    (_, morning) = that_day(SPRING_FORWARD)
    assert morning.due_at == utc(SPRING_FORWARD, 6)
    assert morning.due_at.astimezone(CPH).utcoffset() == timedelta(hours=2)


def test_08_00_on_the_last_sunday_of_october_is_08_00_winter_time() -> None:
    (_, morning) = that_day(FALL_BACK)
    assert morning.due_at == utc(FALL_BACK, 7)
    assert morning.due_at.astimezone(CPH).utcoffset() == timedelta(hours=1)


def test_02_30_on_the_spring_forward_day_happens_at_03_00_summer_time() -> None:
    (night, _) = that_day(SPRING_FORWARD)
    assert night.due_at == utc(SPRING_FORWARD, 1)
    assert night.due_at.astimezone(CPH).strftime("%H:%M %Z") == "03:00 CEST"
    assert (night.due_from, night.due_until) == (
        utc(SPRING_FORWARD, 0, 30),
        utc(SPRING_FORWARD, 1, 30),
    )
    assert night.local_time == "02:30"


def test_02_30_on_the_fall_back_day_happens_once_at_the_first_02_30() -> None:
    night = [o for o in that_day(FALL_BACK) if o.item_id == "nat"]
    assert len(night) == 1
    assert night[0].due_at == utc(FALL_BACK, 0, 30)
    assert night[0].due_at.astimezone(CPH).strftime("%H:%M %Z") == "02:30 CEST"


@pytest.mark.parametrize("day", [SPRING_FORWARD, FALL_BACK, date(2026, 3, 5)])
def test_each_item_happens_once_at_each_of_its_times_on_every_day_of_the_year(day: date) -> None:
    assert [o.item_id for o in that_day(day)] == ["nat", "insulin-morgen"]


def test_the_first_instant_the_wall_clock_shows_a_time_is_found_to_the_second() -> None:
    assert wall_instant(SPRING_FORWARD, time(2, 0), CPH) == utc(SPRING_FORWARD, 1)
    assert wall_instant(SPRING_FORWARD, time(1, 59), CPH) == utc(SPRING_FORWARD, 0, 59)
    assert wall_instant(FALL_BACK, time(3, 0), CPH) == utc(FALL_BACK, 2)


def test_a_weekdays_only_item_happens_on_a_public_holiday_that_falls_on_a_weekday() -> None:
    assert danish_holidays(2026)[HIMMELFART] == "kristi-himmelfartsdag"
    bath = (citizen(AASE, "Aase Testesen", care("bad", "Bad", "10:00", days=WEEKDAYS)),)
    assert [o.local_time for o in that_day(HIMMELFART, bath)] == ["10:00"]
    assert that_day(HIMMELFART + timedelta(days=2), bath) == []  # Saturday


def test_weekday_care_happens_on_weekdays_and_daily_care_every_day() -> None:
    thursday = {(o.citizen_ref, o.item_id) for o in that_day(date(2026, 3, 5), CITIZENS)}
    saturday = {(o.citizen_ref, o.item_id) for o in that_day(date(2026, 3, 7), CITIZENS)}
    assert thursday - saturday == {
        ("cit_bent", "morgenhjaelp"),
        ("cit_carla", "bad"),
        ("cit_ejnar", "morgenhjaelp"),
        ("cit_gunnar", "tilsyn"),
    }
    assert ("cit_ejnar", "aftenhjaelp") in saturday


def test_an_occurrence_id_is_the_same_in_every_version_of_the_list_and_names_no_one() -> None:
    emergency_list = published()
    outage = Outage(local(date(2026, 3, 5), 6, 45))
    first = rounds(emergency_list.current, [], outage, local(date(2026, 3, 5), 7), CPH)
    emergency_list.replace(SOLSIKKEN.list_as_of, CITIZENS[:1], ANNE, local(date(2026, 3, 5), 7))
    second = rounds(emergency_list.current, [], outage, local(date(2026, 3, 5), 7), CPH)
    assert second.list_version == 2
    kept = {o.occurrence_id for o in second.occurrences}
    assert kept <= {o.occurrence_id for o in first.occurrences}
    assert occ(AASE, "insulin-morgen", date(2026, 3, 5), "08:00") in kept
    renamed = (msgspec.structs.replace(CITIZENS[0], citizen=Citizen(cpr="0202800000", name="X")),)
    third = expand(published(renamed).current, first.start, first.end, CPH)
    assert {o.occurrence_id for o in third} == kept  # nothing personal goes into the id
    assert len({o.occurrence_id for o in first.occurrences}) == len(first.occurrences)
    assert occurrence_id(UNIT, AASE, "insulin-morgen", date(2026, 3, 6), "08:00") != occ(
        AASE, "insulin-morgen", date(2026, 3, 5), "08:00"
    )


def test_when_the_clock_shows_02_45_a_second_time_the_02_30_dose_is_already_overdue() -> None:
    night_list = published(NIGHT_AND_MORNING).current
    outage = Outage(utc(FALL_BACK, 0))  # 02:00 CEST
    first_pass, second_pass = utc(FALL_BACK, 0, 45), utc(FALL_BACK, 1, 45)  # 02:45 CEST, CET
    assert first_pass.astimezone(CPH).strftime("%H:%M") == "02:45"
    assert second_pass.astimezone(CPH).strftime("%H:%M") == "02:45"
    statuses = [
        next(o.status for o in rounds(night_list, [], outage, moment, CPH).occurrences)
        for moment in (first_pass, second_pass)
    ]
    assert statuses == ["due", "overdue"]
