"""Kontaktoplysninger: Service Desk in working hours, IT-vagt in its hours, beredskabet otherwise.

Times are the plan's local time (Europe/Copenhagen); 2026-03-02 is a Monday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.contacts import contact_now
from domain.holidays import danish_holidays, easter_sunday
from domain.plan import Contact, Plan, load_plan
from service.runtime.plan_file import DEFAULT_PLAN

CPH = ZoneInfo("Europe/Copenhagen")
SD, VAGT, BER = Contact.SERVICE_DESK, Contact.IT_VAGT, Contact.BEREDSKAB
MON, THU, FRI, SAT, SUN = (
    date(2026, 3, 2),
    date(2026, 3, 5),
    date(2026, 3, 6),
    date(2026, 3, 7),
    date(2026, 3, 8),
)
ONE_SECOND = timedelta(seconds=1)


def local(day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm, ss), tzinfo=CPH)


# (day, boundary, channel just before, channel from the boundary on): every edge of the table.
BOUNDARIES = [
    *[(MON + timedelta(days=n), (7, 0), BER, SD) for n in range(3)],
    *[(MON + timedelta(days=n), (15, 30), SD, VAGT) for n in range(3)],
    *[(MON + timedelta(days=n), (21, 0), VAGT, BER) for n in range(3)],
    (THU, (7, 0), BER, SD),
    (THU, (17, 0), SD, VAGT),
    (THU, (21, 0), VAGT, BER),
    (FRI, (7, 0), BER, SD),
    (FRI, (13, 30), SD, VAGT),
    (FRI, (18, 0), VAGT, BER),
    (SAT, (8, 0), BER, VAGT),
    (SAT, (16, 0), VAGT, BER),
    (SUN, (8, 0), BER, VAGT),
    (SUN, (16, 0), VAGT, BER),
]


@pytest.mark.parametrize(
    ("day", "boundary", "before", "after"),
    BOUNDARIES,
    ids=[f"{d:%a}-{h:02d}{m:02d}" for d, (h, m), _, _ in BOUNDARIES],
)
def test_all_alarms_go_to_the_channel_whose_hours_it_is_on_both_sides_of_each_boundary(
    plan: Plan, day: date, boundary: tuple[int, int], before: Contact, after: Contact
) -> None:
    at = local(day, *boundary)
    assert contact_now(at - ONE_SECOND, plan).channel is before
    answer = contact_now(at, plan)
    assert answer.channel is after
    assert answer.valid_from == at
    assert contact_now(at - ONE_SECOND, plan).valid_until == at


def test_thursday_17_00_is_it_vagt_and_16_59_59_is_the_service_desk(plan: Plan) -> None:
    desk = contact_now(local(THU, 16, 59, 59), plan)
    assert (desk.channel, desk.phone, desk.label) == (SD, "87 87 41 99", "Service Desk")
    assert desk.rule == "Service Desk: torsdag 07:00-17:00"
    vagt = contact_now(local(THU, 17), plan)
    assert (vagt.channel, vagt.phone) == (VAGT, "87 87 41 99")
    assert vagt.valid_until == local(THU, 21)


def test_at_all_other_times_beredskabet_answers_on_87_87_87_87(plan: Plan) -> None:
    night = contact_now(local(THU, 23, 30), plan)
    assert (night.channel, night.phone) == (BER, "87 87 87 87")
    assert night.valid_from == local(THU, 21)
    assert night.valid_until == local(FRI, 7)
    assert "andre tidspunkter" in night.rule


def test_a_saturday_night_answer_holds_until_the_it_vagt_opens_on_sunday(plan: Plan) -> None:
    answer = contact_now(local(SAT, 20), plan)
    assert answer.channel is BER
    assert answer.valid_until == local(SUN, 8)
    assert answer.day_kind == "weekend"


def test_spring_forward_night_keeps_wall_clock_hours(plan: Plan) -> None:
    # 2026-03-29: 02:00 CET becomes 03:00 CEST; the night from Saturday 16:00 is 15 hours long.
    sunday = date(2026, 3, 29)
    night = contact_now(local(sunday, 1, 30), plan)
    assert night.channel is BER
    assert night.valid_from == local(date(2026, 3, 28), 16)
    assert night.valid_until == local(sunday, 8)
    assert night.valid_until == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)  # 08:00 CEST: 15 hours
    assert contact_now(local(sunday, 8), plan).channel is VAGT


def test_fall_back_night_keeps_wall_clock_hours(plan: Plan) -> None:
    # 2026-10-25: 03:00 CEST becomes 02:00 CET; the night from Saturday 16:00 is 17 hours long.
    sunday = date(2026, 10, 25)
    first_two_thirty = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second_two_thirty = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET
    for at in (first_two_thirty, second_two_thirty):
        answer = contact_now(at, plan)
        assert answer.channel is BER
        assert answer.valid_until == local(sunday, 8)
    night = contact_now(first_two_thirty, plan)
    assert night.valid_from == local(date(2026, 10, 24), 16)
    assert night.valid_until == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)  # 08:00 CET: 17 hours
    assert contact_now(local(sunday, 15, 59, 59), plan).channel is VAGT
    assert contact_now(local(sunday, 16), plan).channel is BER


def test_a_public_holiday_follows_the_weekend_hours_and_says_so(plan: Plan) -> None:
    ascension = date(2026, 5, 14)  # Kristi himmelfartsdag, a Thursday
    assert ascension.weekday() == 3
    morning = contact_now(local(ascension, 7, 30), plan)
    assert morning.channel is BER  # no Service Desk on a holiday; the IT-vagt opens at 08:00
    assert morning.valid_until == local(ascension, 8)
    day = contact_now(local(ascension, 10), plan)
    assert day.channel is VAGT
    assert day.day_kind == "holiday"
    assert day.holiday == "kristi-himmelfartsdag"
    assert "helligdag" in day.rule
    assert day.valid_until == local(ascension, 16)


def test_a_municipality_can_keep_weekday_hours_on_holidays() -> None:
    text = DEFAULT_PLAN.read_text(encoding="utf-8").replace('follow = "sun"', 'follow = "own-day"')
    own_hours = load_plan(text)
    answer = contact_now(local(date(2026, 5, 14), 10), own_hours)
    assert answer.channel is SD
    assert answer.holiday == "kristi-himmelfartsdag"


def test_christmas_eve_is_a_working_day_unless_the_plan_observes_it(plan: Plan) -> None:
    eve = local(date(2026, 12, 24), 10)
    assert contact_now(eve, plan).channel is SD
    text = DEFAULT_PLAN.read_text(encoding="utf-8").replace(
        'observed = ["nytaarsdag",', 'observed = ["juleaftensdag", "nytaarsdag",'
    )
    assert contact_now(eve, load_plan(text)).channel is VAGT


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
    ],
)
def test_easter_and_the_holidays_that_hang_on_it_are_computed(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter
    holidays = danish_holidays(year)
    assert holidays[easter - timedelta(days=2)] == "langfredag"
    assert holidays[easter + timedelta(days=39)] == "kristi-himmelfartsdag"
    assert holidays[easter + timedelta(days=50)] == "2-pinsedag"


def test_store_bededag_stopped_being_a_holiday_after_2023() -> None:
    assert "store-bededag" in danish_holidays(2023).values()
    assert "store-bededag" not in danish_holidays(2024).values()


# An independent oracle: read the plan's table on the wall clock, one instant at a time.
TABLE = {
    0: [(SD, "07:00", "15:30"), (VAGT, "15:30", "21:00")],
    3: [(SD, "07:00", "17:00"), (VAGT, "17:00", "21:00")],
    4: [(SD, "07:00", "13:30"), (VAGT, "13:30", "18:00")],
    5: [(VAGT, "08:00", "16:00")],
}
TABLE[1] = TABLE[2] = TABLE[0]
TABLE[6] = TABLE[5]
OBSERVED = {
    "nytaarsdag",
    "skaertorsdag",
    "langfredag",
    "paaskedag",
    "2-paaskedag",
    "kristi-himmelfartsdag",
    "pinsedag",
    "2-pinsedag",
    "juledag",
    "2-juledag",
}


def oracle(at: datetime) -> Contact:
    wall = at.astimezone(CPH)
    holiday = danish_holidays(wall.year).get(wall.date()) in OBSERVED
    clock = f"{wall:%H:%M:%S}"
    matching = [
        channel
        for channel, start, end in TABLE[6 if holiday else wall.weekday()]
        if start <= clock < end
    ]
    assert len(matching) <= 1
    return matching[0] if matching else BER


instants = st.datetimes(
    min_value=datetime(2026, 1, 1),
    max_value=datetime(2026, 12, 31, 23, 59, 59),
    timezones=st.just(UTC),
)


@settings(max_examples=400, deadline=None)
@given(at=instants)
def test_every_instant_of_a_year_maps_to_exactly_one_channel_until_the_next_change(
    plan: Plan, at: datetime
) -> None:
    answer = contact_now(at, plan)
    assert answer.channel is oracle(at)
    assert answer.valid_from is not None
    assert answer.valid_until is not None
    assert answer.valid_from <= at < answer.valid_until
    assert oracle(answer.valid_until) is not answer.channel
    assert oracle(answer.valid_until - timedelta(microseconds=1)) is answer.channel
    assert oracle(answer.valid_from) is answer.channel
    assert oracle(answer.valid_from - timedelta(microseconds=1)) is not answer.channel
    middle = at + (answer.valid_until - at) / 2
    assert oracle(middle) is answer.channel
