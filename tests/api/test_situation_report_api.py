"""Situationsrapport over HTTP: the picture, and exactly the changes after a position (opened,
closed, systems restored, escalations, statuses and counts that moved); the same on paper."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from service.access.auth import Role
from tests.api.outage import Client, dispensing

pytestmark = pytest.mark.anyio
AT = "2026-03-05T15:00:00+01:00"


def outage(title: str, systems: list[str]) -> dict[str, Any]:
    return {"title": title, "detected_via": "employee", "reported_by": {"id": "emp-1042"},
            "affected_systems": systems, "affected_units": ["botilbud-solsikken"],
            "occurred_at": "2026-03-05T14:30:00+01:00", "mode": "exercise"}  # fmt: skip


async def post(client: Client, path: str, body: dict[str, Any], **kw: Any) -> Any:
    answer = await client.post(path, json=body, **kw)
    assert answer.status_code == 201, answer.text
    return answer.json()


def step(kind: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "occurred_at": AT, "by": {"id": "it-7"}, **fields}


async def situation_report(client: Client, since: int, after: int = 0, **kw: Any) -> Any:
    params: dict[str, Any] = {"since_position": since, "mode": "exercise", "after_position": after}
    answer = await client.get("/v1/situation/report", params=params, **kw)
    assert answer.status_code == 200, answer.text
    return answer


async def test_the_situation_report_since_a_position_lists_exactly_the_changes_after_it(
    client: Client, keys: dict[Role, str]
) -> None:
    b = (await post(client, "/v1/incidents", outage("Nexus nede", ["nexus", "fmk"])))["incident_id"]
    c = (await post(client, "/v1/incidents", outage("Intranet nede", ["intranet"])))["incident_id"]
    await post(client, f"/v1/incidents/{c}/events", step("system-restored", system="intranet"))
    last = await post(client, f"/v1/incidents/{b}/events", step("colleagues-informed"))
    before = (await situation_report(client, 0, last["position"])).json()
    mark = before["position"]
    assert {"Nexus nede", "Intranet nede"} <= {o["title"] for o in before["changes"]["opened"]}

    a = (await post(client, "/v1/incidents", outage("FMK nede", ["fmk"])))["incident_id"]
    await post(client, f"/v1/incidents/{b}/events", step("system-restored", system="nexus"))
    await post(client, f"/v1/incidents/{b}/events", step("escalated", to_role="socialchef"))
    await post(client, f"/v1/incidents/{b}/medication-dispensings", dispensing())
    closed = await post(client, f"/v1/incidents/{c}/events", step("incident-closed"))
    report = (await situation_report(client, mark, closed["position"])).json()
    changes = report["changes"]
    assert report["since_position"] == mark
    assert report["position"] >= closed["position"]
    assert [(o["incident_id"], o["title"]) for o in changes["opened"]] == [(a, "FMK nede")]
    assert [(x["incident_id"], x["closed_at"]) for x in changes["closed"]] == [
        (c, "2026-03-05T14:00:00Z")
    ]
    assert [(r["incident_id"], r["system"]) for r in changes["systems_restored"]] == [(b, "nexus")]
    assert changes["escalations"] == [{"incident_id": b, "to_role": "socialchef"}]
    assert sorted(
        (s["incident_id"], s["before"], s["after"]) for s in changes["statuses"]
    ) == sorted([(b, "open", "partly-restored"), (c, "restored", "closed"), (a, None, "open")])
    assert sorted(
        (n["incident_id"], n["count"], n["before"], n["after"]) for n in changes["counts"]
    ) == sorted([(b, "made", 0, 1), (b, "pending", 0, 1)])
    shown = {i["incident_id"] for i in report["incidents"]}
    assert {a, b} <= shown
    assert c not in shown
    again = (await situation_report(client, report["position"])).json()["changes"]
    assert all(kind == [] for kind in again.values())  # nothing since the last one


async def test_the_situation_report_on_paper_says_what_changed(client: Client) -> None:
    body = outage("Netværk nede", ["netvaerk"])
    made = await post(client, "/v1/incidents", body)
    since = made["position"] - 1
    answer = await situation_report(
        client, since, made["position"], headers={"Accept": "application/pdf"}
    )
    assert answer.headers["content-type"] == "application/pdf"
    text = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(answer.content)).pages
    )
    assert "Situationsrapport" in text
    assert "Nyt nedbrud: Netværk nede" in text
    assert "Åbne nedbrud" in text


async def test_a_since_position_that_is_not_a_position_is_400(client: Client) -> None:
    answer = await client.get("/v1/situation/report", params={"since_position": "-1"})
    assert answer.status_code == 400
    assert answer.json()["type"] == "/problems/invalid-position"
