"""The plan's rules: which steps are still outstanding on an incident, and whether it may close."""

from __future__ import annotations

from uuid import UUID

from domain.base import Audience, DetectedVia, EscalationRole, ItMethod
from domain.manual_record import RecordStatus
from domain.plan import Plan
from domain.rules import may_close, outstanding_steps
from tests.domain.people import (
    ANNE,
    DEPT_KARL,
    IT_BO,
    LEADER_LIS,
    THU_16_00,
    THU_17_00,
    THU_18_00,
    nexus_and_fmk_down,
    restore_all,
)


def outstanding(incident: object, plan: Plan) -> list[tuple[str, str | None]]:
    return [
        (s.step, s.unit or s.role or s.audience)
        for s in outstanding_steps(incident, plan)  # type: ignore[arg-type]
    ]


def test_a_new_outage_owes_every_alarm_escalation_and_communication_step(plan: Plan) -> None:
    assert outstanding(nexus_and_fmk_down(), plan) == [
        ("colleagues-informed", None),
        ("leader-informed", None),
        ("it-contacted", None),
        ("vendor-contacted", None),
        ("scope-assessed", None),
        ("units-notified", "botilbud-solsikken"),
        ("escalation-assessed", None),
        ("communications-decided", None),
        ("communication-sent", "staff"),
        ("communication-sent", "citizens"),
    ]


def test_the_nearest_leader_is_an_outstanding_step_until_informed(plan: Plan) -> None:
    incident = nexus_and_fmk_down()
    step = next(s for s in outstanding_steps(incident, plan) if s.step == "leader-informed")
    assert step.plan_line == "Nærmeste leder informeres ved først givne lejlighed."
    incident.inform_leader(LEADER_LIS, ANNE, THU_16_00)
    assert ("leader-informed", None) not in outstanding(incident, plan)


def test_it_is_outstanding_until_contacted(plan: Plan) -> None:
    incident = nexus_and_fmk_down()
    incident.contact_it(None, ItMethod.INTRANET_CASE, None, plan, ANNE, THU_16_00)
    assert ("it-contacted", None) not in outstanding(incident, plan)


def test_when_the_vendor_raised_the_alarm_there_is_no_vendor_to_contact(plan: Plan) -> None:
    assert ("vendor-contacted", None) not in outstanding(
        nexus_and_fmk_down(via=DetectedVia.VENDOR), plan
    )


def test_it_informs_each_affected_unit_of_the_acknowledged_fault(plan: Plan) -> None:
    incident = nexus_and_fmk_down(units=("botilbud-solsikken", "hjemmepleje-nord"))
    incident.notify_units(("botilbud-solsikken",), IT_BO, THU_16_00)
    steps = outstanding(incident, plan)
    assert ("units-notified", "hjemmepleje-nord") in steps
    assert ("units-notified", "botilbud-solsikken") not in steps


def test_escalation_assessed_as_needed_is_outstanding_until_escalated(plan: Plan) -> None:
    incident = nexus_and_fmk_down()
    incident.assess_escalation(True, True, "flere botilbud", DEPT_KARL, THU_16_00)
    assert ("escalated", "naermeste-leder") in outstanding(incident, plan)
    assert ("escalated", "socialchef") in outstanding(incident, plan)
    incident.escalate(EscalationRole.SOCIALCHEF, None, DEPT_KARL, THU_16_00)
    assert ("escalated", "socialchef") not in outstanding(incident, plan)
    assert ("escalated", "naermeste-leder") in outstanding(incident, plan)


def test_escalation_assessed_as_not_needed_asks_for_nothing_more(plan: Plan) -> None:
    incident = nexus_and_fmk_down()
    incident.assess_escalation(False, False, "kun én enhed, kort nedbrud", DEPT_KARL, THU_16_00)
    assert not [s for s in outstanding(incident, plan) if s[0].startswith("escalat")]


def test_involving_communications_makes_it_an_outstanding_escalation(plan: Plan) -> None:
    incident = nexus_and_fmk_down()
    incident.decide_communications(True, "samarbejdspartnere skal vide det", LEADER_LIS, THU_16_00)
    assert ("escalated", "kommunikationsafdeling") in outstanding(incident, plan)


def test_management_informs_staff_and_citizens(plan: Plan) -> None:
    incident = nexus_and_fmk_down()
    incident.send_communication(Audience.STAFF, "telefon", "Papirgang", DEPT_KARL, THU_16_00)
    steps = outstanding(incident, plan)
    assert ("communication-sent", "staff") not in steps
    assert ("communication-sent", "citizens") in steps


def test_an_undecided_staffing_request_is_outstanding(plan: Plan) -> None:
    incident = nexus_and_fmk_down()
    incident.request_staffing(UUID(int=7), "botilbud-solsikken", 1, None, DEPT_KARL, THU_16_00)
    assert ("staffing-decided", "botilbud-solsikken") in outstanding(incident, plan)
    incident.decide_staffing(UUID(int=7), 1, LEADER_LIS, THU_17_00)
    assert ("staffing-decided", "botilbud-solsikken") not in outstanding(incident, plan)


def test_restoration_not_verified_for_a_unit_is_outstanding(plan: Plan) -> None:
    incident = nexus_and_fmk_down()
    assert ("restoration-verified", "botilbud-solsikken") not in outstanding(incident, plan)
    restore_all(incident)
    assert ("restoration-verified", "botilbud-solsikken") in outstanding(incident, plan)
    incident.verify_restoration("botilbud-solsikken", None, ANNE, THU_18_00)
    assert ("restoration-verified", "botilbud-solsikken") not in outstanding(incident, plan)


def test_a_closed_incident_owes_nothing(plan: Plan) -> None:
    incident = nexus_and_fmk_down()
    restore_all(incident)
    incident.close(LEADER_LIS, THU_18_00, None, 0, True)
    assert outstanding_steps(incident, plan) == []


def test_may_close_needs_every_system_back_and_every_paper_record_dealt_with() -> None:
    incident = nexus_and_fmk_down()
    down = may_close(incident, [])
    assert not down.may_close
    assert not down.may_close_with_waiver
    assert down.systems_down == ("nexus", "fmk")
    restore_all(incident)
    statuses = [RecordStatus.ENTERED, RecordStatus.PENDING, RecordStatus.VOIDED]
    pending = may_close(incident, statuses)
    assert (pending.may_close, pending.may_close_with_waiver) == (False, True)
    assert pending.pending_records == 1
    assert may_close(incident, [RecordStatus.ENTERED, RecordStatus.VOIDED]).may_close
