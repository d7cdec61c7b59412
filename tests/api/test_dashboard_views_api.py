"""The dashboards' SQL views say what the API says: a scripted outage read both ways gives the
same incident, the same units and the same paper records, and no view holds a name, a CPR
number, a medication or a word of free text (migration 0010; README, "SQL for dashboards")."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.api.outage import CPR, CPR_DIGITS, Client, declare, record_dispensing, record_step, step
from tests.api.seeded import seed_log

pytestmark = pytest.mark.anyio

README = Path(__file__).resolve().parents[2] / "README.md"
VIEWS = ("incidents", "incident_units", "manual_records", "readiness", "incident_systems")


def at(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


async def one(pool: asyncpg.Pool, query: str, key: str) -> dict[str, Any]:
    found = await pool.fetchrow(query, key)
    assert found is not None, key
    return dict(found)


async def outage(client: Client) -> tuple[str, str, str, dict[str, Any]]:
    """Two units, two systems (one back), staffing asked for both, three paper records (one
    entered, one voided, one pending); the incident as GET /v1/incidents/{id} shows it."""
    a, b = (f"botilbud-{n}-{uuid.uuid4().hex[:6]}" for n in ("lyngen", "kastanjen"))
    incident = await declare(
        client,
        {
            "title": "Nexus og FMK nede",
            "detected_via": "employee",
            "reported_by": {"id": "emp-1042", "name": "Anne Testesen"},
            "affected_systems": ["nexus", "fmk"],
            "affected_units": [a],
            "occurred_at": "2026-03-05T14:30:00+01:00",
        },
    )
    await record_step(
        client,
        incident,
        step(
            "scope-assessed",
            affected_systems=["nexus", "fmk"],
            affected_units=[a, b],
            isolated_to_single_unit=False,
            severity="high",
            expected_restoration_at="2026-03-05T20:00:00+01:00",
        ),
    )
    await record_step(client, incident, step("units-notified", units=[a]))
    asked = await record_step(client, incident, step("staffing-requested", unit=a, extra_staff=2))
    await record_step(client, incident, step("staffing-requested", unit=b, extra_staff=1))
    await record_step(
        client,
        incident,
        step("staffing-decided", request_event_id=asked["event_id"], granted_staff=1),
    )
    await record_step(client, incident, step("escalated", to_role="naermeste-leder"))
    await record_step(client, incident, step("system-restored", system="fmk"))
    await record_step(client, incident, step("restoration-verified", unit=a, system="fmk"))
    entered, voided = [await record_dispensing(client, incident, unit=u) for u in (a, b)]
    await record_dispensing(client, incident, unit=a)
    journal = {"by": {"id": "emp-7"}, "entered_at": "2026-03-06T09:00:00+01:00"}
    made = await client.post(f"/v1/manual-records/{entered}/journal-entry", json=journal)
    assert made.status_code == 201, made.text
    void = {"by": {"id": "emp-7"}, "reason": "fejl", "occurred_at": "2026-03-05T17:00:00+01:00"}
    made = await client.post(f"/v1/manual-records/{voided}/void", json=void)
    assert made.status_code == 201, made.text
    shown = await client.get(f"/v1/incidents/{incident}?after_position={made.json()['position']}")
    assert shown.status_code == 200, shown.text
    return incident, a, b, shown.json()


async def test_an_incident_row_is_the_incident_the_api_shows(
    client: Client, pool: asyncpg.Pool
) -> None:
    incident, _, _, shown = await outage(client)
    row = await one(
        pool, "SELECT * FROM dashboards.incidents WHERE incident_id = $1::text::uuid", incident
    )
    assert str(row.pop("incident_id")) == shown["incident_id"]
    for name in ("detected_at", "expected_restoration_at", "last_change_at", "closed_at"):
        assert row.pop(name) == at(shown[name]), name
    staffing, records, closing = shown["staffing"], shown["manual_records"], shown["closing"]
    assert row.pop("staffing_requested") == staffing["requested"] == 3
    assert row.pop("staffing_granted") == staffing["granted"] == 1
    assert row.pop("staffing_undecided") == staffing["undecided"] == 1
    assert row.pop("records_pending") == records["pending"] == 1
    assert row.pop("records_entered") == records["entered"] == 1
    assert row.pop("records_voided") == records["voided"] == 1
    assert row.pop("may_close") is closing["may_close"] is False
    assert row.pop("may_close_with_waiver") is closing["may_close_with_waiver"] is False
    assert row.pop("position") > 0
    assert row == {name: shown[name] for name in row}
    assert row["systems_down"] == ["nexus"]
    assert row["systems_restored"] == ["fmk"]


async def test_a_unit_row_is_the_units_share_of_the_picture_and_worklist(
    client: Client, pool: asyncpg.Pool
) -> None:
    incident, a, b, shown = await outage(client)
    rows = await pool.fetch(
        "SELECT * FROM dashboards.incident_units WHERE incident_id = $1 ORDER BY unit",
        uuid.UUID(incident),
    )
    by_unit = {r["unit"]: r for r in rows}
    assert sorted(by_unit) == sorted(shown["affected_units"]) == sorted([a, b])
    outstanding = {s["unit"] for s in shown["steps_outstanding"] if s["step"] == "units-notified"}
    for unit, row in by_unit.items():
        assert row["affected"] is True
        assert row["notified"] is (unit not in outstanding)
        asked = [r for r in shown["staffing"]["requests"] if r["unit"] == unit]
        assert row["staffing_requested"] == sum(r["requested"] for r in asked)
        assert row["staffing_granted"] == sum(r["granted"] or 0 for r in asked)
        listed = await client.get(f"/v1/back-entry?incident={incident}&unit={unit}")
        statuses = [item["status"] for item in listed.json()]
        for status in ("pending", "entered", "voided"):
            assert row[f"records_{status}"] == statuses.count(status), (unit, status)
    assert (by_unit[a]["notified"], by_unit[b]["notified"]) == (True, False)
    assert by_unit[a]["verified_systems"] == ["fmk"]
    assert (by_unit[a]["records_pending"], by_unit[b]["records_voided"]) == (1, 1)


async def test_a_record_row_is_the_worklist_item_without_its_summary(
    client: Client, pool: asyncpg.Pool
) -> None:
    incident, _, _, _ = await outage(client)
    listed = await client.get(f"/v1/back-entry?incident={incident}")
    items = {item["record_id"]: item for item in listed.json()}
    rows = await pool.fetch(
        "SELECT * FROM dashboards.manual_records WHERE incident_id = $1", uuid.UUID(incident)
    )
    assert len(rows) == len(items) == 3
    for record in rows:
        row, item = dict(record), items[str(record["record_id"])]
        for name in ("occurred_at", "recorded_at", "entered_at"):
            assert row.pop(name) == at(item.get(name)), name
        assert (row.pop("voided_at") is not None) == (item["status"] == "voided")
        assert row.pop("mode") == "actual"
        assert row.pop("position") > 0
        assert {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in row.items()} == {
            name: item.get(name) for name in row
        }


async def test_no_view_holds_a_name_a_cpr_number_or_free_text(
    client: Client, pool: asyncpg.Pool, keys: dict[Any, str]
) -> None:
    from service.access.auth import Role

    client.headers["Authorization"] = f"Bearer {keys[Role.ADMIN]}"
    units = (f"botilbud-views-{uuid.uuid4().hex[:6]}", f"botilbud-views-{uuid.uuid4().hex[:6]}")
    seed = await seed_log(client, pool, units)
    await outage(client)  # CPR and "Anne Testesen" in every record and the declaration
    answer = await client.get(f"/v1/back-entry?incident={seed.incident}&after_position=0")
    assert answer.status_code == 200
    text = "\n".join(
        [
            str(
                await pool.fetchval(f"SELECT coalesce(json_agg(v)::text, '') FROM dashboards.{v} v")
            )
            for v in VIEWS
        ]
    )
    assert seed.incident in text  # the seeded outage is in the views
    leaked = [c.text for c in seed.canaries if c.text in text]
    assert leaked == []
    for secret in (CPR, CPR_DIGITS, "Anne Testesen", "Paracetamol", "Synthetic Borger"):
        assert secret not in text


def readme_query(name: str) -> str:
    """An example query of the README's "SQL for dashboards", by the comment that opens it."""
    found = re.search(rf"-- {re.escape(name)}\n(.*?)\n```", README.read_text("utf-8"), re.S)
    assert found is not None, name
    return found.group(1)


