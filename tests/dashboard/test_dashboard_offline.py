"""The night shift's phone: the dashboard opens, reloads and records with no network; a refused
record never holds up the others and can be corrected and sent again; a double tap stores one
record; a refusal is said in Danish, naming the field as the form does."""

from __future__ import annotations

import time
from uuid import UUID, uuid4

from playwright.sync_api import Browser, Page, expect

from nedbrud_client import Client
from tests.client.conftest import Server, declared
from tests.dashboard.conftest import PHONE, open_page, screenshot
from tests.dashboard.test_dashboard import VIEWS, fill_dispensing, go, pending_records
from tests.e2e.test_server_roundtrip import KEY

READY = """() => !!navigator.serviceWorker.controller
  && !!localStorage.getItem("nedbrud-plan") && !!localStorage.getItem("nedbrud-contacts")"""


def ready_for_the_night(page: Page) -> None:
    """The service worker controls the page, and the plan and a week of contacts are kept."""
    page.wait_for_function(READY, timeout=20_000)
    go(page, "situation")  # the outages this login sees are kept for it


def records(server: Server, outage: str, expected: int) -> list[object]:
    with Client(server.url, server.key) as client:
        return list(pending_records(client, UUID(outage), expected))


def test_a_phone_with_no_network_from_the_start_opens_and_records_two_dispensings(
    browser: Browser, server: Server
) -> None:
    unit = "botilbud-nat-offline"
    outage = str(declared(server, unit=unit).incident_id)
    phone = open_page(browser, server, PHONE)
    ready_for_the_night(phone)
    phone.context.set_offline(True)

    phone.reload()  # the service worker opens the app; the login of this tab still holds
    expect(phone.get_by_role("heading", name="Situationsbillede", exact=True)).to_be_visible()
    expect(phone.locator("#fresh")).to_contain_text("viser data fra")
    expect(phone.locator(f"article[data-incident='{outage}']")).to_be_visible()
    go(phone, "ring")
    expect(phone.get_by_role("region", name="Ring nu til")).to_contain_text("Ring nu til ")
    expect(phone.get_by_role("region", name="Ring nu til")).to_contain_text("Gælder til")
    go(phone, "registrer")
    fill_dispensing(phone, outage, unit, "010170-0000", "2026-03-05T08:00")
    expect(phone.locator("#m-feedback")).to_contain_text("Gemt på telefonen")

    # A new tab, with no network at all: it opens, and the same key logs in to its own outbox.
    tab = phone.context.new_page()
    tab.goto(phone.url.split("#")[0])
    tab.get_by_label("API-nøgle").fill(KEY)
    tab.get_by_label("Dit medarbejdernummer").fill("emp-1042")
    tab.get_by_role("button", name="Log ind").click()
    expect(tab.get_by_role("heading", name="Situationsbillede", exact=True)).to_be_visible()
    go(tab, "registrer")
    fill_dispensing(tab, outage, unit, "020280-1234", "2026-03-05T08:15")
    expect(tab.locator("#waiting")).to_have_text("2 venter på at blive sendt")
    for view in VIEWS:
        go(tab, view)
        screenshot(tab, f"{view}-offline")
    go(tab, "registrer")

    # The service worker kept the app, never an answer of /v1 (those are this login's own).
    kept = tab.evaluate(
        "caches.keys().then(async (names) => (await Promise.all(names.map("
        "async (n) => (await (await caches.open(n)).keys()).map((r) => r.url)))).flat())"
    )
    assert kept
    assert not [url for url in kept if "/v1/" in url]

    phone.context.set_offline(False)
    expect(tab.locator("#waiting")).to_have_text("", timeout=20_000)
    assert len(records(server, outage, 2)) == 2
    # Delivered, the records are gone from the browser: no CPR number stays behind.
    left = "import('./outbox.js').then(async (o) => (await o.waiting()).length)"
    assert tab.evaluate(left) == 0
    time.sleep(1)  # both tabs have sent what they had: each record still once
    assert len(records(server, outage, 3)) == 2


