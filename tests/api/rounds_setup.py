"""An outage at a botilbud with an emergency list, for the rounds tests: Thursday 5 March 2026,
Nexus down from 07:00 (CET); Aase's insulin at 08:00 is vital, Bent's morning help at 07:30."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.api.nodliste import a_unit, two_citizens
from tests.api.outage import Client, declare

DETECTED = "2026-03-05T07:00:00+01:00"
AT_0900 = "2026-03-05T09:00:00+01:00"


@dataclass
class Outage:
    incident: str
    unit: str
    aase: str  # citizen refs
    bent: str

    def rounds_path(self) -> str:
        return f"/v1/incidents/{self.incident}/rounds"


async def outage_with_a_list(client: Client, unit: str | None = None) -> Outage:
    """A new outage; at a new unit with a new list, or at `unit` with the list it keeps."""
    if unit is None:
        unit = a_unit()
        body, _, _ = two_citizens()
        kept = await client.put(f"/v1/units/{unit}/emergency-list", json=body)
        assert kept.status_code == 201, kept.text
    refs = [
        c["citizen_ref"]
        for c in (await client.get(f"/v1/units/{unit}/emergency-list")).json()["citizens"]
    ]
    incident = await declare(
        client,
        {
            "title": "Nexus utilgængelig",
            "detected_via": "employee",
            "reported_by": {"id": "emp-1042"},
            "affected_systems": ["nexus"],
            "affected_units": [unit],
            "occurred_at": DETECTED,
        },
    )
    return Outage(incident, unit, refs[0], refs[1])


async def rounds_at(client: Client, outage: Outage, at: str = AT_0900, **params: Any) -> Any:
    answer = await client.get(
        outage.rounds_path(), params={"unit": outage.unit, "at": at, **params}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def dose(outage: Outage, at: str = "2026-03-05T08:05:00+01:00", **fields: Any) -> dict[str, Any]:
    return {
        "citizen": {"ref": outage.aase},
        "unit": outage.unit,
        "medication": {"name": "NovoRapid", "dose": "8 IE"},
        "dispensed_at": at,
        "by": {"id": "emp-1042"},
        **fields,
    }


def visit(outage: Outage, at: str, status: str = "delivered") -> dict[str, Any]:
    return {"citizen": {"ref": outage.bent}, "unit": outage.unit, "service": "morgenhjælp",
            "status": status, "occurred_at": at, "by": {"id": "emp-1042"}}  # fmt: skip