async def test_recorded_after_two_but_happened_before_finds_every_paper_record(
    client: Client, pool: asyncpg.Pool
) -> None:
    """The README's query, with its 14:00 replaced by a moment during the test: the records
    written on paper before it and typed in after it are found, and only those."""
    incident = await declare(client)
    before = await record_dispensing(client, incident, dispensed_at=_ago(hours=3))
    cutoff = await pool.fetchval("SELECT now()")
    late = [await record_dispensing(client, incident, dispensed_at=_ago(hours=h)) for h in (2, 1)]
    late.append(
        (
            await client.post(
                f"/v1/incidents/{incident}/care-deliveries",
                json={
                    "citizen": {"cpr": CPR},
                    "unit": "botilbud-solsikken",
                    "service": "tilsyn",
                    "status": "delivered",
                    "occurred_at": _ago(minutes=30),
                    "by": {"id": "emp-1"},
                },
            )
        ).json()["record_id"]
    )
    after = await record_dispensing(client, incident, dispensed_at=_ago(minutes=0))
    await client.get(f"/v1/back-entry?incident={incident}&after_position=0")
    query = readme_query("recorded after 14:00, happened before")
    literal = "timestamptz '2026-03-05 14:00 Europe/Copenhagen'"
    assert literal in query
    found = await pool.fetch(query.replace(literal, "$1::timestamptz"), cutoff)
    ids = {str(r["record_id"]) for r in found}
    assert set(late) <= ids
    assert not {before, after} & ids
    assert {r["kind"] for r in found if str(r["record_id"]) in late} == {
        "medication-dispensing",
        "care-delivery",
    }


def _ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


async def test_a_readiness_row_is_the_units_printed_list_the_api_shows(
    client: Client, pool: asyncpg.Pool
) -> None:
    unit = f"botilbud-hylden-{uuid.uuid4().hex[:6]}"
    printed = await client.post(
        f"/v1/units/{unit}/medication-list-prints",
        json={
            "printed_at": "2026-03-05T08:00:00+01:00",
            "by": {"id": "emp-3"},
            "list_as_of": "2026-03-05T07:00:00+01:00",
        },
    )
    assert printed.status_code == 201, printed.text
    shown = await client.get(f"/v1/readiness?after_position={printed.json()['position']}")
    (view,) = [u for u in shown.json() if u["unit"] == unit]
    row = await one(pool, "SELECT * FROM dashboards.readiness WHERE unit = $1", unit)
    assert row.pop("mode") == "actual"
    assert abs(float(row.pop("age_days")) - view["age_days"]) < 0.02
    for name in ("list_printed_at", "list_as_of"):
        assert row.pop(name) == at(view[name])
    assert row == {name: view[name] for name in row}
