"""Rapporter on the dashboard: the evaluation of a closed outage with its three charts on screen,
and the situation report that lists what changed since the one this browser sent; no axe
violation on a phone or a wall screen."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, ViewportSize, expect

from tests.client.conftest import Server
from tests.dashboard.conftest import PHONE, WALL, open_page, screenshot
from tests.dashboard.test_dashboard_axe import violations

UNIT = "botilbud-rapport"


def post(server: Server, path: str, body: dict[str, Any]) -> Any:
    answer = httpx.post(
        f"{server.url}{path}", json=body, headers={"Authorization": f"Bearer {server.key}"}
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def an_outage(server: Server, title: str, close: bool) -> str:
    """Nexus down at 14:30 on 5 March 2026, back at 16:00, one paper record entered at 16:30."""
    incident = post(server, "/v1/incidents", {
        "title": title, "detected_via": "employee", "reported_by": {"id": "emp-1"},
        "affected_systems": ["nexus"], "affected_units": [UNIT],
        "occurred_at": "2026-03-05T14:30:00+01:00"})["incident_id"]  # fmt: skip
    steps = f"/v1/incidents/{incident}/events"
    by = {"id": "emp-1"}
    post(
        server,
        steps,
        {"type": "colleagues-informed", "occurred_at": "2026-03-05T14:36:00+01:00", "by": by},
    )
    record = post(server, f"/v1/incidents/{incident}/care-deliveries", {
        "citizen": {"ref": "cit_" + "r" * 24}, "unit": UNIT, "service": "Tilsyn",
        "status": "delivered", "occurred_at": "2026-03-05T15:10:00+01:00", "by": by})  # fmt: skip
    if close:
        post(
            server,
            steps,
            {
                "type": "system-restored",
                "system": "nexus",
                "occurred_at": "2026-03-05T16:00:00+01:00",
                "by": by,
            },
        )
        post(server, f"/v1/manual-records/{record['record_id']}/journal-entry",
             {"by": by, "entered_at": "2026-03-05T16:30:00+01:00"})  # fmt: skip
        post(
            server,
            steps,
            {"type": "incident-closed", "occurred_at": "2026-03-05T17:00:00+01:00", "by": by},
        )
    return str(incident)


@pytest.mark.parametrize("size", [PHONE, WALL], ids=["360", "1920"])
def test_the_evaluation_shows_its_charts_and_the_situation_report_what_changed(
    browser: Browser, server: Server, size: ViewportSize
) -> None:
    closed = an_outage(server, "Nexus nede i Solsikken", close=True)
    page = open_page(browser, server, size)
    page.get_by_role("link", name="Rapporter").click()
    page.get_by_role("heading", name="Situationsrapport", exact=True).wait_for()
    page.get_by_role("navigation", name="Rapporter").get_by_role("link", name="Evaluering").click()
    page.get_by_role("heading", name="Evaluering", exact=True).wait_for()
    page.get_by_label("Afsluttet nedbrud").select_option(closed)
    page.get_by_role("button", name="Vis").click()
    expect(page.locator("figure.chart")).to_have_count(3)
    chart = page.get_by_role("img", name="Systemer nede over tid: Nexus (omsorgsjournal) 90 min")
    expect(chart).to_be_visible()
    expect(page.locator("#back-entry")).to_contain_text("(0,5 timer). 1 af 1 indtastet")
    told = page.get_by_role("row").filter(has_text="informerer straks sine kollegaer")
    expect(told.first).to_contain_text("6 min")
    assert violations(page) == []
    screenshot(page, "evaluering")

    page.get_by_role("navigation", name="Rapporter").get_by_role(
        "link", name="Situationsrapport"
    ).click()
    page.get_by_role("heading", name="Situationsrapport", exact=True).wait_for()
    expect(page.locator("#changes")).to_contain_text("Nyt nedbrud")
    page.get_by_role("button", name="Markér som sendt").click()
    expect(page.locator("#report-feedback")).to_contain_text("Markeret som sendt")
    assert violations(page) == []
    opened = an_outage(server, "FMK nede i Solsikken", close=False)
    page.get_by_role("navigation", name="Hovedmenu").get_by_role("link", name="Ring nu til").click()
    page.get_by_role("link", name="Rapporter").click()
    page.get_by_role("heading", name="Situationsrapport", exact=True).wait_for()
    changes = page.locator("#changes li")
    expect(changes.filter(has_text="Nyt nedbrud: FMK nede i Solsikken")).to_have_count(1)
    expect(changes.filter(has_text="Nexus nede i Solsikken")).to_have_count(0)
    expect(page.get_by_role("region", name="Åbne nedbrud")).to_contain_text("FMK nede i Solsikken")
    assert violations(page) == []
    screenshot(page, "situationsrapport")
    assert opened
