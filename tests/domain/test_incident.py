"""Incident (IT-nedbrud): each step of the plan, and the steps the plan refuses."""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.base import DetectedVia, EscalationRole, ItMethod, Severity, StaffingRequest
from domain.errors import (
    AlreadyRestored,
    IncidentClosed,
    IsolatedNeedsOneUnit,
    ManualRecordsPending,
    StaffingAlreadyDecided,
    SystemNotAffected,
    SystemNotRestored,
    SystemsStillDown,
    UnitNotAffected,
    UnknownEvent,
    UnknownStaffingRequest,
    WaiverNeedsLeader,
    WorkaroundNeedsIsolatedOutage,
)
from domain.incident import Incident
from domain.plan import Contact, Plan
from tests.domain.people import (
    ANNE,
    DEPT_KARL,
    IT_BO,
    LEADER_LIS,
    THU_14_35,
    THU_16_00,
    THU_16_59,
    THU_17_00,
    THU_18_00,
    nexus_and_fmk_down,
    restore_all,
)

REQUEST = UUID("00000000-0000-4000-8000-0000000000aa")


def replayed(incident: Incident) -> Incident:
    """The incident as its stored events would rebuild it."""
    rebuilt: Incident | None = None
    for event in incident.collect_events():
        rebuilt = event.mutate(rebuilt)
    assert rebuilt is not None
    return rebuilt


def test_alarming_comes_from_the_vendor_or_an_employee_who_notices() -> None:
    assert nexus_and_fmk_down(via=DetectedVia.VENDOR).detected_via is DetectedVia.VENDOR
    incident = nexus_and_fmk_down()
    assert incident.systems_down == ["nexus", "fmk"]
    assert incident.status == "open"
    assert incident.steps_done == ["incident-detected"]


def test_the_employee_informs_colleagues_at_once_and_the_nearest_leader_at_first_chance() -> None:
    incident = nexus_and_fmk_down()
    incident.inform_colleagues(ANNE, THU_14_35)
    incident.inform_leader(LEADER_LIS, ANNE, THU_16_00)
    again = replayed(incident)
    assert again.steps_done == ["incident-detected", "colleagues-informed", "leader-informed"]
    assert again.leaders_informed == [LEADER_LIS]


def test_it_contacted_without_a_channel_records_the_one_the_contact_rule_gives(
    plan: Plan,
) -> None:
    incident = nexus_and_fmk_down()
    incident.contact_it(None, ItMethod.PHONE, None, plan, ANNE, THU_16_59)
    incident.contact_it(None, ItMethod.PHONE, None, plan, ANNE, THU_17_00)
    desk, vagt = incident.collect_events()[1:]
    assert desk.channel is Contact.SERVICE_DESK  # type: ignore[attr-defined]
    assert vagt.channel is Contact.IT_VAGT  # type: ignore[attr-defined]
    assert vagt.channel_rule == "IT-vagt: torsdag 17:00-21:00"  # type: ignore[attr-defined]
    assert vagt.plan_version == 1  # type: ignore[attr-defined]


def test_a_channel_stated_by_the_caller_is_kept_as_stated(plan: Plan) -> None:
    incident = nexus_and_fmk_down()
    incident.contact_it(Contact.BEREDSKAB, ItMethod.PHONE, "sag-17", plan, ANNE, THU_16_00)
    (event,) = incident.collect_events()[1:]
    assert event.channel is Contact.BEREDSKAB  # type: ignore[attr-defined]
    assert event.channel_rule is None  # type: ignore[attr-defined]


def test_the_scope_as_clarified_replaces_the_scope_first_reported() -> None:
    incident = nexus_and_fmk_down()
    incident.restore("fmk", IT_BO, THU_16_00)
    incident.assess_scope(
        ("nexus",),
        ("botilbud-solsikken", "hjemmepleje-nord"),
        False,
        Severity.HIGH,
        THU_18_00,
        IT_BO,
        THU_16_00,
    )
    again = replayed(incident)
    assert again.affected_systems == ["fmk", "nexus"]  # fmk stays: it was affected and is back
    assert again.systems_down == ["nexus"]
    assert again.affected_units == ["botilbud-solsikken", "hjemmepleje-nord"]
    assert again.severity is Severity.HIGH


def test_an_outage_isolated_to_a_single_unit_names_exactly_one_unit() -> None:
    incident = nexus_and_fmk_down()
    with pytest.raises(IsolatedNeedsOneUnit):
        incident.assess_scope(("nexus",), ("a", "b"), True, None, None, IT_BO, THU_16_00)


def test_only_an_isolated_outage_lets_the_department_leader_agree_work_without_it() -> None:
    incident = nexus_and_fmk_down()
    with pytest.raises(WorkaroundNeedsIsolatedOutage):
        incident.agree_workaround(
            "botilbud-solsikken", DEPT_KARL, LEADER_LIS, "papir", DEPT_KARL, THU_16_00
        )
    incident.assess_scope(("nexus",), ("botilbud-solsikken",), True, None, None, IT_BO, THU_16_00)
    incident.agree_workaround(
        "botilbud-solsikken", DEPT_KARL, LEADER_LIS, "papir", DEPT_KARL, THU_16_00
    )
    assert "workaround-agreed" in incident.steps_done