def test_a_refused_record_does_not_hold_up_the_next_and_is_corrected_and_sent_again(
    browser: Browser, server: Server
) -> None:
    unit = "botilbud-nat-afvist"
    outage = str(declared(server, unit=unit).incident_id)
    phone = open_page(browser, server, PHONE)
    go(phone, "registrer")
    phone.context.set_offline(True)
    fill_dispensing(phone, outage, unit, "010170-0000", "2099-01-01T08:00")  # the future
    fill_dispensing(phone, outage, unit, "020280-1234", "2026-03-05T08:15")
    expect(phone.locator("#waiting")).to_have_text("2 venter på at blive sendt")
    phone.context.set_offline(False)
    expect(phone.locator("#waiting")).to_contain_text("1 afvist", timeout=20_000)
    assert len(records(server, outage, 1)) == 1  # the one after it went on

    go(phone, "registrer")
    refused = phone.get_by_role("region", name="Afviste registreringer")
    expect(refused).to_contain_text("Tidspunkt ligger i fremtiden")  # the form's own label
    screenshot(phone, "registrer-afvist")
    refused.get_by_role("button", name="Ret").click()
    fix = refused.locator("form")
    expect(fix.get_by_label("Borgerens CPR-nummer")).to_have_value("010170-0000")  # kept
    fix.get_by_label("Tidspunkt").fill("2026-03-05T08:00")
    fix.get_by_role("button", name="Send igen").click()
    expect(fix.locator(".feedback")).to_contain_text("Registreret")
    assert len(records(server, outage, 2)) == 2
    refused_now = "import('./outbox.js').then(async (o) => (await o.refused()).length)"
    assert phone.evaluate(refused_now) == 0
    expect(phone.locator("#waiting")).to_have_text("")


def test_a_double_tap_stores_one_dispensing(browser: Browser, server: Server) -> None:
    unit = "botilbud-nat-dobbelt"
    outage = str(declared(server, unit=unit).incident_id)
    phone = open_page(browser, server, PHONE)
    go(phone, "registrer")
    form = phone.locator("form", has=phone.get_by_text("Manuel medicinudlevering"))
    form.get_by_label("Nedbrud").select_option(value=outage)
    form.get_by_label("Enhed").select_option(value=unit)
    form.get_by_label("Borgerens CPR-nummer").fill("010170-0000")
    form.get_by_label("Præparat").fill("Paracetamol")
    form.get_by_label("Dosis", exact=True).fill("2 tabl.")
    # Two submits in one moment, as a shaking thumb gives them, then a double click.
    form.evaluate("f => { f.requestSubmit(); f.requestSubmit(); }")
    expect(phone.locator("#m-feedback")).to_contain_text("Registreret")
    assert len(records(server, outage, 2)) == 1
    form.get_by_label("Borgerens CPR-nummer").fill("020280-1234")
    form.get_by_label("Præparat").fill("Panodil")
    form.get_by_label("Dosis", exact=True).fill("1 tabl.")
    form.get_by_role("button", name="Registrér udlevering").dblclick()
    expect(phone.locator("#m-feedback")).to_contain_text("Panodil 1 tabl.")
    time.sleep(1)
    assert len(records(server, outage, 3)) == 2


def test_a_refusal_is_said_in_danish_naming_the_field_as_the_form_does(
    browser: Browser, server: Server
) -> None:
    unit = "botilbud-nat-cpr"
    outage = str(declared(server, unit=unit).incident_id)
    phone = open_page(browser, server, PHONE)
    go(phone, "registrer")
    fill_dispensing(phone, outage, unit, "321399-1234", "2026-03-05T08:00")
    said = phone.locator("#m-feedback")
    expect(said).to_contain_text("Borgerens CPR-nummer skal skrives som DDMMÅÅ-XXXX")
    expect(said).not_to_contain_text("regex")
    expect(said).not_to_contain_text("citizen")
    form = phone.locator("form", has=phone.get_by_text("Manuel medicinudlevering"))
    expect(form.get_by_label("Borgerens CPR-nummer")).to_have_value("321399-1234")  # kept
    screenshot(phone, "registrer-cpr-afvist")
    form.get_by_label("Borgerens CPR-nummer").fill("010170-0000")
    form.get_by_role("button", name="Registrér udlevering").click()
    expect(said).to_contain_text("Registreret")
    assert len(records(server, outage, 1)) == 1


