"""The read side: situation picture, incident list, back-entry worklist, readiness, the global
feed and timelines, each answering from its projection, read-your-own-write with after_position."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from service.access.auth import Role
from tests.api.outage import (
    CPR_DIGITS,
    NEXUS_DOWN,
    Client,
    care,
    declare,
    dispensing,
    record_step,
    step,
)

pytestmark = pytest.mark.anyio


async def situation(client: Client, after: int, **params: Any) -> dict[str, Any]:
    response = await client.get("/v1/situation", params={"after_position": after, **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["position"] >= after
    return body


async def test_the_situation_picture_shows_open_outages_with_steps_and_paper_counts(
    client: Client,
) -> None:
    incident = await declare(client, {**NEXUS_DOWN, "title": "Situationstest"})
    await record_step(client, incident, step("leader-informed", leader={"id": "ldr-3"}))
    paper = await client.post(f"/v1/incidents/{incident}/medication-dispensings", json=dispensing())
    picture = await situation(client, paper.json()["position"])
    entry = next(i for i in picture["incidents"] if i["incident_id"] == incident)
    assert entry["title"] == "Situationstest"
    assert entry["systems_down"] == ["nexus", "fmk"]
    assert "leader-informed" in entry["steps_done"]
    assert "leader-informed" not in [s["step"] for s in entry["steps_outstanding"]]
    assert entry["manual_records"] == {"pending": 1, "entered": 0, "voided": 0}
    assert picture["contact_now"]["channel"] in ("service-desk", "it-vagt", "beredskab")


async def test_a_closed_outage_leaves_the_picture_unless_asked_for(client: Client) -> None:
    incident = await declare(client)
    for system in ("nexus", "fmk"):
        await record_step(client, incident, step("system-restored", system=system))
    closed = await record_step(client, incident, step("incident-closed"))
    picture = await situation(client, closed["position"])
    assert incident not in [i["incident_id"] for i in picture["incidents"]]
    everything = await situation(client, closed["position"], include="closed")
    assert incident in [i["incident_id"] for i in everything["incidents"]]
    listed = await client.get("/v1/incidents", params={"status": "closed"})
    assert incident in [i["incident_id"] for i in listed.json()]


async def test_drills_show_only_when_asked_for(client: Client) -> None:
    drill = await declare(client, {**NEXUS_DOWN, "mode": "exercise", "title": "Øvelse"})
    shown = await client.get(f"/v1/incidents/{drill}")  # waits for the drill's own events
    assert shown.json()["mode"] == "exercise"
    real = await situation(client, 1)
    assert drill not in [i["incident_id"] for i in real["incidents"]]
    drills = (await client.get("/v1/situation", params={"mode": "exercise"})).json()
    assert drill in [i["incident_id"] for i in drills["incidents"]]


async def test_the_back_entry_worklist_filters_and_counts_and_says_what_the_paper_says(
    client: Client,
) -> None:
    incident = await declare(client)
    first = await client.post(f"/v1/incidents/{incident}/medication-dispensings", json=dispensing())
    visit = await client.post(
        f"/v1/incidents/{incident}/care-deliveries",
        json=care(unit="hjemmepleje-nord", status="missed"),
    )
    entered = await client.post(
        f"/v1/manual-records/{first.json()['record_id']}/journal-entry",
        json={"by": {"id": "emp-1042"}, "entered_at": "2026-03-06T09:00:00+01:00"},
    )
    after = {"after_position": entered.json()["position"], "incident": incident}
    everything = await client.get("/v1/back-entry", params=after)
    assert everything.headers["x-total-count"] == "2"
    items = {i["record_id"]: i for i in everything.json()}
    paper = items[first.json()["record_id"]]
    assert paper["status"] == "entered"
    assert paper["summary"] == "Paracetamol, 500 mg, 2 tabl., oral"
    assert paper["entered_by"] == "emp-1042"
    missed = items[visit.json()["record_id"]]
    assert missed["summary"] == "personlig pleje, aften: ikke leveret"
    pending = await client.get("/v1/back-entry", params={**after, "status": "pending"})
    assert [i["record_id"] for i in pending.json()] == [visit.json()["record_id"]]
    by_unit = await client.get("/v1/back-entry", params={**after, "unit": "hjemmepleje-nord"})
    assert [i["unit"] for i in by_unit.json()] == ["hjemmepleje-nord"]
    by_citizen = await client.get(
        "/v1/back-entry", params={**after, "citizen_ref": first.json()["citizen_ref"]}
    )
    assert len(by_citizen.json()) == 2
    assert CPR_DIGITS not in everything.text
    assert "Synthetic Borger" not in everything.text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 501}, "limit"),
        ({"status": "lost"}, "status"),
        ({"unit": "Rosen Hus"}, "unit"),
        ({"citizen_ref": "0101700000"}, "citizen_ref"),
        ({"after_position": -1}, "after_position"),
    ],
)
async def test_a_bad_worklist_filter_is_refused_naming_it(
    client: Client, params: dict[str, Any], field: str
) -> None:
    response = await client.get("/v1/back-entry", params=params)
    assert response.status_code in (400, 422)
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_waiting_for_a_position_beyond_the_log_is_refused(client: Client) -> None:
    response = await client.get("/v1/situation", params={"after_position": 10**12})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "after_position"


async def test_readiness_shows_each_units_printed_list_and_whether_it_is_stale(
    client: Client,
) -> None:
    fresh = await client.post(
        "/v1/units/botilbud-frisk/medication-list-prints",
        json={
            "printed_at": "2026-03-05T08:00:00+01:00",
            "by": {"id": "emp-1042"},
            "list_as_of": "2026-03-05T07:00:00+01:00",
        },
    )
    old = await client.post(
        "/v1/units/botilbud-gammel/medication-list-prints",
        json={
            "printed_at": "2025-01-05T08:00:00+01:00",
            "by": {"id": "emp-1042"},
            "list_as_of": "2025-01-05T07:00:00+01:00",
        },
    )
    after = max(fresh.json()["position"], old.json()["position"])
    units = {
        u["unit"]: u
        for u in (await client.get("/v1/readiness", params={"after_position": after})).json()
    }
    assert units["botilbud-gammel"]["stale"] is True
    assert units["botilbud-gammel"]["age_days"] > 300
    assert units["botilbud-gammel"]["max_age_days"] == 7
    assert units["botilbud-frisk"]["list_printed_at"] == "2026-03-05T07:00:00Z"


async def test_the_global_feed_is_in_commit_order_for_auditors_without_sealed_data(
    client: Client, keys: dict[Role, str]
) -> None:
    incident = await declare(client)
    paper = await client.post(f"/v1/incidents/{incident}/medication-dispensings", json=dispensing())
    auditor = {"Authorization": f"Bearer {keys[Role.AUDITOR]}"}
    start = paper.json()["position"] - 1
    feed = await client.get(
        "/v1/events", params={"after_position": start, "limit": 5}, headers=auditor
    )
    assert feed.status_code == 200
    (event,) = feed.json()
    assert event["position"] == paper.json()["position"]
    assert event["type"] == "medication-dispensed"
    assert event["hash"] == paper.json()["hash"]
    assert CPR_DIGITS not in feed.text
    assert "Paracetamol" not in feed.text
    staff = await client.get("/v1/events")
    assert staff.status_code == 403


async def test_the_timeline_as_known_at_a_moment_leaves_out_what_was_recorded_later(
    client: Client,
) -> None:
    incident = await declare(client)
    known = await record_step(
        client, incident, step("note-added", at="2026-03-05T17:00:00+01:00", text="Status")
    )
    # entered afterwards, but it happened before: it was not known at `known`'s recorded time
    await record_step(client, incident, step("colleagues-informed", at="2026-03-05T14:35:00+01:00"))
    then = await client.get(
        f"/v1/incidents/{incident}/timeline", params={"known_at": known["recorded_at"]}
    )
    assert [e["type"] for e in then.json()] == ["incident-detected", "note-added"]
    now = await client.get(f"/v1/incidents/{incident}/timeline")
    assert [e["type"] for e in now.json()] == [
        "incident-detected",
        "colleagues-informed",
        "note-added",
    ]


async def test_the_timeline_exports_as_csv(client: Client) -> None:
    incident = await declare(client)
    await client.post(f"/v1/incidents/{incident}/care-deliveries", json=care())
    exported = await client.get(
        f"/v1/incidents/{incident}/timeline", headers={"Accept": "text/csv"}
    )
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["type"] for r in rows] == ["incident-detected", "care-delivered"]
    assert rows[1]["by"] == "emp-1042"
    assert CPR_DIGITS not in exported.text
    same = await client.get(f"/v1/incidents/{incident}/timeline", params={"format": "csv"})
    assert same.text == exported.text


async def test_no_cell_of_the_timeline_csv_runs_as_a_formula_in_a_spreadsheet(
    client: Client,
) -> None:
    incident = await declare(client)
    trap = '=HYPERLINK("http://evil.example","Klik her")'
    alarm = step("alarm-received", source="=1+1", summary="x")
    alarm["by"] = {"id": trap}
    assert (await client.post(f"/v1/incidents/{incident}/events", json=alarm)).status_code == 201
    exported = await client.get(f"/v1/incidents/{incident}/timeline", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows[1]["by"] == "'" + trap  # text, shown as typed, never run
    for row in rows:
        assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values())
