"""Paper from the dashboard: the paper kit printed from Parathed, each of its QR codes scanned and
opened in the browser; the action cards under "Ring nu til"; and the printouts of the timeline
and of the contact schedule (Chromium's own page.pdf()): no controls, everything once."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import Browser, Locator, Page, expect

from nedbrud_client import Client
from nedbrud_client import types as t
from tests.api.nodliste import a_cpr, a_list, citizen, insulin, two_citizens
from tests.client.conftest import AT, Server, declared
from tests.dashboard.conftest import SCREENSHOTS, WALL, open_page, screenshot
from tests.dashboard.test_dashboard import go
from tests.e2e.test_server_roundtrip import KEY
from tests.pdf_pages import page_texts, rendered_qr_codes

DASH = "\N{EN DASH}"
CONTROLS = ("Log ud", "Hent CSV", "Efterregistrering", "Udskriv nødpakke", "Action cards og")


def unit_with_a_list(server: Server) -> tuple[str, str, str]:
    """A new unit keeping a list of two citizens: the unit and their CPR numbers."""
    unit = f"botilbud-papir-{uuid.uuid4().hex[:6]}"
    body, aase, bent = two_citizens()
    kept = httpx.put(
        f"{server.url}/v1/units/{unit}/emergency-list",
        json=body,
        headers={"Authorization": f"Bearer {server.key}"},
    )
    assert kept.status_code == 201, kept.text
    return unit, aase, bent


def unit_with_doses_soon(server: Server) -> tuple[str, str]:
    """A new unit whose list has an insulin dose and a visit in the next few hours (within the
    rounds' look ahead, as a code is scanned when its dose is near): the unit and a CPR number."""
    unit = f"botilbud-papir-{uuid.uuid4().hex[:6]}"
    now = datetime.now(ZoneInfo("Europe/Copenhagen"))
    soon, later = (f"{now + timedelta(hours=h):%H:%M}" for h in (1, 2))
    aase = a_cpr()
    visit = {"item_id": "tilsyn", "kind": "care", "service": "Tilsyn", "times": [later]}
    body = a_list(
        citizen(aase, "Aase Testesen", insulin((soon,)), vital_needs="Insulinkrævende diabetes"),
        citizen(a_cpr(), "Bent Prøvesen", visit),
    )
    kept = httpx.put(
        f"{server.url}/v1/units/{unit}/emergency-list",
        json=body,
        headers={"Authorization": f"Bearer {server.key}"},
    )
    assert kept.status_code == 201, kept.text
    return unit, aase


def download(page: Page, button: Locator) -> bytes:
    with page.expect_download() as info:
        button.click()
    return Path(info.value.path()).read_bytes()


def test_the_paper_kit_from_parathed_names_citizens_and_each_qr_code_opens_its_round(
    browser: Browser, server: Server
) -> None:
    unit, aase = unit_with_doses_soon(server)
    outage = declared(server, unit=unit)
    laptop = open_page(browser, server, WALL)
    go(laptop, "parathed")
    laptop.get_by_label("Med navne og CPR").check()
    kit = download(laptop, laptop.locator(f"button[data-kit='{unit}']"))
    expect(laptop.locator("#k-feedback")).to_contain_text("Registreret som printet medicinliste")
    printed = laptop.locator(f"tbody tr[data-unit='{unit}'] td[data-label='Printet']")
    expect(printed).not_to_have_text(DASH)  # the readiness view has the print
    screenshot(laptop, "parathed-noedpakke")
    text = " ".join(page_texts(kit))
    assert "Aase Testesen" in text
    assert f"{aase[:6]}-{aase[6:]}" in text
    codes = [c for page in rendered_qr_codes(kit, "dashboard-kit") for c in page]
    assert len(codes) == 2  # the visit and the insulin, each once
    with Client(server.url, server.key) as client:
        refs = {c.citizen_ref for c in client.get_emergency_list(unit).citizens}
        logged = {a.citizen_ref for r in refs for a in client.list_access_log(r)}
    assert logged == refs  # each citizen printed is in the access log

    for n, url in enumerate(codes):
        parts = urlsplit(url)
        assert url.startswith(f"{server.url}/dashboard/#/runde?")
        asked = parse_qs(parts.fragment.partition("?")[2])
        assert asked["unit"] == [unit]
        assert asked["incident"] == [str(outage.incident_id)]
        # A carer's phone scans it: the dashboard asks for the key, then opens the round on
        # that occurrence's row, its first button focused (the form for recording it).
        context = browser.new_context(viewport={"width": 360, "height": 780}, locale="da-DK")
        phone = context.new_page()
        phone.goto(url)
        phone.get_by_label("API-nøgle").fill(KEY)
        phone.get_by_role("button", name="Log ind").click()
        line = phone.locator(f"[data-occurrence='{asked['occurrence'][0]}']")
        expect(line).to_be_in_viewport()
        expect(line.get_by_role("button").first).to_be_focused()
        assert phone.evaluate("location.hash").startswith("#/runde?")
        phone.screenshot(path=str(SCREENSHOTS / f"qr-opened-{n}.png"))
        context.close()


def test_the_action_cards_are_under_ring_nu_til_with_the_whole_contact_schedule(
    browser: Browser, server: Server
) -> None:
    page = open_page(browser, server, WALL)
    go(page, "ring")
    schedule = page.get_by_role("region", name="Kontaktskema for hele ugen")
    expect(schedule.locator("tbody tr")).to_have_count(7)
    expect(schedule.locator("tr[data-day='thu']")).to_contain_text(f"07.00{DASH}17.00")
    cards = download(page, page.get_by_role("button", name="Action cards og kontaktskema (PDF)"))
    assert sum("ACTION CARD" in p for p in page_texts(cards)) == 11

    pdf = page.pdf(format="A4")
    assert rendered_qr_codes(pdf, "print-ring-nu-til") == [[]]  # one page, kept to look at
    text = " ".join(page_texts(pdf))
    for day in ("Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag", "Lørdag", "Søndag"):
        assert text.count(day) == 1, day
    for hours in (
        f"07.00{DASH}15.30",
        f"15.30{DASH}21.00",
        f"07.00{DASH}13.30",
        f"13.30{DASH}18.00",
        f"08.00{DASH}16.00",
    ):
        assert hours in text
    assert "Ring nu til" in text
    assert "87 87 87 87" in text
    assert "Helligdage" in text
    assert not [c for c in CONTROLS if c in text]
    screenshot(page, "ring-nu-til-skema")


def test_the_printed_timeline_has_every_field_of_each_event_once_and_no_controls(
    browser: Browser, server: Server
) -> None:
    outage = declared(server, unit=f"botilbud-tidslinje-{uuid.uuid4().hex[:6]}")
    note = f"Printnote {uuid.uuid4().hex[:8]}"
    with Client(server.url, server.key) as client:
        client.record_incident_step(
            outage.incident_id,
            t.NoteAddedIn(occurred_at=AT, by=t.PersonIn(id="it-7"), text=note),
        )
        entries = client.get_incident_timeline(outage.incident_id)
    page = open_page(browser, server, WALL)
    go(page, "tidslinje")
    page.get_by_label("Nedbrud").select_option(str(outage.incident_id))
    page.get_by_role("button", name="Vis").click()
    expect(page.locator(f"tr[data-event='{entries[-1].event_id}']")).to_be_visible()
    expect(page.locator("#timeline tbody tr[data-event]")).to_have_count(len(entries))
    pdf = page.pdf(format="A4")
    rendered_qr_codes(pdf, "print-tidslinje")
    printed = " ".join(page_texts(pdf))
    for entry in entries:
        assert printed.count(str(entry.event_id)) == 1, entry.type
        assert f"position {entry.position}" in printed
    assert "type note-added" in printed
    assert note not in printed  # a note is free text: shown (and printed) only with a purpose
    assert "reported_by.id emp-1" in printed
    assert "affected_systems nexus, fmk" in printed
    assert not [c for c in CONTROLS if c in printed]