def test_an_outage_refused_after_the_network_came_back_is_sent_again_and_offered_at_once(
    browser: Browser, server: Server
) -> None:
    """Declared offline with a time the server refuses (the future), the outage waits under
    "Afviste registreringer"; "Send igen" sends it as of now, and the forms offer it at once
    (drawn from the picture once the picture holds it, not before)."""
    title = f"Nexus nede, meldt igen {uuid4().hex[:6]}"
    phone = open_page(browser, server, PHONE)
    go(phone, "registrer")
    phone.context.set_offline(True)
    declare = phone.locator("form", has=phone.get_by_text("Meld IT-nedbrud"))
    declare.get_by_label("Hvad er nede?").fill(title)
    declare.get_by_label("Nexus (omsorgsjournal)").check()
    declare.get_by_label("Botilbuddet Engtoften").check()
    declare.get_by_label("Opdaget kl., hvis ikke nu").fill("2099-01-01T08:00")
    declare.get_by_role("button", name="Meld nedbrud").click()
    expect(phone.locator("#d-feedback")).to_contain_text("Gemt på telefonen")
    phone.context.set_offline(False)
    expect(phone.locator("#waiting")).to_contain_text("1 afvist", timeout=20_000)

    go(phone, "registrer")
    refused = phone.get_by_role("region", name="Afviste registreringer")
    expect(refused).to_contain_text(f"Nedbrud: {title}")
    refused.get_by_role("button", name="Send igen").click()
    expect(phone.get_by_role("region", name="Afviste registreringer")).to_have_count(0)
    medication = phone.locator("form", has=phone.get_by_text("Manuel medicinudlevering"))
    expect(medication.get_by_label("Nedbrud").locator("option", has_text=title)).to_have_count(1)
    with Client(server.url, server.key) as client:
        open_now = client.get_situation().incidents
    assert [i.title for i in open_now if i.title == title] == [title]


def test_the_same_dose_saved_twice_offline_is_warned_of_and_saved_again_only_on_a_second_press(
    browser: Browser, server: Server
) -> None:
    """With no network no server can say "already given": the phone itself says that the same
    medicine for the same citizen is waiting to be sent, and saves it again only when she
    presses once more (a second dose can be meant)."""
    unit = "botilbud-nat-samme-dosis"
    outage = str(declared(server, unit=unit).incident_id)
    phone = open_page(browser, server, PHONE)
    go(phone, "registrer")
    phone.context.set_offline(True)
    fill_dispensing(phone, outage, unit, "010170-0000", "2026-03-05T08:00")
    expect(phone.locator("#m-feedback")).to_contain_text("Gemt på telefonen")
    fill_dispensing(phone, outage, unit, "0101700000", "2026-03-05T08:10")  # the same, no dash
    feedback = phone.locator("#m-feedback")
    expect(feedback).to_contain_text("Paracetamol til borgeren venter allerede på at blive sendt")
    expect(feedback).to_contain_text("registreret givet kl. 08.00")
    expect(phone.locator("#waiting")).to_have_text("1 venter på at blive sendt")
    screenshot(phone, "registrer-samme-dosis")
    form = phone.locator("form", has=phone.get_by_text("Manuel medicinudlevering"))
    expect(form.get_by_label("Borgerens CPR-nummer")).to_have_value("0101700000")  # kept
    form.get_by_role("button", name="Registrér udlevering").click()
    expect(feedback).to_contain_text("Gemt på telefonen")
    expect(phone.locator("#waiting")).to_have_text("2 venter på at blive sendt")
    fill_dispensing(phone, outage, unit, "020280-1234", "2026-03-05T08:15")  # another citizen
    expect(feedback).to_contain_text("Gemt på telefonen")
    phone.context.set_offline(False)
    expect(phone.locator("#waiting")).to_have_text("", timeout=20_000)
    assert len(records(server, outage, 3)) == 3
