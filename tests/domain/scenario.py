"""One synthetic outage as the log would hold it: the incident's steps, paper records and a unit's
printed list, each encoded by the real codec and given a place in the log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid5

import msgspec

from domain.base import Audience, EscalationRole, ItMethod, PlanAggregate
from domain.facts import Fact
from domain.manual_record import CareStatus, Citizen, ManualRecord, Medication
from domain.plan import Plan
from domain.unit import Unit
from service.log.codec import Codec
from tests.domain.people import (
    ANNE,
    DEPT_KARL,
    FRI_09_00,
    INCIDENT_ID,
    IT_BO,
    LEADER_LIS,
    THU_14_35,
    THU_16_00,
    THU_17_00,
    THU_18_00,
    nexus_and_fmk_down,
)

CODEC = Codec()
REQUEST = uuid5(INCIDENT_ID, "staffing")


def record(n: int, status: CareStatus = CareStatus.DELIVERED) -> ManualRecord:
    rid = uuid5(INCIDENT_ID, f"record-{n}")
    citizen = Citizen(cpr=f"01017{n:05d}"[:10], name=f"Borger {n}")
    if n % 2:
        return ManualRecord.deliver_care(
            id=rid,
            incident_id=INCIDENT_ID,
            unit="botilbud-solsikken",
            citizen_ref=f"cit_{n:024d}"[:28],
            citizen=citizen,
            service="aftenbesøg",
            status=status,
            note=None,
            by=ANNE,
            occurred_at=THU_16_00 + timedelta(minutes=n),
        )
    return ManualRecord.dispense_medication(
        id=rid,
        incident_id=INCIDENT_ID,
        unit="botilbud-solsikken",
        citizen_ref=f"cit_{n:024d}"[:28],
        citizen=citizen,
        medication=Medication(name="Paracetamol", dose="1 tabl."),
        source_list_printed_at=None,
        doctor_consulted=None,
        note=None,
        by=ANNE,
        occurred_at=THU_16_00 + timedelta(minutes=n),
    )


def aggregates(plan: Plan) -> list[PlanAggregate]:
    incident = nexus_and_fmk_down(units=("botilbud-solsikken", "hjemmepleje-nord"))
    incident.inform_colleagues(ANNE, THU_14_35)
    incident.inform_leader(LEADER_LIS, ANNE, THU_14_35)
    incident.contact_it(None, ItMethod.PHONE, None, plan, ANNE, THU_16_00)
    incident.assess_scope(
        ("nexus", "fmk", "sd"), ("botilbud-solsikken",), True, None, None, IT_BO, THU_16_00
    )
    incident.assess_scope(
        ("nexus", "fmk"),
        ("botilbud-solsikken", "hjemmepleje-nord"),
        False,
        None,
        None,
        IT_BO,
        THU_17_00,
    )
    incident.notify_units(("botilbud-solsikken",), IT_BO, THU_17_00)
    incident.assess_escalation(True, False, "to enheder", DEPT_KARL, THU_17_00)
    incident.escalate(EscalationRole.NAERMESTE_LEDER, LEADER_LIS, DEPT_KARL, THU_17_00)
    incident.decide_communications(True, "partnere", LEADER_LIS, THU_17_00)
    incident.send_communication(Audience.STAFF, "telefon", "papir", DEPT_KARL, THU_17_00)
    incident.request_staffing(REQUEST, "botilbud-solsikken", 2, None, DEPT_KARL, THU_17_00)
    incident.decide_staffing(REQUEST, 1, LEADER_LIS, THU_18_00)
    incident.restore("fmk", IT_BO, THU_18_00)
    incident.verify_restoration("botilbud-solsikken", "fmk", ANNE, THU_18_00)
    records = [record(n) for n in range(1, 6)]
    records[0].mark_entered_in_journal("J-1", ANNE, FRI_09_00)
    records[1].void("dobbelt", ANNE, FRI_09_00)
    unit = Unit(id=uuid5(INCIDENT_ID, "unit"), unit="botilbud-solsikken", occurred_at=THU_14_35)
    unit.print_medication_list(THU_14_35 - timedelta(days=1), ANNE, THU_14_35)
    unit.print_medication_list(THU_16_00, ANNE, THU_16_00)
    return [incident, *records, unit]


def facts(plan: Plan, mode: str = "actual") -> list[Fact]:
    """The outage's facts in commit order."""
    out: list[Fact] = []
    for aggregate in aggregates(plan):
        correlation = INCIDENT_ID if not isinstance(aggregate, Unit) else None
        for event in aggregate.collect_events():
            new = CODEC.encode(
                event,
                event_id=uuid5(aggregate.id, str(event.originator_version)),
                source="test",
                mode=mode,
                correlation_id=correlation,
            )
            kind = next(k for k in CODEC.kinds.values() if type(event) in k.event_types.values())
            payload: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(new.payload))
            out.append(
                Fact(
                    position=len(out) + 1,
                    event_id=new.event_id,
                    stream_id=aggregate.id,
                    stream_type=kind.stream_type,
                    version=event.originator_version,
                    type=new.type,
                    data=payload,
                    occurred_at=new.occurred_at,
                    recorded_at=FRI_09_00 + timedelta(seconds=len(out)),
                    mode=mode,
                    correlation_id=correlation,
                )
            )
    return out
