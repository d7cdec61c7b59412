"""Synthetic request bodies for one outage at a botilbud, and small helpers to post them."""

from __future__ import annotations

from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Any]

NEXUS_DOWN = {
    "title": "Nexus utilgængelig",
    "detected_via": "employee",
    "reported_by": {"id": "emp-1042", "name": "Anne Testesen", "role": "care-staff"},
    "affected_systems": ["nexus", "fmk"],
    "affected_units": ["botilbud-solsikken"],
    "occurred_at": "2026-03-05T14:30:00+01:00",
}
# A synthetic CPR number: a real date, digits that mean nothing.
CPR = "010170-0000"
CPR_DIGITS = "0101700000"


def step(kind: str, at: str = "2026-03-05T16:00:00+01:00", **fields: Any) -> dict[str, Any]:
    return {"type": kind, "occurred_at": at, "by": {"id": "it-7"}, **fields}


def dispensing(**fields: Any) -> dict[str, Any]:
    return {
        "citizen": {"cpr": CPR, "name": "Synthetic Borger"},
        "unit": "botilbud-solsikken",
        "medication": {
            "name": "Paracetamol",
            "strength": "500 mg",
            "dose": "2 tabl.",
            "route": "oral",
        },
        "dispensed_at": "2026-03-05T16:00:00+01:00",
        "by": {"id": "emp-1042", "name": "Anne Testesen"},
        "source_list_printed_at": "2026-03-01T08:00:00+01:00",
        **fields,
    }


def care(**fields: Any) -> dict[str, Any]:
    return {
        "citizen": {"cpr": CPR, "name": "Synthetic Borger"},
        "unit": "botilbud-solsikken",
        "service": "personlig pleje, aften",
        "status": "delivered",
        "occurred_at": "2026-03-05T19:00:00+01:00",
        "by": {"id": "emp-1042"},
        **fields,
    }


async def declare(client: Client, body: dict[str, Any] | None = None) -> str:
    response = await client.post("/v1/incidents", json=body or NEXUS_DOWN)
    assert response.status_code == 201, response.text
    return str(response.json()["incident_id"])


async def record_step(client: Client, incident: str, body: dict[str, Any], **kw: Any) -> Any:
    response = await client.post(f"/v1/incidents/{incident}/events", json=body, **kw)
    assert response.status_code == 201, response.text
    return response.json()


async def record_dispensing(client: Client, incident: str, **fields: Any) -> str:
    response = await client.post(
        f"/v1/incidents/{incident}/medication-dispensings", json=dispensing(**fields)
    )
    assert response.status_code == 201, response.text
    return str(response.json()["record_id"])


async def log_size(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM events"))
