"""axe-core on every view of the dashboard, on a phone (360 px) and a wall screen (1920 px),
online and with the network gone: no violation. A screenshot of each goes to the folder."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, ViewportSize, expect

from nedbrud_client import Client
from nedbrud_client import types as t
from tests.client.conftest import Server, declared
from tests.dashboard.conftest import PHONE, SCREENSHOTS, WALL, open_page, screenshot
from tests.dashboard.runde_setup import Round, round_outage
from tests.dashboard.test_dashboard import VIEWS, dispensed, go
from tests.dashboard.test_dashboard_offline import ready_for_the_night

AXE = Axe()
UNIT = "botilbud-axe"


def violations(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = AXE.run(page).response["violations"]
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in found]


def walk(page: Page, state: str, counts: dict[str, Any], rounds: Round) -> None:
    """Every view: its axe violations counted and a screenshot written."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    for view in VIEWS:
        go(page, view)
        if view == "efterregistrering" and state == "online":
            page.get_by_label("Enhed").select_option(UNIT)
            page.get_by_role("button", name="Vis").click()
            expect(page.locator("#worklist tbody tr").first).to_be_visible()
        if view == "runde" and state == "online":  # names and medicine, a reason box open
            page.get_by_label("Nedbrud").select_option(str(rounds.incident))
            page.get_by_label("Vis navne og medicin").check()
            expect(page.locator("#runde")).to_contain_text("Aase Testesen")
            page.locator("#runde li.occ button.secondary").first.click()
            expect(page.get_by_label("Hvorfor blev det ikke givet?")).to_be_visible()
        if view == "runde" and state == "offline":  # the round kept in this tab
            expect(page.locator("#runde")).to_contain_text("Aase Testesen")
        if view == "registrer":
            page.locator("details.more").first.evaluate("d => { d.open = true; }")
        page.wait_for_timeout(200)
        counts[f"{view} {state} {width}"] = violations(page)
        screenshot(page, f"{view}-{state}")


@pytest.mark.parametrize("size", [PHONE, WALL], ids=["360", "1920"])
def test_every_view_has_no_axe_violation_online_and_offline(
    browser: Browser, server: Server, size: ViewportSize
) -> None:
    incident = declared(server, unit=UNIT)
    at_the_unit = round_outage(server)  # Runde shows its unit's round
    printed = datetime.now(UTC)
    dispensed(server, incident, UNIT, 5)
    with Client(server.url, server.key) as client:
        client.record_medication_list_print(
            UNIT,
            t.MedicationListPrintIn(
                printed_at=printed,
                list_as_of=printed,
                by=t.PersonIn(id="emp-1"),
            ),
        )
    page = open_page(browser, server, size)
    ready_for_the_night(page)
    header = page.locator("header").bounding_box()
    assert header
    assert header["height"] <= (150 if size == PHONE else 60), header
    for link in page.get_by_role("navigation").get_by_role("link").all():
        box = link.bounding_box()
        assert box
        assert box["height"] >= 44, box  # a thumb's target
    counts: dict[str, Any] = {}
    walk(page, "online", counts, at_the_unit)
    page.context.set_offline(True)
    page.reload()  # on the last view shown, now from the service worker
    page.get_by_role("heading", name=VIEWS["parathed"], exact=True).wait_for()
    walk(page, "offline", counts, at_the_unit)
    page.context.set_offline(False)
    report = SCREENSHOTS / "axe.json"
    kept = json.loads(report.read_text()) if report.exists() else {}
    report.write_text(json.dumps(kept | counts, indent=1, ensure_ascii=False))
    page.context.close()
    assert {view: found for view, found in counts.items() if found} == {}
