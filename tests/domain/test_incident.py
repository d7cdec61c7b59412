"""Incident (IT-nedbrud): detection, restoration of each system, notes, closing."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from domain.base import Person
from domain.errors import AlreadyRestored, IncidentClosed, SystemNotAffected, SystemsStillDown
from domain.incident import DetectedVia, Incident

ANNE = Person(id="emp-1042", name="Anne Testesen", role="care-staff")
IT_BO = Person(id="it-7", name="Bo Testsen", role="it")
THU_14_30 = datetime(2026, 3, 5, 13, 30, tzinfo=UTC)
THU_16_00 = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
THU_18_00 = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)
INCIDENT_ID = UUID("00000000-0000-4000-8000-000000000001")


def nexus_and_fmk_down() -> Incident:
    return Incident(
        id=INCIDENT_ID,
        title="Nexus og FMK utilgængelige",
        description=None,
        detected_via=DetectedVia.EMPLOYEE,
        reported_by=ANNE,
        affected_systems=("nexus", "fmk"),
        affected_units=("botilbud-solsikken",),
        occurred_at=THU_14_30,
    )


def test_an_employee_who_learns_of_the_outage_declares_it_with_the_systems_down() -> None:
    incident = nexus_and_fmk_down()
    assert incident.systems_down == ["nexus", "fmk"]
    assert incident.detected_via is DetectedVia.EMPLOYEE
    assert not incident.is_closed


def test_each_system_comes_back_in_its_own_step() -> None:
    incident = nexus_and_fmk_down()
    incident.restore("fmk", IT_BO, THU_16_00)
    assert incident.systems_down == ["nexus"]
    assert incident.systems_restored == ["fmk"]
    assert incident.last_change_at == THU_16_00


def test_restoring_a_system_the_outage_does_not_affect_is_refused() -> None:
    incident = nexus_and_fmk_down()
    with pytest.raises(SystemNotAffected):
        incident.restore("sd-loen", IT_BO, THU_16_00)
    assert incident.collect_events()[-1].originator_version == 1


def test_restoring_a_system_twice_is_refused() -> None:
    incident = nexus_and_fmk_down()
    incident.restore("fmk", IT_BO, THU_16_00)
    with pytest.raises(AlreadyRestored):
        incident.restore("fmk", IT_BO, THU_18_00)


def test_closing_while_a_system_is_still_down_is_refused() -> None:
    incident = nexus_and_fmk_down()
    incident.restore("fmk", IT_BO, THU_16_00)
    with pytest.raises(SystemsStillDown) as refusal:
        incident.close(ANNE, THU_18_00)
    assert refusal.value.systems == ["nexus"]


def test_no_step_is_recorded_after_the_incident_is_closed() -> None:
    incident = nexus_and_fmk_down()
    incident.restore("fmk", IT_BO, THU_16_00)
    incident.restore("nexus", IT_BO, THU_16_00)
    incident.close(ANNE, THU_18_00)
    with pytest.raises(IncidentClosed):
        incident.add_note("Vi kører igen", ANNE, THU_18_00)
    assert incident.closed_at == THU_18_00


def test_a_paper_record_entered_late_does_not_move_the_last_change_backwards() -> None:
    incident = nexus_and_fmk_down()
    incident.add_note("Status kl. 18", ANNE, THU_18_00)
    incident.add_note("Noteret på papir kl. 16", ANNE, THU_16_00)
    assert incident.last_change_at == THU_18_00
