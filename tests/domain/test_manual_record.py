"""Manual records: medication dispensed and care delivered on paper, then entered in the journal;
and the botilbud's printed medication list."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from domain.errors import AlreadyEnteredInJournal, BeforeItHappened, RecordVoided
from domain.manual_record import (
    CareStatus,
    Citizen,
    DoctorConsulted,
    ManualRecord,
    Medication,
    RecordKind,
    RecordStatus,
)
from domain.unit import Unit
from tests.domain.people import ANNE, FRI_09_00, INCIDENT_ID, THU_16_00, THU_18_00

RECORD_ID = UUID("00000000-0000-4000-8000-0000000000b1")
CITIZEN = Citizen(cpr="0101700000", name="Synthetic Borger")
PARACETAMOL = Medication(name="Paracetamol", dose="2 tabl.", strength="500 mg", route="oral")


def dispensed(listed_at: object = None) -> ManualRecord:
    return ManualRecord.dispense_medication(
        id=RECORD_ID,
        incident_id=INCIDENT_ID,
        unit="botilbud-solsikken",
        citizen_ref="cit_aaaaaaaaaaaaaaaaaaaaaaaa",
        citizen=CITIZEN,
        medication=PARACETAMOL,
        source_list_printed_at=listed_at,  # type: ignore[arg-type]
        doctor_consulted=DoctorConsulted(doctor="Lægehuset", outcome="giv 1 tabl."),
        note=None,
        by=ANNE,
        occurred_at=THU_16_00,
    )


def rebuilt(record: ManualRecord) -> ManualRecord:
    again: ManualRecord | None = None
    for event in record.collect_events():
        again = event.mutate(again)
    assert again is not None
    return again


def test_medication_dispensing_is_recorded_manually_and_waits_for_the_journal() -> None:
    record = rebuilt(dispensed())
    assert record.kind is RecordKind.MEDICATION_DISPENSING
    assert record.status is RecordStatus.PENDING
    assert record.incident_id == INCIDENT_ID
    assert record.citizen_ref.startswith("cit_")


def test_a_dispensing_from_a_list_printed_afterwards_is_refused() -> None:
    with pytest.raises(BeforeItHappened):
        dispensed(listed_at=THU_16_00 + timedelta(hours=1))


def test_it_is_written_into_the_system_when_it_works_again() -> None:
    record = dispensed()
    record.mark_entered_in_journal("J-2026-0042", ANNE, FRI_09_00)
    again = rebuilt(record)
    assert again.status is RecordStatus.ENTERED
    assert (again.entered_at, again.journal_reference) == (FRI_09_00, "J-2026-0042")


def test_a_record_is_entered_into_the_journal_once() -> None:
    record = dispensed()
    record.mark_entered_in_journal(None, ANNE, FRI_09_00)
    with pytest.raises(AlreadyEnteredInJournal):
        record.mark_entered_in_journal(None, ANNE, FRI_09_00)
    with pytest.raises(AlreadyEnteredInJournal):
        record.void("forkert borger", ANNE, FRI_09_00)


def test_a_voided_record_cannot_be_entered() -> None:
    record = dispensed()
    record.void("dobbeltregistrering", ANNE, THU_18_00)
    with pytest.raises(RecordVoided):
        record.mark_entered_in_journal(None, ANNE, FRI_09_00)
    assert rebuilt(record).status is RecordStatus.VOIDED


def test_entering_before_the_record_was_made_is_refused() -> None:
    with pytest.raises(BeforeItHappened):
        dispensed().mark_entered_in_journal(None, ANNE, THU_16_00 - timedelta(minutes=1))


def test_assessed_citizens_get_the_help_they_are_assessed_for_or_it_shows_as_missed() -> None:
    record = ManualRecord.deliver_care(
        id=RECORD_ID,
        incident_id=INCIDENT_ID,
        unit="hjemmepleje-nord",
        citizen_ref="cit_bbbbbbbbbbbbbbbbbbbbbbbb",
        citizen=None,
        service="personlig pleje, morgen",
        status=CareStatus.MISSED,
        note=None,
        by=ANNE,
        occurred_at=THU_16_00,
    )
    again = rebuilt(record)
    assert again.kind is RecordKind.CARE_DELIVERY
    assert again.status is RecordStatus.PENDING


def test_a_botilbud_keeps_an_updated_printed_medication_list() -> None:
    unit = Unit(id=UUID(int=9), unit="botilbud-solsikken", occurred_at=THU_16_00)
    unit.print_medication_list(THU_16_00 - timedelta(hours=1), ANNE, THU_16_00)
    unit.print_medication_list(FRI_09_00, ANNE, FRI_09_00)
    assert unit.list_printed_at == FRI_09_00
    with pytest.raises(BeforeItHappened):
        unit.print_medication_list(FRI_09_00 + timedelta(days=1), ANNE, FRI_09_00)
