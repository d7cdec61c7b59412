"""Issue 19's E2E: a real `nedbrud serve`, a unit's emergency list imported from CSV with
`nedbrud-client list import`, an outage declared, and two carers' phones (two browsers, two keys
of the unit) on the unit's round. One gives the vital dose with no network; when her phone is
back online the other sees it given, without reloading."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from tests.client.conftest import Server
from tests.dashboard.conftest import screenshot
from tests.dashboard.runde_setup import round_outage
from tests.dashboard.test_dashboard_runde import round_page, row


def test_a_dose_given_offline_on_one_phone_appears_on_the_other_when_it_arrives(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    r = round_outage(server, cli_in=tmp_path)  # `nedbrud-client list import`, then the outage
    insulin = r.occurrence(server, "insulin")
    anne = round_page(browser, server, r, label="Nattevagt Anne")
    bo = round_page(browser, server, r, label="Nattevagt Bo")
    expect(bo.locator("#live")).to_have_text("● Live")
    bo.evaluate("window.notReloaded = true")
    for phone in (anne, bo):
        expect(row(phone, insulin.occurrence_id)).to_have_attribute("data-status", "overdue")

    anne.context.set_offline(True)
    row(anne, insulin.occurrence_id).locator("button.give").click()
    expect(row(anne, insulin.occurrence_id)).to_contain_text("venter på at blive sendt")
    bo.wait_for_timeout(2000)  # nothing has reached the server: Bo still sees it overdue
    expect(row(bo, insulin.occurrence_id)).to_have_attribute("data-status", "overdue")
    assert r.occurrence(server, "insulin").status == "overdue"
    screenshot(anne, "runde-to-anne-offline")

    anne.context.set_offline(False)
    expect(row(bo, insulin.occurrence_id)).to_have_attribute("data-status", "given", timeout=30_000)
    expect(row(bo, insulin.occurrence_id)).to_contain_text("LIVSVIGTIGT · Givet")
    expect(bo.get_by_role("region", name="Givet eller ikke givet (1)")).to_contain_text(
        "Aase Testesen"
    )
    assert bo.evaluate("window.notReloaded") is True  # it came in live
    expect(row(anne, insulin.occurrence_id)).to_have_attribute("data-status", "given")
    assert r.occurrence(server, "insulin").status == "given"
    screenshot(bo, "runde-to-bo-live")
    anne.context.close()
    bo.context.close()
