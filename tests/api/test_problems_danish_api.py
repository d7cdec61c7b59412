"""A refusal in Danish for whoever asks for it (`Accept-Language: da`), naming the field in the
plan's words, as the dashboard's form does; never a regular expression or an internal code."""

from __future__ import annotations

import re

import pytest

import domain.rounds_errors  # noqa: F401  (its refusals are DomainErrors too)
from domain.errors import DomainError
from service.api.problems_da import TITLES
from tests.api.outage import Client, declare, dispensing, step

pytestmark = pytest.mark.anyio

DA = {"Accept-Language": "da"}
# What must never reach a carer's screen: a pattern, an enum value, an English word of msgspec's.
INTERNAL = re.compile(r"regex|\^\(|Expected|Invalid enum|socialchef'|`|\$\.")


async def test_a_wrong_cpr_number_is_refused_in_danish_naming_the_field_as_the_form_does(
    client: Client,
) -> None:
    incident = await declare(client)
    body = dispensing(citizen={"cpr": "32-13"})
    answer = await client.post(
        f"/v1/incidents/{incident}/medication-dispensings", json=body, headers=DA
    )
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["title"] == "Registreringen er ikke udfyldt rigtigt"
    assert problem["detail"] == "Borgerens CPR-nummer skal skrives som DDMMÅÅ-XXXX."
    assert problem["errors"] == [
        {"field": "citizen.cpr", "message": "Borgerens CPR-nummer skal skrives som DDMMÅÅ-XXXX"}
    ]
    assert not INTERNAL.search(answer.text)


async def test_an_unknown_role_and_a_missing_field_are_said_in_danish(client: Client) -> None:
    incident = await declare(client)
    answer = await client.post(
        f"/v1/incidents/{incident}/events",
        json=step("escalated", to_role="Socialchef"),
        headers=DA,
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["message"] == "Eskaleret til skal vælges på listen"
    assert not INTERNAL.search(answer.text)
    missing = dispensing()
    del missing["medication"]["dose"]
    answer = await client.post(
        f"/v1/incidents/{incident}/medication-dispensings", json=missing, headers=DA
    )
    assert answer.json()["errors"][0]["message"] == "Dosis skal udfyldes"


async def test_a_domain_refusal_and_a_missing_incident_are_said_in_danish(client: Client) -> None:
    incident = await declare(client)
    answer = await client.post(
        f"/v1/incidents/{incident}/events", json=step("system-restored", system="sd"), headers=DA
    )
    assert answer.status_code == 422
    assert answer.json()["title"] == "Systemet er ikke meldt nede i dette nedbrud"
    gone = await client.get(
        "/v1/incidents/00000000-0000-0000-0000-000000000000/timeline", headers=DA
    )
    assert gone.status_code == 404
    assert gone.json()["detail"] == "Det findes ikke, eller ikke for din enhed."


async def test_without_danish_the_refusal_stays_english(client: Client) -> None:
    incident = await declare(client)
    body = dispensing(citizen={"cpr": "32-13"})
    answer = await client.post(
        f"/v1/incidents/{incident}/medication-dispensings",
        json=body,
        headers={"Accept-Language": "en-GB, da;q=0.5"},
    )
    assert answer.json()["title"] == "Invalid request"
    assert answer.json()["errors"][0]["field"] == "citizen.cpr"


def subclasses(kind: type[DomainError]) -> list[type[DomainError]]:
    return [kind, *(sub for child in kind.__subclasses__() for sub in subclasses(child))]


async def test_every_rule_of_the_plan_has_a_danish_title() -> None:
    """A new refusal without Danish words fails here, not on a carer's screen."""
    missing = sorted({k.slug for k in subclasses(DomainError)} - set(TITLES))
    assert missing == []
