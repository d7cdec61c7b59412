"""One example of each step the API takes, by type: the steps' tests and the seeded log take them
from here, and a step type the API takes without an example here fails a test."""

from __future__ import annotations

from typing import Any, get_args

from service.api.steps import IncidentStep
from tests.api.outage import step

PERSON = {"id": "ldr-3", "name": "Lis Prøvesen", "role": "naermeste-leder"}
ISOLATED = step(
    "scope-assessed",
    affected_systems=["nexus"],
    affected_units=["botilbud-solsikken"],
    isolated_to_single_unit=True,
)
# One example of each step the API takes (two ways to contact IT), by type; in the union's order,
# so the scope is assessed before a workaround is agreed and a system is back before a unit
# verifies it. A decision answers a request's event id, and closing and corrections go through
# the service: they have tests of their own below.
EXAMPLES: dict[str, list[dict[str, Any]]] = {
    "colleagues-informed": [step("colleagues-informed")],
    "leader-informed": [step("leader-informed", leader=PERSON)],
    "it-contacted": [
        step("it-contacted", method="phone"),
        step("it-contacted", method="intranet-case", channel="service-desk", reference="IT-4711"),
    ],
    "vendor-contacted": [step("vendor-contacted", vendor="Systematic", reference="SR-1")],
    "alarm-received": [step("alarm-received", source="overvaagning", summary="Nexus svarer ikke")],
    "scope-assessed": [ISOLATED],
    "units-notified": [step("units-notified", units=["botilbud-solsikken"])],
    "escalation-assessed": [
        step(
            "escalation-assessed",
            inform_nearest_leader=True,
            inform_socialchef=False,
            reason="én enhed",
        )
    ],
    "escalated": [step("escalated", to_role="naermeste-leder", to=PERSON)],
    "communications-decided": [
        step("communications-decided", involve_communications=False, reason="intern sag")
    ],
    "workaround-agreed": [
        step(
            "workaround-agreed",
            unit="botilbud-solsikken",
            department_leader={"id": "ldr-9"},
            nearest_leader=PERSON,
            arrangement="Papirskemaer og dobbeltkontrol af medicin",
        )
    ],
    "staffing-requested": [
        step("staffing-requested", unit="botilbud-solsikken", extra_staff=1, reason="nattevagt")
    ],
    "doctor-consulted": [
        step(
            "doctor-consulted",
            unit="botilbud-solsikken",
            doctor="Lægehuset Ådalen",
            outcome="Halv dosis indtil FMK virker igen",
        )
    ],
    "communication-sent": [
        step("communication-sent", audience="staff", channel="telefon", summary="Papirgang")
    ],
    "note-added": [step("note-added", text="Status: papirgang kører")],
    "system-restored": [step("system-restored", system="nexus")],
    "restoration-verified": [
        step("restoration-verified", unit="botilbud-solsikken", system="nexus")
    ],
}
TESTED_ON_THEIR_OWN = {"staffing-decided", "incident-closed", "event-corrected"}
STEP_TYPES = [t.__struct_config__.tag for t in get_args(IncidentStep)]
EVERY_STEP = [body for type_ in STEP_TYPES for body in EXAMPLES.get(type_, [])]
