"""Records account for occurrences; paper entered hours late and in any order gives one answer.

No dose is given twice by mistake: a dispensing for a dose already given needs a confirmed reason.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid5

import pytest
from hypothesis import given as hypothesis_given
from hypothesis import settings
from hypothesis import strategies as st

from domain.manual_record import CareStatus
from domain.matching import Outcome, RoundRecord
from domain.occurrences import Status
from domain.rounds import Outage, Rounds, check_repeat_dose, rounds
from domain.rounds_errors import AlreadyGiven, RepeatNeedsReason
from tests.domain.nodliste import (
    AASE,
    BENT,
    CARLA,
    CPH,
    EJNAR,
    FRIDA,
    INSULIN,
    SOLSIKKEN,
    THU,
    citizen,
    given,
    local,
    medicine,
    occ,
    published,
    refused,
    visit,
)
from tests.domain.people import INCIDENT_ID

OUTAGE = Outage(local(THU, 6, 45))
NOON = local(THU, 12)
MORNING_INSULIN = occ(AASE, "insulin-morgen", THU, "08:00")


def at_noon(*records: RoundRecord) -> Rounds:
    return rounds(SOLSIKKEN, records, OUTAGE, NOON, CPH)


def status(result: Rounds, ref: str, item_id: str, time: str) -> tuple[Status, object]:
    found = result.by_id(occ(ref, item_id, THU, time))
    assert found is not None
    return found.status, found.record_id


def test_a_record_naming_its_occurrence_accounts_for_it_even_outside_its_window() -> None:
    late = given(1, AASE, INSULIN, local(THU, 9, 40), MORNING_INSULIN)
    assert status(at_noon(late), AASE, "insulin-morgen", "08:00") == (Status.GIVEN, late.record_id)


def test_a_record_without_one_accounts_for_the_same_medication_whose_window_holds_its_time() -> (
    None
):
    lower_case = given(1, AASE, "  novorapid ", local(THU, 7, 45))
    result = at_noon(lower_case)
    assert status(result, AASE, "insulin-morgen", "08:00") == (Status.GIVEN, lower_case.record_id)
    assert result.unmatched == ()


def test_a_record_accounts_for_the_earliest_open_occurrence_when_windows_overlap() -> None:
    twice = (citizen(AASE, "Aase Testesen", medicine("pn", "Pamol", "1 tabl.", "08:00", "08:30")),)
    first, second = (
        given(1, AASE, "Pamol", local(THU, 8, 25)),
        given(2, AASE, "Pamol", local(THU, 8, 20)),
    )
    result = rounds(published(twice).current, [first, second], OUTAGE, NOON, CPH)
    assert status(result, AASE, "pn", "08:00") == (Status.GIVEN, second.record_id)
    assert status(result, AASE, "pn", "08:30") == (Status.GIVEN, first.record_id)


@pytest.mark.parametrize("outcome", [Outcome.REFUSED, Outcome.NOT_GIVEN])
def test_a_dose_refused_or_not_given_accounts_for_it_as_missed(outcome: Outcome) -> None:
    record = refused(1, FRIDA, "D-vitamin", local(THU, 9, 5), outcome)
    result = at_noon(record)
    assert status(result, FRIDA, "vitamin", "09:00") == (Status.MISSED, record.record_id)
    assert (result.counts.missed, result.counts.overdue) == (1, 7)


def test_a_missed_visit_is_missed_and_a_partly_delivered_one_counts_as_given() -> None:
    missed = visit(1, EJNAR, "morgenhjælp", local(THU, 7, 50), CareStatus.MISSED)
    partly = visit(2, CARLA, "Bad", local(THU, 10, 10), CareStatus.PARTLY)
    result = at_noon(missed, partly)
    assert status(result, EJNAR, "morgenhjaelp", "07:30")[0] is Status.MISSED
    assert status(result, CARLA, "bad", "10:00")[0] is Status.GIVEN


def test_a_dose_refused_at_first_and_taken_later_in_the_window_counts_as_given() -> None:
    no, yes = (
        refused(1, BENT, "Paracetamol", local(THU, 7, 35)),
        given(2, BENT, "Paracetamol", local(THU, 8, 20)),
    )
    result = at_noon(yes, no)
    assert status(result, BENT, "smertestillende", "08:00") == (Status.GIVEN, yes.record_id)
    found = result.by_id(occ(BENT, "smertestillende", THU, "08:00"))
    assert found is not None
    assert found.record_ids == (no.record_id, yes.record_id)
    assert found.accounted_at == local(THU, 8, 20)


def test_a_record_that_fits_no_occurrence_stands_alone_and_is_never_lost() -> None:
    outside = given(1, AASE, INSULIN, local(THU, 10))  # no insulin due at 10:00
    stranger = given(2, "cit_not_on_the_list", INSULIN, local(THU, 8))
    other_medicine = given(3, AASE, "Panodil", local(THU, 8))
    unknown_id = given(
        4, BENT, "Paracetamol", local(THU, 8), occ(BENT, "smertestillende", THU, "03:00")
    )
    result = at_noon(stranger, outside, other_medicine, unknown_id)
    assert set(result.unmatched) == {stranger, other_medicine, outside}
    # An occurrence id that names nothing is matched like a record without one.
    assert status(result, BENT, "smertestillende", "08:00") == (Status.GIVEN, unknown_id.record_id)


def test_a_voided_record_accounts_for_nothing() -> None:
    void = RoundRecord.dispensing(
        uuid5(INCIDENT_ID, "v"), AASE, INSULIN, local(THU, 8), voided=True
    )
    result = at_noon(void)
    assert status(result, AASE, "insulin-morgen", "08:00") == (Status.OVERDUE, None)
    assert result.unmatched == ()


def test_a_care_record_never_accounts_for_a_medication() -> None:
    odd = RoundRecord.care(
        uuid5(INCIDENT_ID, "c"), AASE, INSULIN, CareStatus.DELIVERED, local(THU, 8), MORNING_INSULIN
    )
    result = at_noon(odd)
    assert status(result, AASE, "insulin-morgen", "08:00")[0] is Status.OVERDUE
    assert result.unmatched == (odd,)


def paper(n: int, ref: str, name: str, hh: int, mm: int) -> RoundRecord:
    return given(n, ref, name, local(THU, hh, mm))


MORNING_PAPER = [
    paper(1, AASE, INSULIN, 8, 5),
    paper(2, AASE, INSULIN, 8, 10),  # a second dose in the same window: stands alone
    paper(3, BENT, "Paracetamol", 7, 40),
    paper(4, BENT, "paracetamol", 8, 20),  # a twin of 3 in the same window
    refused(5, CARLA, "Keppra", local(THU, 7, 55)),
    paper(6, CARLA, "Keppra", 8, 5),
    visit(7, BENT, "Morgenhjælp", local(THU, 7, 30)),
    visit(8, EJNAR, "Morgenhjælp", local(THU, 7, 30), CareStatus.MISSED),
    given(9, AASE, INSULIN, local(THU, 11, 55), occ(AASE, "insulin-middag", THU, "12:00")),
    paper(10, AASE, INSULIN, 12, 0),
]


@settings(max_examples=60, deadline=None)
@hypothesis_given(st.permutations(MORNING_PAPER), st.lists(st.sampled_from(MORNING_PAPER)))
def test_records_arriving_hours_late_and_out_of_order_give_the_same_rounds(
    arrived: list[RoundRecord], delivered_twice: list[RoundRecord]
) -> None:
    assert at_noon(*arrived, *delivered_twice) == at_noon(*MORNING_PAPER)


def test_the_same_morning_entered_in_the_evening_gives_the_same_rounds() -> None:
    evening = rounds(SOLSIKKEN, MORNING_PAPER, OUTAGE, NOON, CPH)
    assert (evening.counts.given, evening.counts.missed) == (5, 1)
    assert {r.record_id for r in evening.unmatched} == {
        MORNING_PAPER[1].record_id,
        MORNING_PAPER[3].record_id,
        MORNING_PAPER[9].record_id,
    }


def test_a_second_dose_for_an_occurrence_already_given_is_refused_saying_when_and_which() -> None:
    first = given(1, AASE, INSULIN, local(THU, 8, 5))
    result = at_noon(first)
    again = given(2, AASE, INSULIN, local(THU, 8, 20), MORNING_INSULIN)
    with pytest.raises(AlreadyGiven) as refusal:
        check_repeat_dose(result, again, confirm_repeat=False, reason=None)
    assert refusal.value.slug == "already-given"
    assert (refusal.value.given_at, refusal.value.given_record_id) == (
        first.occurred_at,
        first.record_id,
    )
    without_id = given(3, AASE, "NOVORAPID", local(THU, 8, 25))
    with pytest.raises(AlreadyGiven):
        check_repeat_dose(result, without_id, confirm_repeat=False, reason=None)


def test_a_repeat_confirmed_with_a_reason_is_allowed_and_without_one_is_not() -> None:
    result = at_noon(given(1, AASE, INSULIN, local(THU, 8, 5)))
    again = given(2, AASE, INSULIN, local(THU, 8, 20), MORNING_INSULIN)
    with pytest.raises(RepeatNeedsReason):
        check_repeat_dose(result, again, confirm_repeat=True, reason="  ")
    target = check_repeat_dose(result, again, confirm_repeat=True, reason="kastede dosis op")
    assert target is not None
    assert target.occurrence_id == MORNING_INSULIN


def test_a_first_dose_or_a_refusal_is_no_repeat() -> None:
    result = at_noon(given(1, AASE, INSULIN, local(THU, 8, 5)))
    first_midday = given(2, AASE, INSULIN, local(THU, 11, 50))
    target = check_repeat_dose(result, first_midday, confirm_repeat=False, reason=None)
    assert target is not None
    assert target.occurrence_id == occ(AASE, "insulin-middag", THU, "12:00")
    no = refused(3, AASE, INSULIN, local(THU, 8, 20))
    assert check_repeat_dose(result, no, False, None) is not None
    alone = given(4, AASE, INSULIN, local(THU, 10) + timedelta(minutes=1))
    assert check_repeat_dose(result, alone, False, None) is None
