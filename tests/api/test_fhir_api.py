"""Back-entry for a journal system that speaks FHIR: the paper records as a FHIR R4 Bundle, parsed
by the fhir.resources models, each citizen shown written to the access log."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from fhir.resources.R4B.bundle import Bundle

from service.access.auth import Role, create_key
from service.read.fhir import CPR_SYSTEM
from tests.api.outage import CPR_DIGITS, Client, care, declare, dispensing

pytestmark = pytest.mark.anyio


def as_(keys: dict[Role, str], role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {keys[role]}"}


async def records(client: Client) -> tuple[str, dict[str, str], int]:
    incident = await declare(client)
    made: dict[str, str] = {}
    position = 0
    for name, path, body in [
        (
            "insulin",
            "medication-dispensings",
            dispensing(
                medication={
                    "name": "NovoRapid",
                    "strength": "100 IE/ml",
                    "dose": "8 IE",
                    "route": "s.c.",
                },
                doctor_consulted={"doctor": "Læge Synthetisk", "outcome": "8 IE som vanligt"},
                note="Taget med morgenmaden",
            ),
        ),
        ("evening", "care-deliveries", care(status="missed", note="Sov")),
        ("void", "medication-dispensings", dispensing()),
    ]:
        answer = await client.post(f"/v1/incidents/{incident}/{path}", json=body)
        assert answer.status_code == 201, answer.text
        made[name] = answer.json()["record_id"]
        position = max(position, answer.json()["position"])
    voided = await client.post(
        f"/v1/manual-records/{made['void']}/void",
        json={
            "by": {"id": "emp-1042"},
            "reason": "Forkert borger",
            "occurred_at": "2026-03-05T17:00:00+01:00",
        },
    )
    assert voided.status_code == 201
    return incident, made, voided.json()["position"]


async def fhir(client: Client, incident: str, after: int, **params: str) -> Any:
    return await client.get(
        "/v1/back-entry/fhir",
        params={"incident": incident, "purpose": "back-entry", "after_position": str(after)}
        | params,
    )


async def test_the_records_are_a_fhir_bundle_a_journal_system_can_take(client: Client) -> None:
    incident, made, after = await records(client)
    answer = await fhir(client, incident, after)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/fhir+json")
    assert answer.headers["x-total-count"] == "3"
    parsed = Bundle.model_validate(answer.json())  # the maintained models accept every resource
    assert parsed.type == "collection"
    by_id: dict[str | None, Any] = {
        e.resource.id: e.resource for e in parsed.entry or [] if e.resource
    }
    insulin = by_id[made["insulin"]]
    assert insulin.__resource_type__ == "MedicationAdministration"
    assert insulin.status == "completed"
    assert insulin.subject.identifier.system == CPR_SYSTEM
    assert insulin.subject.identifier.value == CPR_DIGITS
    assert insulin.subject.display == "Synthetic Borger"
    assert insulin.medicationCodeableConcept.text == "NovoRapid 100 IE/ml"
    assert insulin.dosage.text == "8 IE"
    assert insulin.dosage.route.text == "s.c."
    assert insulin.identifier[0].value == f"urn:uuid:{made['insulin']}"
    assert insulin.performer[0].actor.identifier.value == "emp-1042"
    assert [n.text for n in insulin.note] == [
        "Taget med morgenmaden",
        "Læge kontaktet: Læge Synthetisk: 8 IE som vanligt",
    ]
    evening = by_id[made["evening"]]
    assert evening.__resource_type__ == "Procedure"
    assert evening.status == "not-done"  # the visit was missed
    assert evening.code.text == "personlig pleje, aften"
    assert by_id[made["void"]].status == "entered-in-error"
    pending = await fhir(client, incident, after, status="pending")
    assert {e["resource"]["id"] for e in pending.json()["entry"]} == {
        made["insulin"],
        made["evening"],
    }


async def test_each_citizen_shown_is_written_to_the_access_log(
    client: Client, pool: asyncpg.Pool
) -> None:
    incident, _, after = await records(client)
    ref = await pool.fetchval(
        "SELECT citizen_ref FROM back_entry_items WHERE incident_id = $1 LIMIT 1", incident
    )
    before = await pool.fetchval("SELECT count(*) FROM access_log WHERE citizen_ref = $1", ref)
    assert (await fhir(client, incident, after)).status_code == 200
    rows = await pool.fetch(
        "SELECT purpose, endpoint FROM access_log WHERE citizen_ref = $1 ORDER BY id", ref
    )
    assert len(rows) == before + 1  # one citizen, three records: one row
    assert (rows[-1]["purpose"], rows[-1]["endpoint"]) == ("back-entry", "GET /v1/back-entry/fhir")


async def test_only_staff_and_leaders_for_the_unit_read_it_and_only_for_back_entry(
    client: Client, pool: asyncpg.Pool, keys: dict[Role, str]
) -> None:
    incident, _, after = await records(client)
    no_purpose = await client.get("/v1/back-entry/fhir", params={"incident": incident})
    assert no_purpose.status_code in (400, 422)
    assert CPR_DIGITS not in no_purpose.text
    treatment = await fhir(client, incident, after, purpose="treatment")
    assert treatment.status_code in (400, 422)
    for role in (Role.IT, Role.AUDITOR, Role.REPORTER):
        refused = await client.get(
            "/v1/back-entry/fhir",
            params={"incident": incident, "purpose": "back-entry"},
            headers=as_(keys, role),
        )
        assert refused.status_code == 403, role
    other = await create_key(pool, Role.STAFF, "egen", units=["botilbud-egen"])
    theirs = await client.get(
        "/v1/back-entry/fhir",
        params={"incident": incident, "purpose": "back-entry", "after_position": after},
        headers={"Authorization": f"Bearer {other}"},
    )
    assert theirs.status_code == 200
    assert theirs.json()["entry"] == []  # another unit's records are not theirs to see
    assert CPR_DIGITS not in theirs.text
    asked = await client.get(
        "/v1/back-entry/fhir",
        params={"unit": "botilbud-solsikken", "purpose": "back-entry"},
        headers={"Authorization": f"Bearer {other}"},
    )
    assert asked.status_code == 403
