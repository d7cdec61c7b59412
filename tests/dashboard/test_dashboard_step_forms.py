"""The step forms as a night nurse meets them on a phone: nothing is chosen for her (a required
yes/no is "Ja" or "Nej", a required choice starts on "Vælg …"), what is missing is said in
Danish, naming the field, before anything is sent or saved, and a step saved on the phone says
by its form when it has been sent, or refused and can be corrected there."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from playwright.sync_api import Browser, Locator, Page, expect

from nedbrud_client import Client
from nedbrud_client import types as t
from tests.client.conftest import Server, declared
from tests.dashboard.conftest import PHONE, open_page, screenshot
from tests.dashboard.test_dashboard import choose, go
from tests.dashboard.test_dashboard_axe import violations

CPH = ZoneInfo("Europe/Copenhagen")  # the phones' clock (the browser context's time zone)
WAITING = "import('./outbox.js').then(async (o) => (await o.waiting()).length)"


def step_form(phone: Page, incident: UUID, kind: str) -> Locator:
    go(phone, "registrer")
    step = phone.locator("form", has=phone.get_by_text("Registrér et trin i planen"))
    step.get_by_label("Nedbrud").select_option(value=str(incident))
    choose(step.get_by_label("Trin"), kind)
    return step


def steps_of(server: Server, incident: UUID, kind: str) -> list[dict[str, Any]]:
    with Client(server.url, server.key) as client:
        timeline = client.get_incident_timeline(incident)
    return [entry.data for entry in timeline if entry.type == kind]


def outage_on_a_phone(browser: Browser, server: Server, name: str) -> tuple[UUID, Page]:
    """An outage at a unit of its own, and a phone logged in on the situation picture."""
    incident = declared(server, unit=f"botilbud-{name}-{uuid.uuid4().hex[:6]}").incident_id
    return incident, open_page(browser, server, PHONE)


def focused_id(phone: Page) -> str:
    return str(phone.evaluate("document.activeElement.id"))


def test_a_required_yes_no_is_ja_or_nej_and_left_open_it_is_refused_in_the_form(
    browser: Browser, server: Server
) -> None:
    incident, phone = outage_on_a_phone(browser, server, "jn")
    step = step_form(phone, incident, "Omfang og løsning afklaret")
    question = step.get_by_role("group", name="Kun én enhed er ramt", exact=True)
    yes, no = question.get_by_label("Ja", exact=True), question.get_by_label("Nej", exact=True)
    expect(yes).not_to_be_checked()
    expect(no).not_to_be_checked()
    # It is its own question, not one more unit in "Berørte enheder".
    units = step.get_by_role("group", name="Berørte enheder")
    expect(units.get_by_text("Kun én enhed er ramt")).to_have_count(0)

    said = phone.locator("#s-feedback")
    step.get_by_role("button", name="Registrér trin").click()  # nothing ticked at all
    expect(said).to_contain_text("Systemer, der er nede")
    assert focused_id(phone) == "s-affected_systems-0"
    step.get_by_label("Nexus (omsorgsjournal)").check()
    step.get_by_role("button", name="Registrér trin").click()
    expect(said).to_contain_text("Berørte enheder")
    units.get_by_role("checkbox").first.check()
    step.get_by_role("button", name="Registrér trin").click()
    expect(said).to_contain_text("Svar Ja eller Nej til „Kun én enhed er ramt“")
    assert focused_id(phone) == "s-isolated_to_single_unit-ja"
    screenshot(phone, "trin-ja-nej-mangler")
    assert violations(phone) == []  # the radios, the hint, the form to correct: axe-clean
    assert phone.evaluate(WAITING) == 0  # nothing saved to send
    assert steps_of(server, incident, "scope-assessed") == []

    no.check()
    step.get_by_role("button", name="Registrér trin").click()
    expect(said).to_contain_text("Registreret kl.")
    [scope] = steps_of(server, incident, "scope-assessed")
    assert scope["isolated_to_single_unit"] is False


def test_a_required_choice_starts_on_vaelg_and_is_not_sent_until_chosen(
    browser: Browser, server: Server
) -> None:
    incident, phone = outage_on_a_phone(browser, server, "vaelg")
    step = step_form(phone, incident, "Eskaleret")
    to = step.get_by_label("Eskaleret til", exact=True)
    expect(to).to_have_value("")
    expect(to.locator("option:checked")).to_have_text("Vælg …")
    step.get_by_role("button", name="Registrér trin").click()
    said = phone.locator("#s-feedback")
    expect(said).to_contain_text("Vælg „Eskaleret til“")
    assert focused_id(phone) == "s-to_role"
    assert phone.evaluate(WAITING) == 0
    assert steps_of(server, incident, "escalated") == []
    screenshot(phone, "trin-vaelg-mangler")

    choose(to, "Socialchef")
    step.get_by_role("button", name="Registrér trin").click()
    expect(said).to_contain_text("Registreret kl.")
    assert [e["to_role"] for e in steps_of(server, incident, "escalated")] == ["socialchef"]

    # An optional choice keeps its choice of none, already chosen.
    choose(step.get_by_label("Trin"), "IT-afdelingen kontaktet")
    expect(step.get_by_label("Hvordan", exact=True)).to_have_value("")
    expect(step.get_by_label("Hvem", exact=True)).to_have_value("")
    step.get_by_role("button", name="Registrér trin").click()
    expect(said).to_contain_text("Vælg „Hvordan“")


def test_a_staffing_request_just_recorded_is_offered_at_once_and_the_hint_wraps(
    browser: Browser, server: Server
) -> None:
    unit = f"botilbud-bem-{uuid.uuid4().hex[:6]}"
    incident = declared(server, unit=unit).incident_id
    phone = open_page(browser, server, PHONE)
    step = step_form(phone, incident, "Bemanding besluttet")
    hint = step.get_by_text("Ingen ubesluttet anmodning")
    expect(hint).to_be_visible()
    box = hint.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= PHONE["width"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "trin-bemanding-ingen")
    assert violations(phone) == []  # the radios, the hint, the form to correct: axe-clean

    choose(step.get_by_label("Trin"), "Behov for ekstra medarbejdere")
    step.get_by_label("Enhed", exact=True).select_option(unit)
    step.get_by_label("Antal ekstra medarbejdere").fill("3")
    step.get_by_role("button", name="Registrér trin").click()
    expect(phone.locator("#s-feedback")).to_contain_text("Registreret kl.")
    choose(step.get_by_label("Trin"), "Bemanding besluttet")  # no reload, no waiting
    request = step.get_by_label("Anmodningen", exact=True)
    expect(request.locator("option", has_text="3 medarbejdere")).to_have_count(1)
    expect(hint).to_be_hidden()
    choose(request, "3 medarbejdere")
    step.get_by_label("Antal bevilgede medarbejdere").fill("2")
    step.get_by_role("button", name="Registrér trin").click()
    expect(phone.locator("#s-feedback")).to_contain_text("Registreret kl.")
    assert [e["granted_staff"] for e in steps_of(server, incident, "staffing-decided")] == [2]


def test_a_step_saved_offline_says_by_its_form_when_it_was_sent(
    browser: Browser, server: Server
) -> None:
    incident, phone = outage_on_a_phone(browser, server, "sendt")
    step = step_form(phone, incident, "Eskaleret")
    phone.context.set_offline(True)
    choose(step.get_by_label("Eskaleret til", exact=True), "Socialchef")
    step.get_by_role("button", name="Registrér trin").click()
    said = phone.locator("#s-feedback")
    expect(said).to_contain_text("Gemt på telefonen")
    phone.context.set_offline(False)
    expect(said).to_contain_text("Sendt kl.", timeout=20_000)
    expect(said).not_to_contain_text("Sendes af sig selv")
    expect(phone.locator("#waiting")).to_have_text("")
    screenshot(phone, "trin-sendt-senere")
    assert [e["to_role"] for e in steps_of(server, incident, "escalated")] == ["socialchef"]


def test_a_step_saved_offline_and_refused_once_sent_is_said_and_corrected_with_ret(
    browser: Browser, server: Server
) -> None:
    incident, phone = outage_on_a_phone(browser, server, "ret")
    step = step_form(phone, incident, "System virker igen")
    phone.context.set_offline(True)
    step.get_by_label("System", exact=True).select_option("nexus")
    step.get_by_role("button", name="Registrér trin").click()
    said = phone.locator("#s-feedback")
    expect(said).to_contain_text("Gemt på telefonen")
    # Meanwhile IT says so from its own desk: the phone's step is refused once it arrives.
    with Client(server.url, server.key) as client:
        client.record_incident_step(
            incident,
            t.SystemRestoredIn(
                system="nexus", occurred_at=datetime.now(UTC), by=t.PersonIn(id="emp-7")
            ),
        )
    phone.context.set_offline(False)
    expect(said).to_contain_text("Ikke registreret", timeout=20_000)
    expect(said).to_contain_text("Afviste registreringer")
    refused = phone.get_by_role("region", name="Afviste registreringer")
    expect(refused).to_contain_text("System virker igen")
    refused.get_by_role("button", name="Ret").click()
    fix = refused.locator("form")
    expect(fix.get_by_label("System", exact=True)).to_have_value("nexus")  # what was typed
    screenshot(phone, "trin-afvist-ret")
    assert violations(phone) == []  # the radios, the hint, the form to correct: axe-clean
    fix.get_by_label("System", exact=True).select_option("fmk")
    fix.get_by_role("button", name="Send igen").click()
    expect(fix.locator(".feedback")).to_contain_text("Registreret")
    restored = [e["system"] for e in steps_of(server, incident, "system-restored")]
    assert sorted(restored) == ["fmk", "nexus"]
    expect(phone.locator("#waiting")).to_have_text("")


def test_a_field_left_empty_in_the_record_forms_is_named_in_danish_not_the_phones_language(
    browser: Browser, server: Server
) -> None:
    """The forms the browser checks itself ("Meld nedbrud", the dispensing) said what was missing
    in the phone's own language, naming no field; each field now says it in Danish, by its label,
    and nothing is sent or saved until it is filled."""
    incident, phone = outage_on_a_phone(browser, server, "sprog")
    go(phone, "registrer")
    message = "e => e.validationMessage"
    declare = phone.locator("form", has=phone.get_by_role("button", name="Meld nedbrud"))
    title = declare.get_by_label("Hvad er nede?")
    declare.get_by_role("button", name="Meld nedbrud").click()
    assert title.evaluate(message) == "Udfyld „Hvad er nede?“."
    title.fill("Nexus svarer ikke")
    assert title.evaluate(message) == ""  # filled: nothing is said any more

    form = phone.locator("form", has=phone.get_by_text("Manuel medicinudlevering"))
    form.get_by_label("Nedbrud").select_option(value=str(incident))
    form.get_by_role("button", name="Registrér udlevering").click()
    cpr = form.get_by_label("Borgerens CPR-nummer")
    assert cpr.evaluate(message) == "Udfyld „Borgerens CPR-nummer“."
    assert form.get_by_label("Præparat").evaluate(message) == "Udfyld „Præparat“."
    expect(phone.locator("#m-feedback")).not_to_contain_text("Registreret")
    assert phone.evaluate(WAITING) == 0  # nothing saved to send
    with Client(server.url, server.key) as client:  # and none sent
        assert not [
            e for e in client.get_incident_timeline(incident) if e.type == "medication-dispensed"
        ]


def test_what_she_typed_survives_the_view_drawn_again_and_an_untouched_time_is_now(
    browser: Browser, server: Server
) -> None:
    """Tapping "Registrér" again (or the page drawn anew) emptied a half-written record. And the
    time of a record left as drawn was the moment the page opened, hours before on a night
    shift: it is now when she starts the record."""
    incident, phone = outage_on_a_phone(browser, server, "tast")
    go(phone, "registrer")
    form = phone.locator("form", has=phone.get_by_text("Manuel medicinudlevering"))
    form.get_by_label("Nedbrud").select_option(value=str(incident))
    form.get_by_label("Borgerens CPR-nummer").fill("010170-0000")
    form.get_by_label("Præparat").fill("Paracetamol")
    go(phone, "registrer")  # drawn again
    expect(form.get_by_label("Nedbrud")).to_have_value(str(incident))
    expect(form.get_by_label("Borgerens CPR-nummer")).to_have_value("010170-0000")
    expect(form.get_by_label("Præparat")).to_have_value("Paracetamol")

    at = form.get_by_label("Tidspunkt")
    at.evaluate("e => { e.value = '2026-01-01T18:46'; }")  # as drawn at 18:46, never touched
    before = datetime.now(CPH).replace(second=0, microsecond=0, tzinfo=None)
    form.get_by_label("Dosis", exact=True).focus()
    expect(at).not_to_have_value("2026-01-01T18:46")
    shown = datetime.fromisoformat(at.input_value())  # the phone's clock, in Copenhagen
    assert before <= shown <= datetime.now(CPH).replace(tzinfo=None), shown
    at.fill("2026-01-01T07:30")  # typed by her: kept
    form.get_by_label("Dosis", exact=True).focus()
    expect(at).to_have_value("2026-01-01T07:30")


def test_a_step_done_earlier_on_paper_is_recorded_at_its_own_time(
    browser: Browser, server: Server
) -> None:
    incident, phone = outage_on_a_phone(browser, server, "tid")
    step = step_form(phone, incident, "Note til situationsbilledet")
    step.get_by_label("Note", exact=True).fill("Papirlisterne er delt ud")
    earlier = (datetime.now(CPH) - timedelta(minutes=40)).replace(second=0, microsecond=0)
    step.get_by_label("Tidspunkt, hvis ikke nu").fill(earlier.strftime("%Y-%m-%dT%H:%M"))
    step.get_by_role("button", name="Registrér trin").click()
    expect(phone.locator("#s-feedback")).to_contain_text("Registreret kl.")
    with Client(server.url, server.key) as client:
        timeline = client.get_incident_timeline(incident)
    [note] = [e for e in timeline if e.type == "note-added"]
    assert note.occurred_at == earlier
    expect(step.get_by_label("Tidspunkt, hvis ikke nu")).to_have_value("")  # the next is now
