"""The wall screen (vægskærm) as it hangs in a common room: three outages at 1920 x 1080 all above
the fold, read from three metres, and a vital dose turning overdue shown with no event sent."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.api.nodliste import a_cpr, a_list, citizen, insulin, morning_help
from tests.client.conftest import Server
from tests.conftest import _new_database
from tests.dashboard.conftest import WALL, open_page, screenshot
from tests.dashboard.test_dashboard_axe import violations
from tests.dashboard.test_dashboard_logins import VIOLATIONS
from tests.dashboard.test_dashboard_offline import READY
from tests.e2e.conftest import running_server
from tests.e2e.test_server_roundtrip import KEY

PLAN_ZONE = ZoneInfo("Europe/Copenhagen")


@pytest.fixture(scope="module")
def quiet_server(server_url: str) -> Iterator[Server]:
    """A server of its own (no other test's outages on its wall) that works the rounds out every
    second, so a vital dose turning overdue reaches the wall within moments. Named before the
    browser in each test: its database is made before the browser's event loop runs."""
    for url in _new_database(server_url):
        env = {"DATABASE_URL": url, "NEDBRUD_BOOTSTRAP_KEY": KEY, "NEDBRUD_ROUNDS_INTERVAL": "1",
               "NEDBRUD_RATE_PER_SECOND": "100000", "NEDBRUD_RATE_BURST": "100000"}  # fmt: skip
        with running_server(env) as (base, _):
            yield Server(base, KEY, env)


def api(server: Server) -> httpx.Client:
    return httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {KEY}"}, timeout=30)


def wall_clock(at: datetime) -> str:
    """As the dashboard writes a time of day: Danish, with a full stop ("kl. 14.05")."""
    return at.astimezone(PLAN_ZONE).strftime("%H.%M")


def outage(
    http: httpx.Client, title: str, units: list[str], detected: datetime, **scope: Any
) -> str:
    declared = http.post("/v1/incidents", json={
        "title": title, "detected_via": "employee", "reported_by": {"id": "emp-1"},
        "affected_systems": ["nexus", "fmk"], "affected_units": units,
        "occurred_at": detected.isoformat(),
    })  # fmt: skip
    assert declared.status_code == 201, declared.text
    incident = declared.json()["incident_id"]
    if scope:
        assessed = http.post(f"/v1/incidents/{incident}/events", json={
            "type": "scope-assessed", "occurred_at": detected.isoformat(), "by": {"id": "it-7"},
            "affected_systems": ["nexus", "fmk"], "affected_units": units,
            "isolated_to_single_unit": len(units) == 1, **scope,
        })  # fmt: skip
        assert assessed.status_code == 201, assessed.text
    return str(incident)


def emergency_list(http: httpx.Client, unit: str, vital_at: datetime, window: int = 60) -> None:
    """Aase's insulin at `vital_at` (the list's times are the plan zone's HH:MM) is vital; Bent's
    help three hours after it, so that it is never what a wall shows as overdue (at a fixed 07:30
    it was, from 08:15 on, whenever the outage began before it)."""
    at = vital_at.astimezone(PLAN_ZONE).strftime("%H:%M")
    later = (vital_at + timedelta(hours=3)).astimezone(PLAN_ZONE).strftime("%H:%M")
    body = a_list(
        citizen(a_cpr(), "Aase Testesen", insulin((at,), window), vital_needs="Insulin"),
        citizen(a_cpr(), "Bent Prøvesen", morning_help() | {"times": [later]}),
    )
    kept = http.put(f"/v1/units/{unit}/emergency-list", json=body)
    assert kept.status_code == 201, kept.text


def paper(http: httpx.Client, incident: str, unit: str, at: datetime) -> None:
    made = http.post(f"/v1/incidents/{incident}/medication-dispensings", json={
        "citizen": {"ref": "cit_" + "e" * 24}, "unit": unit, "by": {"id": "emp-1"},
        "medication": {"name": "Panodil", "dose": "1 tabl."}, "dispensed_at": at.isoformat(),
    })  # fmt: skip
    assert made.status_code == 201, made.text


def open_wall(browser: Browser, server: Server) -> Page:
    page = open_page(browser, server, WALL)
    page.get_by_role("link", name="Vis som vægskærm").click()
    page.get_by_role("heading", name="IT-nedbrud lige nu").wait_for()
    return page


def test_three_outages_fill_a_1920_wall_screen_above_the_fold_legible_from_three_metres(
    quiet_server: Server, browser: Browser
) -> None:
    now = datetime.now(PLAN_ZONE).replace(second=0, microsecond=0)
    two_hours_ago = now - timedelta(hours=2)
    with api(quiet_server) as http:
        emergency_list(http, "botilbud-solsikken", now - timedelta(minutes=90))
        emergency_list(http, "botilbud-rosen", now + timedelta(hours=3))
        back = (now + timedelta(minutes=45)).isoformat()
        both = ["botilbud-solsikken", "botilbud-rosen"]
        first = outage(http, "Nexus og FMK nede på alle botilbud", both, two_hours_ago,
                       severity="critical", expected_restoration_at=back)  # fmt: skip
        late = (now - timedelta(minutes=5)).isoformat()
        outage(http, "Medicinmodulet svarer ikke", ["botilbud-engtoften"],
               now - timedelta(minutes=25), severity="medium",
               expected_restoration_at=late)  # fmt: skip
        third = outage(
            http,
            "Netværket nede i Bofællesskabet",
            ["botilbud-solsikken"],
            now - timedelta(days=1, hours=3),
        )
        for minute in range(3):
            paper(http, third, "botilbud-solsikken", now - timedelta(hours=20, minutes=minute))
    page = open_wall(browser, quiet_server)
    cards = page.locator("article.wall-card")
    expect(cards).to_have_count(3)
    expect(page.get_by_role("navigation")).to_be_hidden()  # no menu on the wall
    shown = cards.filter(has_text="Nexus og FMK nede")
    expect(shown).to_contain_text("Kritisk")
    expect(shown).to_contain_text(re.compile(r"Varet 2 t [01] min"))
    expect(shown).to_contain_text(
        f"Forventet tilbage kl. {wall_clock(now + timedelta(minutes=45))}"
    )
    expect(shown.locator('[data-unit="botilbud-solsikken"]')).to_contain_text(
        "1 livsvigtig forsinket"
    )
    expect(shown.locator('[data-unit="botilbud-rosen"]')).to_contain_text("intet forsinket")
    expect(cards.filter(has_text="Medicinmodulet")).to_contain_text("overskredet med 5 min")
    expect(cards.filter(has_text="Medicinmodulet")).to_contain_text(
        "Uden nødliste: Botilbuddet Engtoften"
    )
    expect(cards.filter(has_text="Netværket nede")).to_contain_text("1 døgn 3 t")
    expect(cards.filter(has_text="Netværket nede")).to_contain_text(
        "3 papirregistreringer venter på journalen"
    )
    expect(page.locator(".wall-clock")).to_have_text(wall_clock(datetime.now(PLAN_ZONE)))
    expect(page.locator("#wall-updated")).to_contain_text("Opdateret kl. ")
    screenshot(page, "vaeg-tre-nedbrud")

    # Above the fold: every element of the view inside 1920 x 1080, nothing scrolls.
    boxes = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter((e) => e.getClientRects().length)
        .map((e) => { const r = e.getBoundingClientRect();
                      return [e.tagName, e.className, r.bottom, r.right]; })""")
    assert [b for b in boxes if b[2] > WALL["height"] or b[3] > WALL["width"]] == []
    assert page.evaluate("document.documentElement.scrollHeight") <= WALL["height"]
    # Full width: the three cards take the screen's width, not a third of it.
    widths = [cards.nth(n).bounding_box()["width"] for n in range(3)]  # type: ignore[index]
    assert sum(widths) > 0.9 * WALL["width"], widths
    # Legible at 3 m: no text under 28 px, the duration at least 56 px.
    sizes = page.evaluate("""() => [...document.querySelectorAll('.wall-card *')]
        .filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
        .map((e) => parseFloat(getComputedStyle(e).fontSize))""")
    assert min(sizes) >= 28, sorted(sizes)[:5]
    lasted = page.locator(f'[data-incident="{first}"] [data-lasted]')
    assert float(lasted.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 56
    assert violations(page) == []

    # Under the content security policy, and with the network gone: the kept picture, said so.
    page.context.add_init_script(VIOLATIONS)
    page.wait_for_function(READY, timeout=20_000)
    page.reload()
    expect(cards).to_have_count(3)
    assert page.evaluate("window.__violations") == []
    page.context.set_offline(True)
    page.reload()
    expect(cards).to_have_count(3)
    lost = "Forbindelsen er tabt \N{EN DASH} viser data fra kl. "
    expect(page.locator("#wall-updated")).to_contain_text(lost)
    assert violations(page) == []
    page.context.set_offline(False)
    page.keyboard.press("Escape")
    page.get_by_role("heading", name="Situationsbillede", exact=True).wait_for()
    expect(page.get_by_role("navigation")).to_be_visible()  # the menu is back off the wall


def a_dose_closing_on_the_wall(
    http: httpx.Client, browser: Browser, server: Server, unit: str, title: str, ahead: int
) -> tuple[Page, Locator, datetime]:
    """An outage at `unit` whose vital dose is due now and whose window (10 minutes, the
    shortest) closes at the next whole minute at least `ahead` seconds from now, with nothing
    recorded; the wall open on it, saying so. Gives the wall, the unit's line and the close."""
    now = datetime.now(PLAN_ZONE)
    closes = (now + timedelta(seconds=ahead)).replace(second=0, microsecond=0)
    closes += timedelta(minutes=1)
    emergency_list(http, unit, closes - timedelta(minutes=5), window=10)
    outage(http, title, [unit], now - timedelta(minutes=30))
    page = open_wall(browser, server)
    line = page.locator(f'[data-unit="{unit}"]')
    expect(line).to_contain_text("intet forsinket")
    return page, line, closes


def test_a_vital_dose_turning_overdue_reaches_the_wall_with_no_event_sent(
    quiet_server: Server, browser: Browser
) -> None:
    # Overdue within 80 s of the wall opening, with nothing recorded.
    with api(quiet_server) as http:
        page, line, closes = a_dose_closing_on_the_wall(
            http, browser, quiet_server, "botilbud-natlyset", "Nexus nede i nat", ahead=20
        )
        head = http.get("/v1/events", params={"after_position": 0, "limit": 500}).json()[-1][
            "position"
        ]
        wait = math.ceil((closes - datetime.now(PLAN_ZONE)).total_seconds()) + 30
        expect(line).to_contain_text("1 livsvigtig forsinket", timeout=wait * 1000)
        expect(line).to_have_attribute("data-overdue-vital", "1")
        after = http.get("/v1/events", params={"after_position": head}).json()
        assert after == []  # the clock moved it, not an event
    expect(page.locator("#wall-updated")).to_contain_text("Opdateret kl. ")
    screenshot(page, "vaeg-livsvigtig-forsinket")


def test_a_vital_dose_that_turned_overdue_while_the_wall_was_offline_shows_once_it_is_back(
    quiet_server: Server, browser: Browser
) -> None:
    """The wall resumes its stream from the last position it saw; no position tells that the
    clock turned a dose overdue meanwhile, so the stream sends the rounds as they stand."""
    with api(quiet_server) as http:
        # At least 40 s ahead: the wall is open and offline before the dose's window closes.
        page, line, closes = a_dose_closing_on_the_wall(
            http, browser, quiet_server, "botilbud-natlyset-offline", "Nexus nede, væggen uden net",
            ahead=40,
        )  # fmt: skip
        page.context.set_offline(True)
        # Offline until the rounds (worked out every second here) have turned the dose overdue.
        page.wait_for_timeout((closes - datetime.now(PLAN_ZONE)).total_seconds() * 1000 + 6000)
        expect(line).to_contain_text("intet forsinket")  # what it last knew, said as such
        page.context.set_offline(False)
        expect(line).to_contain_text("1 livsvigtig forsinket", timeout=15_000)
    screenshot(page, "vaeg-tilbage-online")
