"""Runderne: a whole Thursday at Botilbud Solsikken without the care journal, minute by minute.

Nexus and FMK go down at 06:45; the carers give and record on paper, some of it late.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.emergency_list import ItemKind
from domain.errors import WaiverNeedsLeader
from domain.manual_record import CareStatus
from domain.matching import RoundRecord
from domain.occurrences import Status
from domain.rounds import (
    Counts,
    Outage,
    Rounds,
    accounted,
    check_rounds_allow_close,
    rounds,
    rounds_from,
)
from domain.rounds_errors import VitalNeedsUnaccounted
from tests.domain.nodliste import (
    AASE,
    BENT,
    CARLA,
    CPH,
    DORIT,
    EJNAR,
    FRIDA,
    GUNNAR,
    HELLE,
    INSULIN,
    SOLSIKKEN,
    THU,
    given,
    local,
    occ,
    refused,
    visit,
)
from tests.domain.people import ANNE, nexus_and_fmk_down, restore_all

DETECTED = local(THU, 6, 45)
OUTAGE = Outage(DETECTED)
DAY: list[RoundRecord] = [
    given(1, AASE, "novorapid", local(THU, 8, 5)),
    visit(2, BENT, "Morgenhjælp", local(THU, 7, 40)),
    given(3, BENT, "Paracetamol", local(THU, 8, 25)),
    given(4, DORIT, "Metformin", local(THU, 8, 28)),
    given(5, CARLA, "Keppra", local(THU, 8, 25), occ(CARLA, "epilepsi", THU, "08:00")),
    refused(6, FRIDA, "D-vitamin", local(THU, 9, 10)),
    visit(7, CARLA, "Bad", local(THU, 10, 5), CareStatus.PARTLY),
    given(8, AASE, INSULIN, local(THU, 12, 25)),
    visit(9, GUNNAR, "Tilsyn", local(THU, 13, 10)),
    given(10, BENT, "Paracetamol", local(THU, 14, 0)),
    given(11, AASE, INSULIN, local(THU, 18, 10)),
    given(12, DORIT, "Metformin", local(THU, 18, 5)),
    given(13, BENT, "Paracetamol", local(THU, 20, 0)),
    given(14, CARLA, "Keppra", local(THU, 20, 5)),
    visit(15, EJNAR, "Aftenhjælp", local(THU, 21, 15)),
]


def at(hh: int, mm: int = 0) -> Rounds:
    """The rounds at hh:mm, with the records of what had been done by then."""
    moment = local(THU, hh, mm)
    return rounds(SOLSIKKEN, [r for r in DAY if r.occurred_at <= moment], OUTAGE, moment, CPH)


def lines(result: Rounds) -> list[tuple[str, str, str, Status]]:
    return [(o.citizen_ref, o.item_id, o.local_time, o.status) for o in result.occurrences]


def test_at_07_00_only_the_morning_help_is_due_and_the_day_ahead_is_upcoming() -> None:
    result = at(7)
    assert result.counts == Counts(upcoming=11, due=2)
    assert lines(result)[:2] == [
        (BENT, "morgenhjaelp", "07:30", Status.DUE),
        (EJNAR, "morgenhjaelp", "07:30", Status.DUE),
    ]
    assert result.end == local(THU, 19)  # twelve hours ahead: the 22:00 sleeping pill not yet


def test_at_08_20_the_late_vital_dose_comes_first_then_late_help_then_what_is_due() -> None:
    assert lines(at(8, 20))[:7] == [
        (CARLA, "epilepsi", "08:00", Status.OVERDUE),
        (EJNAR, "morgenhjaelp", "07:30", Status.OVERDUE),
        (BENT, "smertestillende", "08:00", Status.DUE),
        (DORIT, "metformin", "08:00", Status.DUE),
        (FRIDA, "vitamin", "09:00", Status.UPCOMING),
        (CARLA, "bad", "10:00", Status.UPCOMING),
        (AASE, "insulin-middag", "12:00", Status.UPCOMING),
    ]
    assert at(8, 20).counts == Counts(upcoming=9, due=2, overdue=2, overdue_vital=1, given=2)
    assert lines(at(8, 20))[-2:] == [
        (BENT, "morgenhjaelp", "07:30", Status.GIVEN),
        (AASE, "insulin-morgen", "08:00", Status.GIVEN),
    ]


def test_at_12_20_the_midday_insulin_is_due_first_and_the_morning_is_accounted_for() -> None:
    result = at(12, 20)
    assert lines(result)[:2] == [
        (EJNAR, "morgenhjaelp", "07:30", Status.OVERDUE),
        (AASE, "insulin-middag", "12:00", Status.DUE),
    ]
    assert result.counts == Counts(upcoming=8, due=1, overdue=1, given=6, missed=1)
    assert lines(result)[-1] == (FRIDA, "vitamin", "09:00", Status.MISSED)
    assert result.by_id(occ(CARLA, "bad", THU, "10:00")).status is Status.GIVEN  # type: ignore[union-attr]


def test_late_in_the_evening_only_what_was_never_recorded_is_overdue() -> None:
    result = at(23, 30)
    overdue = [line for line in lines(result) if line[3] is Status.OVERDUE]
    assert overdue == [
        (EJNAR, "morgenhjaelp", "07:30", Status.OVERDUE),
        (HELLE, "sovemedicin", "22:00", Status.OVERDUE),
    ]
    assert result.counts.given == 15 - 1  # every record but the refused vitamin
    assert result.counts.overdue_vital == 0
    assert result.unmatched == ()


def test_an_occurrence_still_due_when_the_outage_is_found_is_part_of_the_rounds() -> None:
    found_late = Outage(local(THU, 8, 20))
    result = rounds(SOLSIKKEN, [], found_late, local(THU, 8, 20), CPH)
    morning = {
        (o.citizen_ref, o.item_id) for o in result.occurrences if o.due_at < found_late.detected_at
    }
    assert morning == {  # their windows reach past 08:20
        (AASE, "insulin-morgen"),
        (BENT, "smertestillende"),
        (DORIT, "metformin"),
    }
    # Carla's window closed at 08:15 and the morning help's too: before the outage was known.
    assert (CARLA, "epilepsi", "08:00") not in {line[:3] for line in lines(result)}


def test_once_closed_the_rounds_end_at_the_close() -> None:
    closed = Outage(DETECTED, closed_at=local(THU, 13))
    result = rounds(SOLSIKKEN, DAY, closed, local(THU, 23, 30), CPH)
    assert result.end == local(THU, 13)
    assert max(o.due_at for o in result.occurrences) < local(THU, 13)
    # Gunnar's 13:00 visit was after the close, so its record and later ones stand alone.
    after = sorted(DAY[8:], key=lambda r: r.occurred_at)
    assert [r.record_id for r in result.unmatched] == [r.record_id for r in after]


def test_a_medication_summary_is_personal_and_the_help_is_not() -> None:
    result = at(7)
    insulin = result.by_id(occ(AASE, "insulin-morgen", THU, "08:00"))
    bath = result.by_id(occ(CARLA, "bad", THU, "10:00"))
    assert insulin is not None
    assert bath is not None
    assert (insulin.kind, insulin.summary, insulin.summary_is_personal) == (
        ItemKind.MEDICATION,
        "NovoRapid 8 IE",
        True,
    )
    assert (bath.kind, bath.summary, bath.summary_is_personal) == (ItemKind.CARE, "Bad", False)
    assert insulin.vital
    assert not bath.vital
    assert insulin.due_from == insulin.due_at - timedelta(minutes=30)


def test_closing_with_a_vital_dose_overdue_needs_a_leaders_waiver() -> None:
    late = at(8, 20)
    with pytest.raises(VitalNeedsUnaccounted) as refused:
        check_rounds_allow_close([late], waiver_reason=None, waived_by_leader=False)
    assert (refused.value.slug, refused.value.overdue) == ("vital-needs-unaccounted", 1)
    with pytest.raises(WaiverNeedsLeader):
        check_rounds_allow_close(
            [late], waiver_reason="givet, ikke noteret", waived_by_leader=False
        )
    check_rounds_allow_close([late], waiver_reason="givet, ikke noteret", waived_by_leader=True)


def test_a_vital_dose_still_due_or_accounted_for_does_not_hold_up_the_close() -> None:
    check_rounds_allow_close([at(7), at(12, 20), at(23, 30)], None, waived_by_leader=False)


def test_the_rounds_are_worked_out_at_the_time_they_are_given_and_never_naive() -> None:
    naive = datetime(2026, 3, 5, 8)
    with pytest.raises(ValueError, match="aware"):
        rounds(SOLSIKKEN, [], OUTAGE, naive, CPH)
    assert at(8, 20) == at(8, 20)


def test_the_incident_itself_gives_the_span_from_its_detection_to_its_close() -> None:
    incident = nexus_and_fmk_down()  # detected Thursday 14:30
    open_ = rounds(SOLSIKKEN, [], incident, local(THU, 15), CPH)
    assert (open_.start, open_.end) == (local(THU, 14, 30), local(THU, 15) + timedelta(hours=12))
    # Bent's 14:00 dose was due until 14:30, the moment the outage was found: not in the rounds.
    assert min(o.due_at for o in open_.occurrences) == local(THU, 18)
    restore_all(incident)
    incident.close(ANNE, local(THU, 19), None, pending_records=0, waived_by_leader=False)
    closed = rounds(SOLSIKKEN, [], incident, local(THU, 23), CPH)
    assert closed.end == local(THU, 19)


def test_rounds_worked_out_once_give_the_same_rounds_minute_by_minute_as_afresh() -> None:
    # The service keeps the accounting for half an hour of reads: the carer sees what a fresh
    # working-out would show, at every minute of it, open or closed.
    morning = [r for r in DAY if r.occurred_at <= local(THU, 8, 30)]
    for outage in (OUTAGE, Outage(DETECTED, closed_at=local(THU, 13))):
        kept = accounted(SOLSIKKEN, morning, DETECTED, local(THU, 20, 30), CPH)
        for minute in range(0, 31, 5):
            moment = local(THU, 8) + timedelta(minutes=minute)
            assert rounds_from(SOLSIKKEN, kept, outage, moment) == rounds(
                SOLSIKKEN, morning, outage, moment, CPH
            )
        # Past what was worked out, or from another start: worked out afresh.
        assert rounds_from(SOLSIKKEN, kept, OUTAGE, local(THU, 8, 31)) is None
        assert rounds_from(SOLSIKKEN, kept, Outage(local(THU, 7)), local(THU, 8)) is None


def test_a_record_naming_a_later_occurrence_makes_the_kept_rounds_unusable() -> None:
    # A dose recorded for the 20:00 occurrence (a QR code on tomorrow's sheet scanned early) is
    # accounted to it only when 20:00 is in the span: the kept work cannot tell, so None.
    early = [given(20, CARLA, "Keppra", local(THU, 8, 5), occ(CARLA, "epilepsi", THU, "20:00"))]
    kept = accounted(SOLSIKKEN, early, DETECTED, local(THU, 20, 30), CPH)
    assert rounds_from(SOLSIKKEN, kept, OUTAGE, local(THU, 7)) is None
    assert rounds_from(SOLSIKKEN, kept, OUTAGE, local(THU, 8, 10)) == rounds(
        SOLSIKKEN, early, OUTAGE, local(THU, 8, 10), CPH
    )