def test_extra_staff_is_discussed_with_the_nearest_leader_and_decided_once() -> None:
    incident = nexus_and_fmk_down()
    incident.request_staffing(REQUEST, "botilbud-solsikken", 2, "nattevagt", DEPT_KARL, THU_16_00)
    with pytest.raises(UnknownStaffingRequest):
        incident.decide_staffing(UUID(int=1), 1, LEADER_LIS, THU_17_00)
    incident.decide_staffing(REQUEST, 1, LEADER_LIS, THU_17_00)
    with pytest.raises(StaffingAlreadyDecided):
        incident.decide_staffing(REQUEST, 2, LEADER_LIS, THU_18_00)
    assert replayed(incident).staffing[REQUEST] == StaffingRequest(
        unit="botilbud-solsikken", requested=2, granted=1
    )


def test_escalation_and_communication_are_recorded_with_their_roles() -> None:
    incident = nexus_and_fmk_down()
    incident.assess_escalation(True, True, "flere botilbud ramt", DEPT_KARL, THU_16_00)
    incident.escalate(EscalationRole.SOCIALCHEF, None, DEPT_KARL, THU_16_00)
    incident.decide_communications(False, "kun intern betydning", LEADER_LIS, THU_17_00)
    again = replayed(incident)
    assert again.escalation == (True, True)
    assert again.escalated_to == [EscalationRole.SOCIALCHEF]
    assert again.involve_communications is False


def test_each_system_comes_back_in_its_own_step() -> None:
    incident = nexus_and_fmk_down()
    incident.restore("fmk", IT_BO, THU_16_00)
    assert incident.systems_down == ["nexus"]
    assert incident.status == "partly-restored"
    restore_all(incident)
    assert incident.status == "restored"


def test_restoring_a_system_the_outage_does_not_affect_is_refused() -> None:
    with pytest.raises(SystemNotAffected):
        nexus_and_fmk_down().restore("sd-loen", IT_BO, THU_16_00)


def test_restoring_a_system_twice_is_refused() -> None:
    incident = nexus_and_fmk_down()
    incident.restore("fmk", IT_BO, THU_16_00)
    with pytest.raises(AlreadyRestored):
        incident.restore("fmk", IT_BO, THU_18_00)


def test_a_unit_verifies_only_what_has_come_back() -> None:
    incident = nexus_and_fmk_down()
    with pytest.raises(UnitNotAffected):
        incident.verify_restoration("botilbud-rosen", None, ANNE, THU_18_00)
    with pytest.raises(SystemNotRestored):
        incident.verify_restoration("botilbud-solsikken", "fmk", ANNE, THU_18_00)
    incident.restore("fmk", IT_BO, THU_16_00)
    incident.verify_restoration("botilbud-solsikken", "fmk", ANNE, THU_18_00)
    with pytest.raises(SystemsStillDown):
        incident.verify_restoration("botilbud-solsikken", None, ANNE, THU_18_00)
    assert incident.is_verified("botilbud-solsikken", "fmk")


def test_closing_while_a_system_is_still_down_is_refused() -> None:
    incident = nexus_and_fmk_down()
    incident.restore("fmk", IT_BO, THU_16_00)
    with pytest.raises(SystemsStillDown) as refusal:
        incident.close(ANNE, THU_18_00, None, 0, False)
    assert refusal.value.systems == ["nexus"]


def test_closing_with_unentered_paper_records_needs_a_leaders_waiver() -> None:
    incident = nexus_and_fmk_down()
    restore_all(incident)
    with pytest.raises(ManualRecordsPending):
        incident.close(ANNE, THU_18_00, None, 2, False)
    with pytest.raises(WaiverNeedsLeader):
        incident.close(ANNE, THU_18_00, "indtastes i morgen", 2, False)
    incident.close(LEADER_LIS, THU_18_00, "indtastes i morgen", 2, True)
    assert replayed(incident).status == "closed"


def test_no_step_is_recorded_after_the_incident_is_closed(plan: Plan) -> None:
    incident = nexus_and_fmk_down()
    restore_all(incident)
    incident.close(ANNE, THU_18_00, None, 0, False)
    with pytest.raises(IncidentClosed):
        incident.add_note("Vi kører igen", ANNE, THU_18_00)
    with pytest.raises(IncidentClosed):
        incident.contact_it(None, ItMethod.PHONE, None, plan, ANNE, THU_18_00)
    assert incident.closed_at == THU_18_00


def test_a_correction_points_at_an_event_and_leaves_it_as_it_was() -> None:
    incident = nexus_and_fmk_down()
    with pytest.raises(UnknownEvent):
        incident.correct(UUID(int=5), None, "findes ikke", {}, ANNE, THU_16_00)
    incident.correct(
        UUID(int=5),
        "system-restored",
        "fmk kom først kl. 17",
        {"occurred_at": "x"},
        IT_BO,
        THU_18_00,
    )
    (event,) = incident.collect_events()[1:]
    assert event.corrects_type == "system-restored"  # type: ignore[attr-defined]
    assert "event-corrected" in incident.steps_done


def test_a_paper_record_entered_late_does_not_move_the_last_change_backwards() -> None:
    incident = nexus_and_fmk_down()
    incident.add_note("Status kl. 18", ANNE, THU_18_00)
    incident.add_note("Noteret på papir kl. 16", ANNE, THU_16_00)
    assert incident.last_change_at == THU_18_00
