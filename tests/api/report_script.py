"""A scripted outage with known times, for the report tests: Thursday 5 March 2026 (CET), Nexus
and FMK down at a botilbud from 14:30 until 16:00 and 16:30, four paper records, an emergency
list with two vital doses (one given late, one still overdue at the close, waived by a leader).

The script can be recorded in order, or late and out of order (the steps shuffled, the paper
written after the close): the report must not tell the two apart.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.occurrences import occurrence_id
from tests.api.nodliste import a_cpr, a_list, a_unit, citizen
from tests.api.outage import Client

DAY = "2026-03-05"


def t(clock: str, day: str = DAY) -> str:
    return f"{day}T{clock}:00+01:00"


def item(item_id: str, kind: str, at: str, vital: bool, window: int = 60) -> dict[str, Any]:
    body: dict[str, Any] = {"item_id": item_id, "kind": kind, "times": [at],
                            "window_minutes": window, "vital": vital}  # fmt: skip
    if kind == "medication":
        body["medication"] = {"name": "NovoRapid", "dose": "8 IE"}
    else:
        body["service"] = "Eftermiddagshjælp"
    return body


def steps(day: str = DAY) -> list[dict[str, Any]]:
    """The incident's steps, in the order they happened."""
    return [
    {"type": "colleagues-informed", "occurred_at": t("14:35", day), "by": {"id": "emp-1042"}},
    {"type": "it-contacted", "occurred_at": t("14:40", day), "by": {"id": "emp-1042"},
     "method": "phone"},
    {"type": "leader-informed", "occurred_at": t("14:50", day), "by": {"id": "emp-1042"},
     "leader": {"id": "leader-lis"}},
    {"type": "escalation-assessed", "occurred_at": t("15:00", day), "by": {"id": "leader-lis"},
     "inform_nearest_leader": False, "inform_socialchef": False, "reason": "lokalt"},
    {"type": "system-restored", "occurred_at": t("16:00", day), "by": {"id": "it-7"},
     "system": "nexus"},
    {"type": "system-restored", "occurred_at": t("16:30", day), "by": {"id": "it-7"},
     "system": "fmk"},
    ]  # fmt: skip


def close(day: str = DAY) -> dict[str, Any]:
    return {"type": "incident-closed", "occurred_at": t("18:30", day), "by": {"id": "leader-lis"},
            "waiver_reason": "Aftenens insulin givet efter lægens anvisning"}  # fmt: skip


@dataclass
class Script:
    """One recording of the scripted outage: its unit, citizens and the ids it was given."""

    day: str = DAY
    mode: str = "actual"
    unit: str = field(default_factory=a_unit)
    aase: str = ""  # citizen refs, once the list is kept
    bent: str = ""
    incident: str = ""
    records: dict[str, str] = field(default_factory=dict)

    def occurrence(self, citizen_ref: str, item_id: str, at: str) -> str:
        return str(occurrence_id(self.unit, citizen_ref, item_id, date.fromisoformat(self.day), at))

    def t(self, clock: str) -> str:
        return t(clock, self.day)

    def declaration(self) -> dict[str, Any]:
        return {"title": "Nexus og FMK nede", "detected_via": "employee",
                "reported_by": {"id": "emp-1042"}, "affected_systems": ["nexus", "fmk"],
                "affected_units": [self.unit], "occurred_at": self.t("14:30"),
                "mode": self.mode}  # fmt: skip

    def papers(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(name, path kind, body) of the four paper records."""
        unit = self.unit
        late_dose = self.occurrence(self.aase, "insulin-eftermiddag", "16:00")
        return [
            ("R1", "medication-dispensings", {
                "citizen": {"ref": self.aase}, "unit": unit, "occurrence_id": late_dose,
                "medication": {"name": "NovoRapid", "dose": "8 IE"},
                "dispensed_at": self.t("16:45"), "by": {"id": "emp-3003"}}),
            ("R2", "care-deliveries", {
                "citizen": {"ref": self.bent}, "unit": unit, "service": "Eftermiddagshjælp",
                "status": "missed", "occurred_at": self.t("15:10"), "by": {"id": "emp-2001"}}),
            ("R3", "medication-dispensings", {
                "citizen": {"ref": self.bent}, "unit": unit,
                "medication": {"name": "Paracetamol", "dose": "1 g"},
                "dispensed_at": self.t("15:20"), "by": {"id": "emp-2001"}}),
            ("R4", "care-deliveries", {
                "citizen": {"ref": self.aase}, "unit": unit, "service": "Tilsyn",
                "status": "delivered", "occurred_at": self.t("15:40"), "by": {"id": "emp-2001"}}),
        ]  # fmt: skip

    # R1 entered 17:00, R3 voided 17:15, R2 entered 17:30, R4 entered 18:00.
    ENDS = (("R1", "journal-entry", "17:00"), ("R3", "void", "17:15"),
            ("R2", "journal-entry", "17:30"), ("R4", "journal-entry", "18:00"))  # fmt: skip


async def keep_list(client: Client, script: Script) -> None:
    body = a_list(
        citizen(a_cpr(), "Aase Testesen",
                item("insulin-eftermiddag", "medication", "16:00", True),
                item("insulin-aften", "medication", "17:30", True)),
        citizen(a_cpr(), "Bent Prøvesen", item("eftermiddag", "care", "15:00", False)),
    )  # fmt: skip
    kept = await client.put(f"/v1/units/{script.unit}/emergency-list", json=body)
    assert kept.status_code == 201, kept.text
    shown = (await client.get(f"/v1/units/{script.unit}/emergency-list")).json()
    script.aase, script.bent = (c["citizen_ref"] for c in shown["citizens"])


async def _post(client: Client, path: str, body: dict[str, Any], **kw: Any) -> Any:
    answer = await client.post(path, json=body, **kw)
    assert answer.status_code == 201, (path, answer.text)
    return answer.json()


async def record(
    client: Client,
    leader: str,
    *,
    in_order: bool = True,
    seed: int = 7,
    day: str = DAY,
    mode: str = "actual",
) -> Script:
    """Record the script: in order, or with the steps shuffled and the paper after the close."""
    script = Script(day=day, mode=mode)
    await keep_list(client, script)
    declared = await _post(client, "/v1/incidents", script.declaration())
    script.incident = incident = declared["incident_id"]
    todo = steps(day)
    papers = script.papers()
    if not in_order:
        random.Random(seed).shuffle(todo)
        random.Random(seed).shuffle(papers)
    lead = {"Authorization": f"Bearer {leader}"}

    async def paper() -> None:
        for name, kind, body in papers:
            made = await _post(client, f"/v1/incidents/{incident}/{kind}", body)
            script.records[name] = made["record_id"]
        ends = Script.ENDS if in_order else tuple(reversed(Script.ENDS))
        for name, what, clock in ends:
            body = {"by": {"id": "emp-3003"}}
            body |= (
                {"entered_at": script.t(clock)}
                if what == "journal-entry"
                else {"occurred_at": script.t(clock), "reason": "skrevet to gange"}
            )
            await _post(client, f"/v1/manual-records/{script.records[name]}/{what}", body)

    for step in todo:
        if in_order and step["occurred_at"] > script.t("16:00") and not script.records:
            await paper()
        await _post(client, f"/v1/incidents/{incident}/events", step)
    if in_order and not script.records:
        await paper()
    await _post(client, f"/v1/incidents/{incident}/events", close(day), headers=lead)
    if not in_order:
        await paper()
    return script
