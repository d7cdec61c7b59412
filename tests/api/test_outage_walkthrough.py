"""One whole outage through the API, as the plan runs it: from the first alarm to the last paper
record entered into the journal and the incident closed."""

from __future__ import annotations

from typing import Any

import pytest

from service.access.auth import Role
from tests.api.outage import NEXUS_DOWN, Client, care, declare, record_dispensing, record_step, step

pytestmark = pytest.mark.anyio

LIS = {"id": "ldr-3", "name": "Lis Prøvesen", "role": "naermeste-leder"}
KARL = {"id": "ldr-9", "name": "Karl Eksempel", "role": "afdelingsleder"}


def at(clock: str, day: int = 5) -> str:
    return f"2026-03-{day:02d}T{clock}:00+01:00"


async def outstanding(client: Client, incident: str) -> list[tuple[str, Any]]:
    shown = (await client.get(f"/v1/incidents/{incident}")).json()
    return [
        (s["step"], s.get("unit") or s.get("role") or s.get("audience"))
        for s in shown["steps_outstanding"]
    ]


async def test_an_outage_from_the_first_alarm_to_the_last_paper_record_in_the_journal(
    client: Client, keys: dict[Role, str]
) -> None:
    leader = {"Authorization": f"Bearer {keys[Role.LEADER]}"}
    # Alarmering: Anne at Solsikken finds Nexus and FMK down at 14:30 on a Thursday.
    incident = await declare(client, NEXUS_DOWN)
    assert ("leader-informed", None) in await outstanding(client, incident)
    await record_step(client, incident, step("colleagues-informed", at("14:32")))
    await record_step(client, incident, step("leader-informed", at("14:40"), leader=LIS))
    # 16:59 is still Service Desk hours on a Thursday; the server picks the channel.
    await record_step(client, incident, step("it-contacted", at("16:59"), method="phone"))
    await record_step(client, incident, step("vendor-contacted", at("17:05"), vendor="Systematic"))
    await record_step(
        client,
        incident,
        step(
            "scope-assessed",
            at("17:20"),
            affected_systems=["nexus", "fmk"],
            affected_units=["botilbud-solsikken", "hjemmepleje-nord"],
            isolated_to_single_unit=False,
            severity="high",
            expected_restoration_at=at("08:00", day=6),
        ),
    )
    await record_step(
        client,
        incident,
        step("units-notified", at("17:30"), units=["botilbud-solsikken", "hjemmepleje-nord"]),
    )
    # Kommunikation: the department leader assesses; the Socialchef is told; no press.
    await record_step(
        client,
        incident,
        step(
            "escalation-assessed",
            at("17:45"),
            by=KARL,
            inform_nearest_leader=True,
            inform_socialchef=True,
            reason="to enheder ramt, medicin på papir",
        ),
    )
    await record_step(
        client, incident, step("escalated", at("17:50"), by=KARL, to_role="naermeste-leder", to=LIS)
    )
    await record_step(
        client, incident, step("escalated", at("17:55"), by=KARL, to_role="socialchef")
    )
    await record_step(
        client,
        incident,
        step(
            "communications-decided",
            at("18:00"),
            by=LIS,
            involve_communications=False,
            reason="ingen samarbejdspartnere berørt",
        ),
    )
    for audience in ("staff", "citizens"):
        await record_step(
            client,
            incident,
            step(
                "communication-sent",
                at("18:05"),
                by=KARL,
                audience=audience,
                channel="telefon",
                summary="Medicin gives efter udprintet liste",
            ),
        )
    request = await record_step(
        client,
        incident,
        step("staffing-requested", at("18:10"), by=KARL, unit="botilbud-solsikken", extra_staff=1),
    )
    await record_step(
        client,
        incident,
        step(
            "staffing-decided",
            at("18:20"),
            by=LIS,
            request_event_id=request["event_id"],
            granted_staff=1,
        ),
        headers=leader,
    )
    # Medicin: dispensing at 20:00 from the printed list, a visit at 19:00, a record in error.
    given = await record_dispensing(client, incident, dispensed_at=at("20:00"))
    visit = await client.post(f"/v1/incidents/{incident}/care-deliveries", json=care())
    assert visit.status_code == 201
    wrong = await record_dispensing(client, incident, dispensed_at=at("20:05"))
    # Systems come back on Friday morning; each unit verifies.
    for system in ("fmk", "nexus"):
        await record_step(client, incident, step("system-restored", at("07:30", 6), system=system))
    for unit in ("botilbud-solsikken", "hjemmepleje-nord"):
        await record_step(client, incident, step("restoration-verified", at("08:00", 6), unit=unit))
    assert await outstanding(client, incident) == []
    # Efterregistrering: paper into the journal, the mistake voided.
    refused = await client.post(
        f"/v1/incidents/{incident}/events", json=step("incident-closed", at("09:00", 6))
    )
    assert refused.json()["type"] == "/problems/manual-records-pending"
    for record in (given, visit.json()["record_id"]):
        entered = await client.post(
            f"/v1/manual-records/{record}/journal-entry",
            json={
                "by": {"id": "emp-1042"},
                "entered_at": at("09:30", 6),
                "journal_reference": "J-1",
            },
        )
        assert entered.status_code == 201
    voided = await client.post(
        f"/v1/manual-records/{wrong}/void",
        json={
            "by": {"id": "emp-1042"},
            "reason": "dobbeltregistrering",
            "occurred_at": at("09:35", 6),
        },
    )
    assert voided.status_code == 201
    shown = (await client.get(f"/v1/incidents/{incident}")).json()
    assert shown["manual_records"] == {"pending": 0, "entered": 2, "voided": 1}
    assert shown["closing"]["may_close"] is True
    await record_step(client, incident, step("incident-closed", at("10:00", 6)), headers=leader)
    closed = (await client.get(f"/v1/incidents/{incident}")).json()
    assert closed["status"] == "closed"
    assert closed["escalated_to"] == ["naermeste-leder", "socialchef"]
    assert closed["staffing"]["granted"] == 1
    # The timeline holds the incident's steps and its paper records, by when they happened.
    timeline = (await client.get(f"/v1/incidents/{incident}/timeline")).json()
    types = [e["type"] for e in timeline]
    assert types[0] == "incident-detected"
    assert types[-1] == "incident-closed"
    assert {"medication-dispensed", "care-delivered", "entered-in-journal", "record-voided"} <= set(
        types
    )
    it_call = next(e for e in timeline if e["type"] == "it-contacted")
    assert it_call["data"]["channel"] == "service-desk"
    assert it_call["data"]["channel_rule"] == "Service Desk: torsdag 07:00-17:00"
    assert [e["occurred_at"] for e in timeline] == sorted(e["occurred_at"] for e in timeline)
