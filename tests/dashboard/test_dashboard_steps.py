"""The step form is built from the plan the service serves (`GET /v1/plan`, `forms`): a step the
dashboard's code never names is offered with its fields, in the plan's words."""

from __future__ import annotations

import uuid

from playwright.sync_api import Browser, expect

from nedbrud_client import Client
from tests.client.conftest import Server, declared
from tests.dashboard.conftest import PHONE, open_page


def test_the_doctor_consulted_for_a_unit_is_recorded_from_a_form_the_plan_describes(
    browser: Browser, server: Server
) -> None:
    unit = f"botilbud-laege-{uuid.uuid4().hex[:6]}"
    incident = declared(server, unit=unit)
    phone = open_page(browser, server, PHONE)
    phone.get_by_role("navigation").get_by_role("link", name="Registrér").click()
    step = phone.locator("form", has=phone.get_by_text("Registrér et trin i planen"))
    step.get_by_label("Nedbrud").select_option(value=str(incident.incident_id))
    kind = step.get_by_label("Trin")
    value = kind.locator("option", has_text="Borgerens læge kontaktet").get_attribute("value")
    kind.select_option(value=value)
    step.get_by_label("Enhed", exact=True).select_option(unit)
    step.get_by_label("Lægens navn").fill("Lægehuset Ådalen")
    step.get_by_label("Hvad lægen sagde").fill("Halv dosis, til FMK virker igen")
    step.get_by_role("button", name="Registrér trin").click()
    expect(phone.locator("#s-feedback")).to_contain_text("Registreret kl.")
    expect(phone.locator("#s-feedback")).to_contain_text("Borgerens læge kontaktet")

    with Client(server.url, server.key) as client:
        timeline = client.get_incident_timeline(incident.incident_id)
    consulted = [entry for entry in timeline if entry.type == "doctor-consulted"]
    assert [entry.data["unit"] for entry in consulted] == [unit]
