"""Nødliste over HTTP: a unit keeps its emergency list as JSON or CSV, version after version;
names, CPR and vital needs are shown only for a purpose, and a key acts only for its units."""

from __future__ import annotations

import time

import asyncpg
import pytest

from service.access.auth import Role, create_key
from service.log.chain import verify_chain
from service.log.vault import forget
from service.write.emergency_lists import list_stream_id
from tests.api.nodliste import (
    CSV_HEADER,
    a_cpr,
    a_list,
    a_unit,
    citizen,
    insulin,
    morning_help,
    two_citizens,
)
from tests.api.outage import Client

pytestmark = pytest.mark.anyio


def path(unit: str) -> str:
    return f"/v1/units/{unit}/emergency-list"


async def test_each_new_version_of_the_list_replaces_the_one_before(client: Client) -> None:
    unit, (body, _, _) = a_unit(), two_citizens()
    first = await client.put(path(unit), json=body)
    assert first.status_code == 201, first.text
    assert first.json()["list_version"] == 1
    body["citizens"] = body["citizens"][:1]
    second = await client.put(path(unit), json=body)
    assert second.json()["list_version"] == 2
    current = (await client.get(path(unit))).json()
    assert current["list_version"] == 2
    assert len(current["citizens"]) == 1
    assert current["citizens"][0]["items"][0]["item_id"] == "insulin-morgen"


@pytest.mark.parametrize(
    ("bom", "sep"), [(True, ";"), (False, ",")], ids=["bom-semicolon", "comma"]
)
async def test_the_list_as_csv_with_or_without_bom_and_either_separator_is_kept(
    client: Client, bom: bool, sep: str
) -> None:
    unit, aase, bent = a_unit(), a_cpr(), a_cpr()
    rows = [
        CSV_HEADER,
        f"{aase};Aase Testesen;Insulinkrævende diabetes;insulin-morgen;medication;NovoRapid;"
        "100 IE/ml;8 IE;s.c.;;08:00|20:00;;60;ja",
        f"{bent};Bent Prøvesen;;morgenhjaelp;care;;;;;Morgenhjælp;07:30;mon|tue|wed|thu|fri;90;",
    ]
    text = "\r\n".join(r.replace(";", sep) for r in rows) + "\r\n"
    data = ("\ufeff" if bom else "").encode() + text.encode()
    kept = await client.put(
        path(unit),
        content=data,
        headers={"Content-Type": "text/csv"},
        params={"by": "emp-1042", "list_as_of": "2026-03-01T06:00:00+01:00"},
    )
    assert kept.status_code == 201, kept.text
    shown = (await client.get(path(unit), params={"purpose": "treatment"})).json()
    first, second = shown["citizens"]
    assert (first["cpr"], first["citizen_name"]) == (aase, "Aase Testesen")
    assert first["vital_needs"] == "Insulinkrævende diabetes"
    assert first["items"][0]["times"] == ["08:00", "20:00"]
    assert first["items"][0]["vital"] is True
    assert first["items"][0]["medication"]["dose"] == "8 IE"
    assert second["items"][0]["days"] == ["mon", "tue", "wed", "thu", "fri"]
    assert second["items"][0]["service"] == "Morgenhjælp"


