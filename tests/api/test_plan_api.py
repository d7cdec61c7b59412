"""Whom to call now, the plan in force, and each botilbud's printed medication list."""

from __future__ import annotations

from typing import get_args

import asyncpg
import pytest

from service.api.steps import IncidentStep
from service.write.units import unit_stream_id
from tests.api.outage import Client, log_size

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("at", "channel", "until"),
    [
        ("2026-03-05T16:59:59+01:00", "service-desk", "2026-03-05T16:00:00Z"),
        ("2026-03-05T17:00:00+01:00", "it-vagt", "2026-03-05T20:00:00Z"),
        ("2026-03-05T21:00:00+01:00", "beredskab", "2026-03-06T06:00:00Z"),
        ("2026-05-14T10:00:00+02:00", "it-vagt", "2026-05-14T14:00:00Z"),
    ],
)
async def test_whom_to_call_at_a_given_time(
    client: Client, at: str, channel: str, until: str
) -> None:
    answer = (await client.get("/v1/contacts/now", params={"at": at})).json()
    assert answer["channel"] == channel
    assert answer["valid_until"] == until
    assert answer["phone"] in ("87 87 41 99", "87 87 87 87")
    assert answer["plan_version"] == 1


async def test_asked_again_and_again_across_a_change_of_shift_each_answer_fits_its_second(
    client: Client,
) -> None:
    asked = ["16:59:00", "16:59:59", "17:00:00", "16:59:30", "17:00:59", "17:01:00"]
    answers = [
        (await client.get("/v1/contacts/now", params={"at": f"2026-03-05T{t}+01:00"})).json()
        for t in asked
    ]
    assert [a["channel"] for a in answers] == [
        "service-desk",
        "service-desk",
        "it-vagt",
        "service-desk",
        "it-vagt",
        "it-vagt",
    ]
    assert [a["at"][11:19] for a in answers] == asked


async def test_whom_to_call_right_now_needs_no_time(client: Client) -> None:
    answer = (await client.get("/v1/contacts/now")).json()
    assert answer["channel"] in ("service-desk", "it-vagt", "beredskab")
    assert answer["valid_until"] > answer["at"]


async def test_a_time_without_an_offset_is_refused_naming_at(client: Client) -> None:
    response = await client.get("/v1/contacts/now", params={"at": "2026-03-05T17:00:00"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "at"


async def test_the_plan_in_force_is_readable_with_its_approval(client: Client) -> None:
    plan = (await client.get("/v1/plan")).json()
    assert plan["approved_on"] == "2021-11-15"
    assert plan["contacts"][0]["hours"]["thu"] == ["07:00-17:00"]
    assert plan["fallback"]["phone"] == "87 87 87 87"
    assert any("Nærmeste leder informeres" in line["text"] for line in plan["lines"])


async def test_the_plan_serves_a_form_for_every_step_but_a_correction_each_field_labelled(
    client: Client,
) -> None:
    plan = (await client.get("/v1/plan")).json()
    taken = [t.__struct_config__.tag for t in get_args(IncidentStep)]
    assert list(plan["forms"]) == [t for t in taken if t != "event-corrected"]
    unlabelled = [
        f"{step}.{field['name']}"
        for step, fields in plan["forms"].items()
        for field in fields
        if field["label"] == field["name"]
    ]
    assert unlabelled == [], f"name {unlabelled[0]} under [forms] in the plan file"
    assert all(plan["steps"].get(step) for step in plan["forms"])
    contact = {f["name"]: f for f in plan["forms"]["it-contacted"]}
    assert contact["method"] == {
        "name": "method",
        "kind": "choice",
        "label": "Hvordan",
        "required": True,
        "choices": ["phone", "intranet-case"],
        "minimum": None,
        "name_label": None,
    }
    assert contact["channel"]["required"] is False
    leader = plan["forms"]["leader-informed"][0]
    assert (leader["kind"], leader["name_label"]) == ("person", "Nærmeste leders navn")


PRINT = {
    "printed_at": "2026-03-01T08:00:00+01:00",
    "by": {"id": "emp-1042"},
    "list_as_of": "2026-03-01T07:00:00+01:00",
}


async def test_a_botilbud_records_each_refresh_of_its_printed_medication_list(
    client: Client, pool: asyncpg.Pool
) -> None:
    url = "/v1/units/botilbud-solsikken-7/medication-list-prints"
    first = await client.post(url, json=PRINT)
    assert first.status_code == 201
    assert first.json()["version"] == 2  # the unit's stream begins with its first print
    later = {**PRINT, "printed_at": "2026-03-04T08:00:00+01:00"}
    assert (await client.post(url, json=later)).json()["version"] == 3
    stream = await pool.fetch(
        "SELECT type FROM events WHERE stream_id = $1 ORDER BY version",
        unit_stream_id("botilbud-solsikken-7", "actual"),
    )
    assert [r["type"] for r in stream] == [
        "unit-registered",
        "medication-list-printed",
        "medication-list-printed",
    ]


async def test_a_list_printed_before_its_data_date_or_for_a_bad_unit_is_refused(
    client: Client, pool: asyncpg.Pool
) -> None:
    before = await log_size(pool)
    backwards = {**PRINT, "list_as_of": "2026-03-02T08:00:00+01:00"}
    refused = await client.post("/v1/units/botilbud-rosen/medication-list-prints", json=backwards)
    assert refused.json()["type"] == "/problems/before-it-happened"
    bad_unit = await client.post("/v1/units/Botilbud%20Rosen/medication-list-prints", json=PRINT)
    assert bad_unit.status_code == 422
    assert bad_unit.json()["errors"][0]["field"] == "unit"
    assert await log_size(pool) == before
