"""Manual records over HTTP: the citizen is an opaque ref in the log, each record reaches the
journal once, and drills stay drills."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from service.log.vault import subject_of
from tests.api.outage import (
    CPR,
    CPR_DIGITS,
    NEXUS_DOWN,
    Client,
    care,
    declare,
    dispensing,
    log_size,
    record_dispensing,
)

pytestmark = pytest.mark.anyio

ENTERED = {
    "by": {"id": "emp-1042"},
    "entered_at": "2026-03-06T09:30:00+01:00",
    "journal_reference": "J-2026-77",
}


async def test_the_cpr_number_never_reaches_the_plain_payload_a_url_or_a_response(
    client: Client, pool: asyncpg.Pool
) -> None:
    incident = await declare(client)
    response = await client.post(
        f"/v1/incidents/{incident}/medication-dispensings", json=dispensing()
    )
    assert response.status_code == 201
    body = response.json()
    assert CPR_DIGITS not in response.text
    assert body["citizen_ref"].startswith("cit_")
    assert response.headers["location"] == f"/v1/manual-records/{body['record_id']}"
    row = await pool.fetchrow(
        "SELECT payload::text AS payload, sealed FROM events WHERE event_id = $1", body["event_id"]
    )
    assert row is not None
    assert CPR_DIGITS not in row["payload"]
    assert "Synthetic Borger" not in row["payload"]
    assert "Paracetamol" not in row["payload"]
    assert body["citizen_ref"] in row["payload"]
    # Sealed apart and encrypted: neither the CPR number nor the name is in the stored bytes.
    assert CPR_DIGITS.encode() not in row["sealed"]
    assert b"Synthetic Borger" not in row["sealed"]
    assert subject_of(row["sealed"]) == body["citizen_ref"]
    shown = await client.get(response.headers["location"])
    assert shown.json()["citizen_ref"] == body["citizen_ref"]
    timeline = await client.get(f"/v1/incidents/{incident}/timeline")
    assert CPR_DIGITS not in timeline.text
    assert "Synthetic Borger" not in timeline.text
    assert "Paracetamol" in timeline.text  # what was given is part of the incident's story


async def test_the_same_citizen_gets_the_same_ref_and_a_ref_can_stand_in_for_the_cpr(
    client: Client,
) -> None:
    incident = await declare(client)
    first = await client.post(f"/v1/incidents/{incident}/medication-dispensings", json=dispensing())
    dashed = await client.post(
        f"/v1/incidents/{incident}/care-deliveries",
        json=care(citizen={"cpr": CPR.replace("-", "")}),
    )
    ref = first.json()["citizen_ref"]
    assert dashed.json()["citizen_ref"] == ref
    by_ref = await client.post(
        f"/v1/incidents/{incident}/care-deliveries",
        json=care(citizen={"ref": ref}, status="missed"),
    )
    assert by_ref.status_code == 201
    assert by_ref.json()["citizen_ref"] == ref


@pytest.mark.parametrize(
    ("citizen", "field"),
    [
        ({"cpr": "3213701234"}, "citizen.cpr"),  # no 32nd day, no 13th month
        ({"cpr": "01017O0000"}, "citizen.cpr"),
        ({"name": "Kun navn"}, "citizen"),
        ({"cpr": CPR, "ref": "cit_aaaaaaaaaaaaaaaaaaaaaaaa"}, "citizen"),
        ({"ref": "0101700000"}, "citizen.ref"),
    ],
)
async def test_a_bad_citizen_is_refused_without_echoing_the_cpr_number(
    client: Client, pool: asyncpg.Pool, citizen: dict[str, Any], field: str
) -> None:
    incident = await declare(client)
    before = await log_size(pool)
    response = await client.post(
        f"/v1/incidents/{incident}/medication-dispensings", json=dispensing(citizen=citizen)
    )
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}
    for value in citizen.values():
        assert value[:6] not in response.text
    assert await log_size(pool) == before


async def test_a_record_is_entered_into_the_journal_once(client: Client) -> None:
    record = await record_dispensing(client, await declare(client))
    first = await client.post(f"/v1/manual-records/{record}/journal-entry", json=ENTERED)
    assert first.status_code == 201
    second = await client.post(f"/v1/manual-records/{record}/journal-entry", json=ENTERED)
    assert second.status_code == 422
    assert second.json()["type"] == "/problems/already-entered-in-journal"
    shown = (await client.get(f"/v1/manual-records/{record}")).json()
    assert (shown["status"], shown["journal_reference"], shown["entered_by"]) == (
        "entered",
        "J-2026-77",
        "emp-1042",
    )


async def test_a_voided_record_cannot_be_entered(client: Client) -> None:
    record = await record_dispensing(client, await declare(client))
    void = {
        "by": {"id": "emp-1042"},
        "reason": "forkert borger",
        "occurred_at": "2026-03-05T21:00:00+01:00",
    }
    assert (await client.post(f"/v1/manual-records/{record}/void", json=void)).status_code == 201
    refused = await client.post(f"/v1/manual-records/{record}/journal-entry", json=ENTERED)
    assert refused.json()["type"] == "/problems/record-voided"
    assert (await client.get(f"/v1/manual-records/{record}")).json()["status"] == "voided"


async def test_a_journal_entry_dated_before_the_dispensing_is_refused(client: Client) -> None:
    record = await record_dispensing(client, await declare(client))
    early = {**ENTERED, "entered_at": "2026-03-05T15:00:00+01:00"}
    refused = await client.post(f"/v1/manual-records/{record}/journal-entry", json=early)
    assert refused.json()["type"] == "/problems/before-it-happened"


async def test_a_record_for_an_unknown_incident_or_an_unknown_record_is_a_404(
    client: Client,
) -> None:
    missing = "00000000-0000-4000-8000-00000000beef"
    assert (
        await client.post(f"/v1/incidents/{missing}/medication-dispensings", json=dispensing())
    ).status_code == 404
    assert (
        await client.post(f"/v1/manual-records/{missing}/journal-entry", json=ENTERED)
    ).status_code == 404


async def test_a_retried_dispensing_with_its_key_is_one_record(
    client: Client, pool: asyncpg.Pool
) -> None:
    incident = await declare(client)
    headers = {"Idempotency-Key": "paper-sheet-7-line-3"}
    url = f"/v1/incidents/{incident}/medication-dispensings"
    first = await client.post(url, json=dispensing(), headers=headers)
    size = await log_size(pool)
    again = await client.post(url, json=dispensing(), headers=headers)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await log_size(pool) == size


async def test_drills_never_mix_with_real_data(client: Client) -> None:
    drill = await declare(client, {**NEXUS_DOWN, "mode": "exercise"})
    record = await record_dispensing(client, drill)
    shown = (await client.get(f"/v1/manual-records/{record}")).json()
    assert shown["mode"] == "exercise"
    real = await declare(client)
    mixed = await client.post(f"/v1/incidents/{real}/care-deliveries", json=care(mode="exercise"))
    assert mixed.status_code == 422
    assert mixed.json()["type"] == "/problems/mode-mismatch"
    entered = await client.post(
        f"/v1/manual-records/{record}/journal-entry", json={**ENTERED, "mode": "actual"}
    )
    assert entered.json()["type"] == "/problems/mode-mismatch"
