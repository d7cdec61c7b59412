"""The dashboard as its users meet it: a wall screen, a carer's phone, an IT supporter's laptop."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from nedbrud_client import Client
from nedbrud_client import types as t
from tests.client.conftest import Server, declared
from tests.dashboard.conftest import PHONE, SCREENSHOTS, WALL, open_page, screenshot
from tests.e2e.conftest import ROOT

VIEWS = {
    "situation": "Situationsbillede",
    "ring": "Ring nu til",
    "registrer": "Registrér",
    "runde": "Runde",
    "efterregistrering": "Efterregistrering",
    "tidslinje": "Tidslinje",
    "parathed": "Parathed: printede medicinlister",
}


def incident_id(page: Page) -> str | None:
    """The outage the step form has chosen (its option's value)."""
    form = page.locator("form", has=page.get_by_text("Registrér et trin i planen"))
    option = form.get_by_label("Nedbrud").locator("option", has_text="Nexus nede i browsertest")
    return option.last.get_attribute("value")


def go(page: Page, view: str) -> None:
    page.get_by_role("navigation").get_by_role("link", name=VIEWS[view].split(":")[0]).click()
    page.get_by_role("heading", name=VIEWS[view], exact=True).wait_for()
    # The link of the view shown draws it again: wait until it is drawn, as her eyes would.
    expect(page.locator("#indhold")).not_to_have_attribute("aria-busy", "true")


def choose(select: Locator, text: str) -> None:
    """Pick the (last) option whose text contains `text`."""
    value = select.locator("option", has_text=text).last.get_attribute("value")
    select.select_option(value=value)


def fill_dispensing(page: Page, incident: str, unit: str, cpr: str, at: str) -> None:
    """The medication form, for the outage with this id (or, not a UUID, this title)."""
    form = page.locator("form", has=page.get_by_text("Manuel medicinudlevering"))
    if re.fullmatch(r"[0-9a-f-]{36}", incident):
        form.get_by_label("Nedbrud").select_option(value=incident)
    else:
        choose(form.get_by_label("Nedbrud"), incident)
    form.get_by_label("Enhed").select_option(value=unit)
    form.get_by_label("Borgerens CPR-nummer").fill(cpr)
    form.get_by_label("Tidspunkt").fill(at)
    form.get_by_label("Præparat").fill("Paracetamol")
    form.get_by_label("Dosis", exact=True).fill("2 tabl.")
    form.get_by_role("button", name="Registrér udlevering").click()


def offline_phone(browser: Browser, server: Server, unit: str) -> tuple[Page, str]:
    """A phone on the Registrér page with the network cut, and the id of an outage at `unit`."""
    incident = declared(server, unit=unit)
    phone = open_page(browser, server, PHONE)
    go(phone, "registrer")
    phone.context.set_offline(True)
    return phone, str(incident.incident_id)


def test_an_outage_is_run_from_the_forms_and_the_wall_screen_follows_live(
    browser: Browser, server: Server
) -> None:
    wall = open_page(browser, server, WALL)
    phone = open_page(browser, server, PHONE)
    expect(wall.locator("#live")).to_have_text("● Live")

    go(phone, "registrer")
    declare = phone.locator("form", has=phone.get_by_text("Meld IT-nedbrud"))
    declare.get_by_label("Hvad er nede?").fill("Nexus nede i browsertest")
    declare.get_by_label("Nexus (omsorgsjournal)").check()
    declare.get_by_label("FMK (Fælles medicinkort)").check()
    declare.get_by_label("Botilbuddet Engtoften").check()
    declare.get_by_role("button", name="Meld nedbrud").click()
    # The forms now point at the new outage, and say so beside the step form's button.
    expect(phone.locator("#s-feedback")).to_contain_text("Registreret: nedbrud")
    shown = wall.locator(
        "article.card", has=wall.get_by_role("heading", name="Nexus nede i browsertest")
    )
    expect(shown).to_be_visible()  # on the wall screen without a reload
    expect(shown.locator(".missing")).to_contain_text("IT-afdelingen kontaktet")

    step = phone.locator("form", has=phone.get_by_text("Registrér et trin i planen"))
    expect(step.get_by_label("Nedbrud")).to_have_value(str(incident_id(phone)))  # the new one
    choose(step.get_by_label("Trin"), "IT-afdelingen kontaktet")  # the card's word, too
    choose(step.get_by_label("Hvordan", exact=True), "Telefon")  # required: nothing chosen for her
    step.get_by_role("button", name="Registrér trin").click()
    expect(phone.locator("#s-feedback")).to_contain_text("IT-afdelingen kontaktet")
    expect(shown.locator(".missing")).not_to_contain_text("IT-afdelingen kontaktet")

    fill_dispensing(
        phone, "Nexus nede i browsertest", "botilbud-engtoften", "010170-0000", "2026-03-05T16:00"
    )
    expect(phone.locator("#m-feedback")).to_contain_text("Registreret")
    expect(phone.locator("#m-feedback")).to_contain_text(
        "Paracetamol 2 tabl. til borgeren kl. 16:00"
    )
    expect(shown).to_contain_text("1 papirregistrering afventer efterregistrering")

    expect(step.get_by_label("Nedbrud")).to_have_value(str(incident_id(phone)))  # still chosen
    choose(step.get_by_label("Trin"), "System virker igen")
    step.get_by_label("System").select_option("nexus")
    step.get_by_role("button", name="Registrér trin").click()
    expect(shown.locator(".up-tag")).to_have_text(["Nexus (omsorgsjournal)"])

    for page in (wall, phone):
        for view in VIEWS:
            go(page, view)
            screenshot(page, view)
    assert len(list(SCREENSHOTS.glob("*-360.png"))) >= len(VIEWS)
    assert len(list(SCREENSHOTS.glob(f"*-{WALL['width']}.png"))) >= len(VIEWS)

    # To the end of the plan: the rest restored and checked, the paper entered, then closed.
    go(wall, "situation")
    go(phone, "registrer")
    for kind, label, detail in (
        ("System virker igen", "System", "fmk"),
        ("Enheden har bekræftet, at systemerne virker igen", "Enhed", "botilbud-engtoften"),
    ):
        choose(step.get_by_label("Nedbrud"), "Nexus nede i browsertest")
        choose(step.get_by_label("Trin"), kind)
        step.get_by_label(label, exact=True).select_option(detail)
        step.get_by_role("button", name="Registrér trin").click()
        expect(phone.locator("#s-feedback")).to_contain_text("Registreret kl. ")
        expect(phone.locator("#s-feedback")).to_contain_text(kind)
    go(phone, "efterregistrering")
    phone.get_by_label("Enhed").select_option("botilbud-engtoften")
    phone.get_by_role("button", name="Vis").click()
    expect(phone.locator("#b-count")).to_have_text("1 registrering: afventer journal")
    phone.locator("#worklist").get_by_role("button", name=re.compile("Indtastet i journal")).click()
    expect(phone.locator("#b-count")).to_have_text("0 registreringer: afventer journal")
    go(phone, "registrer")
    choose(step.get_by_label("Nedbrud"), "Nexus nede i browsertest")
    choose(step.get_by_label("Trin"), "Nedbrud afsluttet")
    step.get_by_role("button", name="Registrér trin").click()
    expect(phone.locator("#s-feedback")).to_contain_text("Nedbrud afsluttet")
    expect(shown).to_have_count(0)  # closed: off the wall screen


def test_a_leader_records_scope_escalation_workaround_staffing_and_communication_in_the_forms(
    browser: Browser, server: Server
) -> None:
    unit = f"botilbud-leder-{uuid.uuid4().hex[:6]}"
    incident = declared(server, unit=unit)
    phone = open_page(browser, server, PHONE)
    go(phone, "registrer")
    step = phone.locator("form", has=phone.get_by_text("Registrér et trin i planen"))

    def record(kind: str, fields: dict[str, str | bool]) -> None:
        """Fill the step form: the step, then the fields it adds (by their labels, as shown)."""
        step.get_by_label("Nedbrud").select_option(value=str(incident.incident_id))
        choose(step.get_by_label("Trin"), kind)
        for label, value in fields.items():
            # The chosen step's fields are drawn after the choice: wait for this one's label
            # (a fieldset's legend or a field's label) before asking which kind it is.
            step.get_by_text(label, exact=True).first.wait_for()
            question = step.get_by_role("group", name=label, exact=True)
            if isinstance(value, bool) and question.count():  # a required yes/no: Ja or Nej
                question.get_by_label("Ja" if value else "Nej", exact=True).check()
                continue
            box = step.get_by_label(label, exact=True)
            if isinstance(value, bool):
                box.set_checked(value)
            elif box.evaluate("e => e.tagName") == "SELECT":
                choose(box, value)
            else:
                box.fill(value)
        step.get_by_role("button", name="Registrér trin").click()
        expect(phone.locator("#s-feedback")).to_contain_text("Registreret kl.")
        expect(phone.locator("#s-feedback")).to_contain_text(kind)

    shown_unit = unit.replace("-", " ").capitalize()  # not in the plan's catalogue: its slug
    record(
        "Alarm modtaget",
        {"Alarmen kom fra": "overvågningen", "Hvad alarmen siger": "Nexus svarer ikke"},
    )
    record(
        "Omfang og løsning afklaret",
        {
            "Nexus (omsorgsjournal)": True,
            shown_unit: True,
            "Kun én enhed er ramt": True,
            "Alvor": "Høj",
        },
    )
    choose(step.get_by_label("Trin"), "Arbejde uden IT aftalt")
    expect(step.get_by_label("Afdelingslederens medarbejdernummer")).to_be_visible()
    screenshot(phone, "registrer-trin")  # a step with fields of its own, at phone width
    record(
        "Vurderet, om nærmeste leder og Socialchefen skal informeres",
        {
            "Nærmeste leder skal informeres": True,
            "Socialchefen skal informeres": False,
            "Begrundelse": "Kun én enhed, papirlister er printet",
        },
    )
    record(
        "Arbejde uden IT aftalt",
        {
            "Enhed": shown_unit,
            "Afdelingslederens medarbejdernummer": "emp-2001",
            "Nærmeste leders medarbejdernummer": "emp-2002",
            "Hvordan der arbejdes uden IT": "Papirlister og telefon til sygeplejersken",
        },
    )
    record(
        "Behov for ekstra medarbejdere drøftet med nærmeste leder",
        {"Enhed": shown_unit, "Antal ekstra medarbejdere": "2"},
    )
    record(
        "Vurderet, om Kommunikationsafdelingen skal inddrages",
        {"Kommunikationsafdelingen inddrages": False, "Begrundelse": "Kun internt"},
    )
    record(
        "Information givet",
        {
            "Til": "Medarbejdere",
            "Hvordan (fx sms, intranet)": "sms",
            "Hvad der blev meldt ud": "Nexus er nede; brug papirlisterne",
        },
    )
    record("Eskaleret", {"Eskaleret til": "Socialchef"})
    # "Bemanding besluttet" chooses the request from the outage's own (once the picture has it).
    for _ in range(20):
        go(phone, "registrer")
        choose(step.get_by_label("Trin"), "Bemanding besluttet")
        if step.get_by_label("Anmodningen").locator("option", has_text="2 medarbejdere").count():
            break
        phone.wait_for_timeout(300)
    record(
        "Bemanding besluttet",
        {"Anmodningen": "2 medarbejdere", "Antal bevilgede medarbejdere": "1"},
    )

    with Client(server.url, server.key) as client:
        timeline = client.get_incident_timeline(incident.incident_id)
    data = {entry.type: entry.data for entry in timeline}
    assert data["alarm-received"]["source"] == "overvågningen"
    assert data["scope-assessed"]["affected_units"] == [unit]
    assert data["scope-assessed"]["isolated_to_single_unit"] is True
    assert data["scope-assessed"]["severity"] == "high"
    assert data["escalation-assessed"]["inform_nearest_leader"] is True
    assert data["escalation-assessed"]["inform_socialchef"] is False
    assert data["workaround-agreed"]["unit"] == unit
    assert data["staffing-requested"]["extra_staff"] == 2
    assert data["communications-decided"]["involve_communications"] is False
    assert data["communication-sent"]["audience"] == "staff"
    assert data["escalated"]["to_role"] == "socialchef"
    assert data["staffing-decided"]["granted_staff"] == 1


def test_a_record_made_in_error_is_voided_with_a_reason_and_leaves_the_pending_list(
    browser: Browser, server: Server
) -> None:
    unit = f"botilbud-fejl-{uuid.uuid4().hex[:6]}"
    dispensed(server, declared(server, unit=unit), unit, 4)
    laptop = open_page(browser, server, WALL)
    go(laptop, "efterregistrering")
    laptop.get_by_label("Enhed").select_option(unit)
    laptop.get_by_role("button", name="Vis").click()
    rows = laptop.locator("#worklist tbody tr")
    expect(rows).to_have_count(1)
    rows.first.get_by_text("Annullér", exact=True).click()
    rows.first.get_by_label(re.compile("Begrundelse for at annullere")).fill("Forkert borger")
    screenshot(laptop, "efterregistrering-annuller")
    rows.first.get_by_role("button", name="Annullér registreringen").click()
    expect(laptop.locator("#message")).to_contain_text("Annulleret")
    expect(laptop.locator("#b-count")).to_have_text("0 registreringer: afventer journal")
    laptop.get_by_label("Status").select_option("voided")
    laptop.get_by_role("button", name="Vis").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Annulleret")


def test_a_new_printed_medication_list_is_recorded_in_parathed(
    browser: Browser, server: Server
) -> None:
    unit = "bosted-aahuset"  # from the plan's catalogue
    laptop = open_page(browser, server, WALL)
    go(laptop, "parathed")
    laptop.get_by_label("Enhed").select_option(unit)
    laptop.get_by_role("button", name="Registrér udskrift").click()
    expect(laptop.locator("#p-feedback")).to_contain_text("Registreret")
    row = laptop.locator(f"tbody tr[data-unit='{unit}']")
    expect(row).to_have_count(1)  # shown once the readiness projection has the print
    expect(row).to_contain_text("OK")


def test_the_live_marker_shows_a_lost_connection_and_its_return(
    browser: Browser, server: Server
) -> None:
    wall = open_page(browser, server, WALL)
    expect(wall.locator("#live")).to_have_text("● Live")
    wall.context.set_offline(True)
    expect(wall.locator("#live")).to_contain_text("Forbindelsen er tabt", timeout=15000)
    wall.context.set_offline(False)
    expect(wall.locator("#live")).to_have_text("● Live", timeout=15000)
    title = "Nyt nedbrud efter genforbindelse"
    with Client(server.url, server.key) as client:
        client.declare_incident(
            t.DeclareIncident(
                title=title,
                detected_via="monitoring",
                reported_by=t.PersonIn(id="mon"),
                affected_systems=["fmk"],
                occurred_at=datetime.now().astimezone() - timedelta(minutes=1),
            )
        )
    expect(wall.get_by_role("heading", name=title)).to_be_visible()


def test_two_dispensings_made_offline_arrive_once_when_the_network_is_back(
    browser: Browser, server: Server
) -> None:
    phone, outage = offline_phone(browser, server, "botilbud-offline-web")
    fill_dispensing(phone, outage, "botilbud-offline-web", "010170-0000", "2026-03-05T08:00")
    expect(phone.locator("#m-feedback")).to_contain_text("Gemt på telefonen")
    fill_dispensing(phone, outage, "botilbud-offline-web", "020280-1234", "2026-03-05T08:15")
    expect(phone.locator("#waiting")).to_have_text("2 venter på at blive sendt")

    phone.context.set_offline(False)
    expect(phone.locator("#waiting")).to_have_text("", timeout=20000)
    assert (
        phone.evaluate("import('./outbox.js').then(async (o) => (await o.refused()).length)") == 0
    )
    with Client(server.url, server.key) as client:
        assert len(pending_records(client, UUID(outage), 2)) == 2
        # Sent again, as after an answer lost on the way back: still two.
        phone.evaluate("import('./outbox.js').then((o) => o.flush())")
        time.sleep(0.5)
        assert len(pending_records(client, UUID(outage), 2)) == 2


def pending_records(client: Client, incident: UUID, expected: int) -> list[Any]:
    """The incident's paper records once the worklist has caught up (it is a projection)."""
    for _ in range(50):
        found = client.list_back_entry(incident=incident)
        if len(found) >= expected:
            return found
        time.sleep(0.1)
    return found


def dispensed(server: Server, incident: t.IncidentDeclared, unit: str, minute: int) -> None:
    with Client(server.url, server.key) as client:
        client.record_medication_dispensing(
            incident.incident_id,
            t.RecordMedicationDispensing(
                medication=t.MedicationIn(name="Panodil", dose="1 tabl."),
                dispensed_at=datetime.fromisoformat(f"2026-03-05T09:{minute:02d}:00+01:00"),
                citizen=t.CitizenIn(ref="cit_" + "d" * 24),
                unit=unit,
                by=t.PersonIn(id="emp-1"),
            ),
        )


def shown(unit: str) -> str:
    """A unit the plan's catalogue does not name, as the dashboard shows it."""
    return unit.replace("-", " ").capitalize()


def test_marking_a_record_entered_removes_it_from_that_units_pending_list_only(
    browser: Browser, server: Server
) -> None:
    # Units of this run's own, so records other tests left in the database do not count.
    a, b = (f"botilbud-{name}-{uuid.uuid4().hex[:6]}" for name in "ab")
    incident = declared(server, unit=a, also=(b,))
    for unit, minute in ((a, 1), (a, 2), (b, 3)):
        dispensed(server, incident, unit, minute)
    laptop = open_page(browser, server, WALL)
    go(laptop, "efterregistrering")
    rows = laptop.locator("#worklist tbody tr")
    laptop.get_by_label("Enhed").select_option(b)
    laptop.get_by_role("button", name="Vis").click()
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text([shown(b)])
    laptop.get_by_label("Enhed").select_option(a)
    laptop.get_by_role("button", name="Vis").click()
    expect(rows).to_have_count(2)
    expect(rows).to_contain_text([shown(a), shown(a)])
    expect(laptop.locator("#b-count")).to_have_text("2 registreringer: afventer journal")

    rows.first.get_by_role("button", name=re.compile("Indtastet i journal")).click()
    expect(rows).to_have_count(1)
    expect(laptop.locator("#b-count")).to_have_text("1 registrering: afventer journal")
    # Focus stays where she works: on the next record's button, not lost to the page.
    expect(rows.first.get_by_role("button", name=re.compile("Indtastet i journal"))).to_be_focused()
    laptop.get_by_label("Enhed").select_option(b)
    laptop.get_by_role("button", name="Vis").click()
    expect(rows).to_contain_text([shown(b)])  # the other unit's record is still waiting
    expect(rows).to_have_count(1)
    laptop.get_by_label("Status").select_option("entered")
    laptop.get_by_label("Enhed").select_option(a)
    laptop.get_by_role("button", name="Vis").click()
    expect(rows).to_contain_text([shown(a)])
    expect(rows).to_contain_text(["Indtastet i journal"])
    expect(rows).to_have_count(1)


@pytest.mark.parametrize(
    ("key", "said"),
    [("nbd_not-a-real-key", "Nøglen kendes ikke eller er spærret")],
)
def test_a_wrong_key_gets_a_danish_message_and_no_access(
    browser: Browser, server: Server, key: str, said: str
) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{server.url}/dashboard/")
    page.get_by_label("API-nøgle").fill(key)
    page.get_by_role("button", name="Log ind").click()
    expect(page.locator("#message")).to_contain_text(said)
    expect(page.get_by_role("navigation")).to_be_hidden()


def test_a_key_whose_role_may_not_see_the_worklist_gets_a_danish_reason(
    browser: Browser, server: Server
) -> None:
    made = subprocess.run(
        [sys.executable, "-m", "service.cli", "keys", "create", "--role", "it", "--label", "it"],
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": server.env["DATABASE_URL"]},
        capture_output=True,
        text=True,
        check=True,
    )
    it_key = json.loads(made.stdout)["key"]
    laptop = open_page(browser, server, WALL, key=it_key)
    go(laptop, "efterregistrering")
    expect(laptop.locator("#message")).to_contain_text("Ikke tilladt med din nøgle")
    expect(laptop.locator("#worklist tbody tr")).to_have_count(0)
    go(laptop, "situation")  # what IT may see, it sees
    expect(laptop.locator("#live")).to_have_text("● Live")


def test_a_record_refused_after_the_network_came_back_is_shown_with_its_reason(
    browser: Browser, server: Server
) -> None:
    phone, outage = offline_phone(browser, server, "botilbud-refused-web")
    fill_dispensing(phone, outage, "botilbud-refused-web", "010170-0000", "2099-01-01T08:00")
    expect(phone.locator("#waiting")).to_have_text("1 venter på at blive sendt")
    phone.context.set_offline(False)
    expect(phone.locator("#waiting")).to_contain_text("1 afvist")
    go(phone, "registrer")
    refused = phone.get_by_role("region", name="Afviste registreringer")
    expect(refused).to_contain_text("Medicin: Paracetamol 2 tabl.")
    expect(refused).to_contain_text("Tidspunkt ligger i fremtiden")
    refused.get_by_role("button", name="Kassér").click()
    expect(phone.get_by_role("region", name="Afviste registreringer")).to_have_count(0)
    expect(phone.locator("#waiting")).to_have_text("")