async def test_a_bad_time_is_refused_naming_the_field_and_changes_nothing(client: Client) -> None:
    unit, (body, _, _) = a_unit(), two_citizens()
    body["citizens"][1]["items"].append(
        {"item_id": "aften", "kind": "care", "service": "Aftenhjælp", "times": ["21:00", "25:00"]}
    )
    refused = await client.put(path(unit), json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"].endswith("bad-time")
    assert refused.json()["errors"][0]["field"] == "citizens[1].items[1].times[1]"
    assert (await client.get(path(unit))).status_code == 404


async def test_names_cpr_and_vital_needs_only_with_a_purpose_each_citizen_shown_logged(
    client: Client, pool: asyncpg.Pool
) -> None:
    unit, (body, aase, _) = a_unit(), two_citizens()
    await client.put(path(unit), json=body)
    plain = await client.get(path(unit))
    assert aase not in plain.text
    assert "Aase" not in plain.text
    assert "Insulin" not in plain.text
    assert "NovoRapid" not in plain.text
    refs = [c["citizen_ref"] for c in plain.json()["citizens"]]
    count = "SELECT count(*) FROM access_log WHERE citizen_ref = ANY($1::text[])"
    assert await pool.fetchval(count, refs) == 0
    shown = await client.get(path(unit), params={"purpose": "treatment"})
    assert shown.json()["citizens"][0]["cpr"] == aase
    assert shown.json()["citizens"][0]["vital_needs"] == "Insulinkrævende diabetes"
    assert await pool.fetchval(count, refs) == 2


async def test_a_unit_scoped_key_cannot_read_or_write_another_units_list(
    client: Client, pool: asyncpg.Pool
) -> None:
    mine, theirs, (body, _, _) = a_unit(), a_unit(), two_citizens()
    key = await create_key(pool, Role.STAFF, "scoped", units=[mine])
    headers = {"Authorization": f"Bearer {key}"}
    assert (await client.put(path(mine), json=body, headers=headers)).status_code == 201
    assert (await client.put(path(theirs), json=body)).status_code == 201
    assert (await client.put(path(theirs), json=body, headers=headers)).status_code == 403
    assert (await client.get(path(theirs), headers=headers)).status_code == 403
    assert (await client.get(path(mine), headers=headers)).status_code == 200


async def test_forget_erases_a_citizen_from_every_list_version_and_the_chain_verifies(
    client: Client, pool: asyncpg.Pool
) -> None:
    unit, (body, aase, bent) = a_unit(), two_citizens()
    await client.put(path(unit), json=body)
    await client.put(path(unit), json=body)
    ref = (await client.get(path(unit))).json()["citizens"][0]["citizen_ref"]
    assert await forget(pool, ref)
    shown = (await client.get(path(unit), params={"purpose": "treatment"})).json()
    erased, other = shown["citizens"]
    assert erased["erased"] is True
    assert "cpr" not in erased
    assert "medication" not in erased["items"][0]
    assert other["cpr"] == bent
    assert other["items"][0]["service"] == "Morgenhjælp"
    versions = await pool.fetchval(
        "SELECT count(*) FROM events WHERE stream_id = $1", list_stream_id(unit)
    )
    assert versions == 2
    assert aase not in str(shown)
    async with pool.acquire() as conn:
        assert (await verify_chain(conn)).ok


async def test_a_list_of_500_citizens_and_5000_items_is_kept_in_one_request(client: Client) -> None:
    unit = a_unit()
    citizens = [
        citizen(
            f"{(n % 28) + 1:02d}{(n // 28) % 12 + 1:02d}80{n:04d}",
            f"Borger {n}",
            *[{**insulin((f"{h:02d}:00",)), "item_id": f"i{h}"} for h in range(8, 17)],
            morning_help(),
        )
        for n in range(500)
    ]
    kept = await client.put(path(unit), json=a_list(*citizens))
    assert kept.status_code == 201, kept.text[:500]
    current = (await client.get(path(unit))).json()
    assert sum(len(c["items"]) for c in current["citizens"]) == 5000


@pytest.mark.parametrize(
    ("header", "row"),
    [
        ("cpr;name;item_id;kind;times", "{cpr};Aase Testesen;m1;{stray};08:00"),
        ("cpr;name;item_id;kind;times;days", "{cpr};Aase Testesen;m1;care;08:00;{stray}"),
        ("cpr;item_id;kind;times;{stray} Aase Testesen", "{cpr};m1;care;08:00;x"),
    ],
    ids=["kind", "days", "header"],
)
async def test_a_csv_with_a_cpr_number_in_the_wrong_column_is_refused_without_echoing_it(
    client: Client, header: str, row: str
) -> None:
    """A spreadsheet with a column shifted puts a CPR number where a kind, a day or a column
    name belongs: the refusal names the field, never the number (problems reach logs, screens)."""
    unit, cpr, stray = a_unit(), a_cpr(), a_cpr()
    text = f"{header}\n{row}\n".format(cpr=cpr, stray=stray)
    refused = await client.put(
        path(unit),
        content=text.encode(),
        headers={"Content-Type": "text/csv"},
        params={"by": "emp-1042"},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"]
    assert stray not in refused.text
    assert cpr not in refused.text
    assert "Aase" not in refused.text


async def test_a_json_list_with_a_cpr_number_as_the_kind_is_refused_without_echoing_it(
    client: Client,
) -> None:
    unit, body, stray = a_unit(), a_list(citizen(a_cpr(), "Aase Testesen", insulin())), a_cpr()
    body["citizens"][0]["items"][0]["kind"] = stray
    refused = await client.put(path(unit), json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "citizens[0].items[0].kind"
    assert stray not in refused.text


async def test_the_csv_media_type_is_read_whatever_its_case(client: Client) -> None:
    unit, cpr = a_unit(), a_cpr()
    kept = await client.put(
        path(unit),
        content=f"cpr;item_id;kind;service;times\n{cpr};m1;care;Morgenhjælp;07:30\n".encode(),
        headers={"Content-Type": "Text/CSV; charset=UTF-8"},
        params={"by": "emp-1042"},
    )
    assert kept.status_code == 201, kept.text


async def test_a_csv_of_60000_citizens_is_refused_in_seconds_not_minutes(client: Client) -> None:
    """Its rows were put together citizen by citizen with a look-up through all before: 1.3 MB
    of distinct citizens held the server (every unit's requests) for a minute."""
    rows = "".join(f"r{n};m;care;Morgenhjælp;08:00\n" for n in range(60_000))
    started = time.monotonic()
    refused = await client.put(
        path(a_unit()),
        content=f"citizen_ref;item_id;kind;service;times\n{rows}".encode(),
        headers={"Content-Type": "text/csv"},
        params={"by": "emp-1042"},
    )
    assert refused.status_code == 422, refused.text
    assert "citizens" in refused.json()["detail"]
    assert time.monotonic() - started < 10


async def test_an_item_id_that_is_a_cpr_number_is_refused_without_echoing_it(
    client: Client,
) -> None:
    """An item's id is in the log's plain part, for good (forget cannot erase it), and is shown
    without a purpose: a CPR number there (a column shifted, twice) is refused, not echoed."""
    unit, cpr, stray = a_unit(), a_cpr(), a_cpr()
    one = {**morning_help(), "item_id": f"{stray[:6]}-{stray[6:]}"}
    body = a_list(citizen(cpr, "Aase Testesen", one, {**one, "times": ["09:00"]}))
    refused = await client.put(path(unit), json=body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"].endswith("bad-item-id")
    assert refused.json()["errors"][0]["field"] == "citizens[0].items[0].item_id"
    assert stray[6:] not in refused.text
    assert (await client.get(path(unit))).status_code == 404


async def test_a_list_of_more_than_20000_times_a_day_is_refused_naming_the_rule(
    client: Client,
) -> None:
    """5,000 items at 48 times a day are 240,000 occurrences a day: a week's rounds would be
    hundreds of megabytes made on the server's one event loop (300 items: 31 MB, 2.7 s)."""
    every_half_hour = [f"{h:02d}:{m}" for h in range(24) for m in ("00", "30")]
    items = [{**morning_help(), "item_id": f"i{n}", "times": every_half_hour} for n in range(420)]
    refused = await client.put(path(a_unit()), json=a_list(citizen(a_cpr(), "Aase", *items)))
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"].endswith("too-many-items")
    assert "20160 times a day" in refused.json()["detail"]


async def test_a_csv_cell_of_the_wrong_kind_is_refused_naming_its_field_and_row(
    client: Client,
) -> None:
    unit, cpr = a_unit(), a_cpr()
    text = f"cpr;item_id;kind;service;times\n{cpr};m1;care;Hjælp;07:30\n{cpr};m2;bad;Hjælp;08:00\n"
    refused = await client.put(
        path(unit), content=text.encode(), headers={"Content-Type": "text/csv"},
        params={"by": "emp-1042"},
    )  # fmt: skip
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "citizens[0].items[1].kind"
    assert "csv row 3" in refused.json()["detail"]


async def test_a_csv_of_a_header_row_alone_is_refused_and_the_list_kept(client: Client) -> None:
    """An export that failed gives the header and nothing more: that is no new list with nobody
    on it, which would replace the unit's list without a word."""
    unit, (body, _, _) = a_unit(), two_citizens()
    assert (await client.put(path(unit), json=body)).status_code == 201
    refused = await client.put(
        path(unit), content=(CSV_HEADER + "\n").encode(), headers={"Content-Type": "text/csv"},
        params={"by": "emp-1042"},
    )  # fmt: skip
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "csv"
    assert len((await client.get(path(unit))).json()["citizens"]) == 2
