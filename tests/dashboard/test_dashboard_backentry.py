"""Efterregistrering for hundreds of paper records: 300 entered from the dashboard in a handful of
actions, by keyboard alone on a phone, and the worklist printed to tick off on paper."""

from __future__ import annotations

import io
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from pypdf import PdfReader

from tests.api.nodliste import a_cpr
from tests.client.conftest import Server
from tests.dashboard.conftest import PHONE, SCREENSHOTS, WALL, open_page
from tests.dashboard.test_dashboard import go
from tests.dashboard.test_dashboard_axe import violations

CITIZENS, EACH = 30, 10  # 300 records


@dataclass(frozen=True)
class Paper:
    """An outage at a unit of its own with 300 paper records: 30 citizens, 10 doses each."""

    incident: str
    unit: str
    records: list[str]
    tokens: list[str]  # each record's own medication name, to find it on paper
    names: list[str]


def api(server: Server) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {server.key}"}, timeout=60
    )


def outage_with_300_records(server: Server, tag: str) -> Paper:
    unit = f"botilbud-bulk-{uuid.uuid4().hex[:6]}"
    names = [f"Testborger {tag}{n:02d}" for n in range(CITIZENS)]
    cprs = [a_cpr() for _ in names]
    tokens = [f"Praeparat-{tag}{n:03d}" for n in range(CITIZENS * EACH)]
    with api(server) as http:
        declared = http.post("/v1/incidents", json={
            "title": f"Nexus nede {tag}", "detected_via": "employee",
            "reported_by": {"id": "emp-1"}, "affected_systems": ["nexus"], "affected_units": [unit],
            "occurred_at": "2026-03-05T07:00:00+01:00",
        })  # fmt: skip
        incident = declared.json()["incident_id"]
        events = [
            {"specversion": "1.0", "id": f"{tag}-{n}", "source": "/tests/backentry",
             "type": "dk.nedbrud.medication-dispensed", "subject": incident, "data": {
                 "citizen": {"cpr": cprs[n // EACH], "name": names[n // EACH]}, "unit": unit,
                 "medication": {"name": tokens[n], "dose": "1 tabl."}, "by": {"id": "emp-1"},
                 "dispensed_at": f"2026-03-05T{8 + n // 60:02d}:{n % 60:02d}:00+01:00"}}
            for n in range(CITIZENS * EACH)
        ]  # fmt: skip
        records = []
        for start in range(0, len(events), 100):
            answer = http.post(
                "/v1/cloudevents",
                content=json.dumps(events[start : start + 100]),
                headers={"Content-Type": "application/cloudevents-batch+json"},
            )
            results = answer.json()["results"]
            assert {r["status"] for r in results} == {"accepted"}, results[0]
            records += [r["receipt"]["record_id"] for r in results]
        for _ in range(100):  # the worklist is a projection: until it has them all
            listed = http.get("/v1/back-entry", params={"incident": incident, "limit": 1})
            if listed.headers["X-Total-Count"] == str(len(records)):
                break
            time.sleep(0.1)
    return Paper(incident, unit, records, tokens, names)


@pytest.fixture(scope="module")
def papers(server: Server) -> dict[str, Paper]:
    return {tag: outage_with_300_records(server, tag) for tag in ("A", "B", "C")}


def worklist(page: Page, paper: Paper, per_page: str = "500") -> None:
    """The worklist of the outage (2 actions: its outage and 500 a page)."""
    page.get_by_label("Nedbrud").select_option(paper.incident)
    page.get_by_label("Pr. side").select_option(per_page)
    expect(page.locator("#b-count")).to_have_text("300 registreringer: afventer journal")


def where(element: Locator) -> tuple[float, float]:
    """Where on the screen an element starts."""
    box = element.bounding_box()
    assert box
    return box["x"], box["y"]


def entered_once(server: Server, paper: Paper) -> dict[str, int]:
    """How many times each record of the outage was entered, as the log says."""
    seen: dict[str, int] = {}
    with api(server) as http:
        after = 0
        while page := http.get("/v1/events", params={"after_position": after, "limit": 500}).json():
            for event in page:
                if event["type"] == "entered-in-journal" and event["stream_id"] in paper.records:
                    seen[event["stream_id"]] = seen.get(event["stream_id"], 0) + 1
            after = page[-1]["position"]
    return seen


def test_300_records_are_entered_from_the_dashboard_in_at_most_ten_actions(
    papers: dict[str, Paper], browser: Browser, server: Server
) -> None:
    paper = papers["A"]
    laptop = open_page(browser, server, WALL)
    actions = 0

    def act(do: Any, *args: Any) -> None:
        nonlocal actions
        actions += 1
        do(*args)

    act(laptop.get_by_role("navigation").get_by_role("link", name="Efterregistrering").click)
    act(laptop.get_by_label("Nedbrud").select_option, paper.incident)
    act(laptop.get_by_label("Pr. side").select_option, "500")
    expect(laptop.locator("#b-count")).to_have_text("300 registreringer: afventer journal")
    expect(laptop.locator("#worklist caption")).to_have_count(CITIZENS)  # grouped by citizen
    act(laptop.get_by_label("Vælg alle på siden").check)
    act(laptop.get_by_label("Journalens reference").fill, "EPJ-2026-0305")
    expect(laptop.locator("#b-ticked")).to_have_text("300 valgt")
    laptop.screenshot(path=str(SCREENSHOTS / "efterregistrering-300-valgt-1920.png"))
    assert violations(laptop) == []
    act(laptop.locator("#b-bulk").get_by_role("button", name="Indtastet i journal").click)
    expect(laptop.locator("#b-feedback")).to_have_text(
        "Indtastet i journal: 300 registreringer (reference EPJ-2026-0305)."
    )
    expect(laptop.locator("#b-count")).to_have_text("0 registreringer: afventer journal")
    expect(laptop.locator("#b-enter")).to_be_focused()  # focus kept on what she pressed
    assert actions <= 10, actions
    assert entered_once(server, paper) == dict.fromkeys(paper.records, 1)
    laptop.get_by_label("Status").select_option("entered")
    expect(laptop.locator("#b-count")).to_have_text("300 registreringer: indtastet i journal")
    expect(laptop.locator("#worklist tbody tr").first).to_contain_text("(EPJ-2026-0305)")


def test_on_a_phone_the_keyboard_alone_enters_a_citizens_records_and_the_page_stays(
    papers: dict[str, Paper], browser: Browser, server: Server
) -> None:
    paper = papers["B"]
    phone = open_page(browser, server, PHONE)
    go(phone, "efterregistrering")
    worklist(phone, paper, per_page="100")
    expect(phone.locator("#b-pages")).to_contain_text("Viser 1\N{EN DASH}100 af 300")
    phone.screenshot(path=str(SCREENSHOTS / "efterregistrering-300-top-360.png"))
    # Far down the list the selection bar, and its button, are still on the screen.
    phone.locator("#worklist tbody tr").nth(60).scroll_into_view_if_needed()
    phone.screenshot(path=str(SCREENSHOTS / "efterregistrering-300-nede-360.png"))
    button = phone.locator("#b-enter").bounding_box()
    assert button
    assert 0 <= button["x"] <= PHONE["width"] - button["width"], button
    assert 0 <= button["y"] <= PHONE["height"] - button["height"], button
    phone.evaluate("window.scrollTo(0, 0)")

    keys = 0

    def press(key: str, times: int = 1) -> None:
        nonlocal keys
        for _ in range(times):
            keys += 1
            phone.keyboard.press(key)

    phone.get_by_role("button", name="Udskriv arbejdslisten").focus()
    press("Tab", 4)  # "Vælg alle på siden", the reference, the button, the list
    press("Tab")  # the first citizen's box: all ten of the citizen's records
    expect(phone.locator("input[data-citizen]").first).to_be_focused()
    press("Space")
    expect(phone.locator("#b-ticked")).to_have_text("10 valgt")
    press("Shift+Tab", 3)
    expect(phone.locator("#b-ref")).to_be_focused()
    for key in "J-77":
        press(key)
    before = phone.evaluate("window.scrollY"), where(phone.locator("#b-enter"))
    press("Enter")
    expect(phone.locator("#b-feedback")).to_have_text(
        "Indtastet i journal: 10 registreringer (reference J-77)."
    )
    expect(phone.locator("#b-count")).to_have_text("290 registreringer: afventer journal")
    expect(phone.locator("#b-enter")).to_be_focused()
    # The page did not jump: the button where her finger is, the page scrolled as before (give
    # or take the line the bar grows by to say what was done; the browser keeps the list still).
    assert where(phone.locator("#b-enter")) == before[1]
    assert abs(phone.evaluate("window.scrollY") - before[0]) <= 60
    assert keys <= 15, keys
    assert violations(phone) == []
    entered = entered_once(server, paper)
    assert sorted(entered) == sorted(paper.records[:EACH])
    assert set(entered.values()) == {1}


def test_the_printed_worklist_has_every_record_once_by_citizen_with_a_tick_and_no_controls(
    papers: dict[str, Paper], browser: Browser, server: Server
) -> None:
    paper = papers["C"]
    laptop = open_page(browser, server, WALL)
    go(laptop, "efterregistrering")
    worklist(laptop, paper, per_page="25")  # the print has them all, not just the page
    laptop.get_by_label("Vis navne og CPR").check()
    expect(laptop.locator("#worklist caption").first).to_contain_text(paper.names[0])
    laptop.evaluate("() => { window.print = () => { window.printed = true; }; }")
    laptop.get_by_role("button", name="Udskriv arbejdslisten").click()
    laptop.wait_for_function("() => window.printed === true")
    printed = laptop.pdf(prefer_css_page_size=True)  # A4, as the print stylesheet says
    (SCREENSHOTS / "arbejdsliste.pdf").write_bytes(printed)
    pdf = PdfReader(io.BytesIO(printed))
    laptop.emulate_media(media="print")
    laptop.set_viewport_size({"width": 794, "height": 1123})  # an A4 page at 96 dpi
    laptop.screenshot(path=str(SCREENSHOTS / "arbejdsliste-side-1.png"))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    for token in paper.tokens:
        assert len(re.findall(rf"\b{token}\b", text)) == 1, token  # every record, once
    for name in paper.names:
        assert text.count(name) == 1, name  # grouped: each citizen heads its records once
    assert text.count("☐") == len(paper.tokens)  # a tick box per record
    assert "Udskrevet " in text
    assert "Indtastet" in text
    for control in ("Indtastet i journal", "Vælg alle", "Annullér", "Log ud", "Næste side"):
        assert control not in text, control
    assert not re.search(r"\bVis\b", text)
    assert len(pdf.pages) <= 12, len(pdf.pages)  # 300 records: about 34 a page (was 8)
