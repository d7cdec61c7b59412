"""Evaluering over HTTP: a scripted outage's report, figure by figure; the same outage recorded
late and out of order gives the same report; a unit key sees its units' part; targets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.access.auth import Role, create_key
from service.app import create_app
from service.runtime.plan_file import DEFAULT_PLAN
from tests.api.outage import Client
from tests.api.report_script import record
from tests.apps import settings_for

pytestmark = pytest.mark.anyio


async def report_of(client: Client, incident: str, **headers: str) -> Any:
    answer = await client.get(f"/v1/incidents/{incident}/report", headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def line(report: Any, step: str) -> Any:
    """The first plan line whose first step is `step`."""
    return next(x for x in report["lines"] if x["steps"] and x["steps"][0]["step"] == step)


async def test_a_scripted_outage_gives_a_report_whose_every_figure_is_the_script(
    client: Client, keys: dict[Role, str]
) -> None:
    script = await record(client, keys[Role.LEADER])
    report = await report_of(client, script.incident)
    assert (report["status"], report["detected_at"], report["closed_at"]) == (
        "closed", "2026-03-05T13:30:00Z", "2026-03-05T17:30:00Z"
    )  # fmt: skip
    done = {x["steps"][0]["step"]: (x["minutes"], x["by"]) for x in report["lines"] if x["done"]}
    assert done["incident-detected"] == (0, "emp-1042")
    assert done["colleagues-informed"] == (5, "emp-1042")
    assert done["leader-informed"] == (20, "emp-1042")
    assert done["it-contacted"] == (10, "emp-1042")  # the line: IT, the vendor and the scope
    assert done["escalation-assessed"] == (30, "leader-lis")
    assert done["care-delivered"] == (40, "emp-2001")  # the first paper record, R2 at 15:10
    assert done["medication-dispensed"] == (50, "emp-2001")  # R3 at 15:20
    printed = line(report, "medication-list-printed")
    assert (printed["done"], printed["done_at"], printed["late"]) == (False, None, False)
    it_line = line(report, "it-contacted")
    assert [(s["step"], s["minutes"]) for s in it_line["steps"]] == [
        ("it-contacted", 10), ("vendor-contacted", None), ("scope-assessed", None)
    ]  # fmt: skip
    systems = report["systems"]
    assert [(s["system"], s["down_from"], s["down_to"], s["minutes"]) for s in systems] == [
        ("nexus", "2026-03-05T13:30:00Z", "2026-03-05T15:00:00Z", 90),
        ("fmk", "2026-03-05T13:30:00Z", "2026-03-05T15:30:00Z", 120),
    ]  # fmt: skip
    assert report["paper"]["by_unit"] == [
        {"unit": script.unit, "made": 4, "entered": 3, "voided": 1, "pending": 0}
    ]
    assert report["paper"]["by_hour"] == [
        {"hour": "2026-03-05T14:00:00Z", "count": 3, "by_unit": {script.unit: 3}},
        {"hour": "2026-03-05T15:00:00Z", "count": 1, "by_unit": {script.unit: 1}},
    ]
    back = report["back_entry"]
    assert (back["restored_at"], back["last_entry_at"], back["hours"], back["completion"]) == (
        "2026-03-05T15:30:00Z", "2026-03-05T17:00:00Z", 1.5, 1.0
    )  # fmt: skip
    assert [(p["at"][11:16], p["pending"]) for p in back["points"]] == [
        ("15:30", 3), ("15:45", 4), ("16:00", 3), ("16:15", 2), ("16:30", 1), ("17:00", 0)
    ]  # fmt: skip
    (rounds,) = report["rounds"]
    counts = {k: v for k, v in rounds.items() if isinstance(v, int)}
    assert counts == {
        "list_version": 1, "occurrences": 3, "given": 1, "given_late": 1, "missed": 1,
        "waived": 1, "overdue": 0, "vital": 2, "vital_given": 1, "vital_given_late": 1,
        "vital_missed": 0, "vital_waived": 1, "vital_overdue": 0,
    }  # fmt: skip
    assert [(i["item_id"], i["outcome"], i["accounted_at"]) for i in rounds["vital_issues"]] == [
        ("insulin-eftermiddag", "given-late", "2026-03-05T15:45:00Z"),
        ("insulin-aften", "waived", None),
    ]


def same_outage(report: Any) -> Any:
    """The report without what names this recording rather than the outage."""
    script_ids = {"incident_id", "position", "units"}
    body = {k: v for k, v in report.items() if k not in script_ids}
    body["paper"] = {
        "by_unit": [{**u, "unit": "-"} for u in report["paper"]["by_unit"]],
        "by_hour": [
            {**h, "by_unit": sorted(h["by_unit"].values())} for h in report["paper"]["by_hour"]
        ],
    }
    body["rounds"] = [
        {
            **r,
            "unit": "-",
            "vital_issues": [
                {**i, "occurrence_id": "-", "citizen_ref": "-"} for i in r["vital_issues"]
            ],
        }
        for r in report["rounds"]
    ]
    return body


async def test_an_outage_recorded_late_and_out_of_order_gives_the_same_report(
    client: Client, keys: dict[Role, str]
) -> None:
    in_order = await record(client, keys[Role.LEADER])
    shuffled = await record(client, keys[Role.LEADER], in_order=False)
    first = await report_of(client, in_order.incident)
    second = await report_of(client, shuffled.incident)
    assert first["position"] != second["position"]
    assert same_outage(first) == same_outage(second)


async def test_a_unit_key_sees_the_steps_but_only_its_own_units_paper_and_rounds(
    client: Client, pool: asyncpg.Pool, keys: dict[Role, str]
) -> None:
    script = await record(client, keys[Role.LEADER])
    other = await create_key(pool, Role.STAFF, "another unit", units=["bosted-aahuset"])
    theirs = await report_of(client, script.incident, Authorization=f"Bearer {other}")
    assert theirs["units"] == []
    assert theirs["paper"] == {"by_unit": [], "by_hour": []}
    assert theirs["rounds"] == []
    assert theirs["back_entry"]["records"] == 0
    assert line(theirs, "colleagues-informed")["minutes"] == 5  # the incident's own steps
    assert not line(theirs, "care-delivered")["done"]  # another unit's paper does not show
    own = await create_key(pool, Role.STAFF, "the unit", units=[script.unit])
    mine = await report_of(client, script.incident, Authorization=f"Bearer {own}")
    assert mine["paper"]["by_unit"][0]["made"] == 4
    it = await report_of(client, script.incident, Authorization=f"Bearer {keys[Role.IT]}")
    assert it["rounds"][0]["vital_waived"] == 1  # IT sees counts,
    assert it["rounds"][0]["vital_issues"] == []  # not the citizens one by one
    reporter = await client.get(
        f"/v1/incidents/{script.incident}/report",
        headers={"Authorization": f"Bearer {keys[Role.REPORTER]}"},
    )
    assert reporter.status_code == 403


async def test_the_report_names_no_one_and_shows_no_sealed_text(
    client: Client, keys: dict[Role, str]
) -> None:
    script = await record(client, keys[Role.LEADER])
    text = (await client.get(f"/v1/incidents/{script.incident}/report")).text
    for sealed in ("Aase", "Bent", "NovoRapid", "Paracetamol", "Tilsyn", "lægens", "skrevet"):
        assert sealed not in text


async def test_a_step_done_later_than_the_plans_target_is_marked_late(
    database_url: str, tmp_path: Path, keys: dict[Role, str]
) -> None:
    plan = DEFAULT_PLAN.read_text(encoding="utf-8")
    for step in ("colleagues-informed", "leader-informed"):
        plan = plan.replace(f'steps = ["{step}"]\n', f'steps = ["{step}"]\ntarget_minutes = 15\n')
    path = tmp_path / "plan.toml"
    path.write_text(plan, encoding="utf-8")
    app = create_app(settings_for(database_url, plan_path=path))
    async with AsyncTestClient(app=app) as client:
        client.headers["Authorization"] = f"Bearer {keys[Role.STAFF]}"
        shown = (await client.get("/v1/plan")).json()["lines"]
        assert [x["target_minutes"] for x in shown if x["target_minutes"]] == [15, 15]
        script = await record(client, keys[Role.LEADER])
        report = await report_of(client, script.incident)
    told = line(report, "colleagues-informed")
    assert (told["minutes"], told["target_minutes"], told["late"]) == (5, 15, False)
    leader = line(report, "leader-informed")
    assert (leader["minutes"], leader["target_minutes"], leader["late"]) == (20, 15, True)


async def test_the_default_plan_sets_no_target(client: Client) -> None:
    shown = (await client.get("/v1/plan")).json()["lines"]
    assert {x["target_minutes"] for x in shown} == {None}


async def test_a_report_of_no_incident_is_404(client: Client) -> None:
    answer = await client.get("/v1/incidents/7c3a3f3e-0000-4000-8000-000000000000/report")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")


async def simple_outage(client: Client, day: str) -> str:
    """Intranettet down for 40 minutes; colleagues told after 26 minutes; no paper."""
    body = {"title": "Intranet nede", "detected_via": "employee", "reported_by": {"id": "emp-9"},
            "affected_systems": ["intranet"], "affected_units": ["botilbud-solsikken"],
            "occurred_at": f"{day}T09:00:00+01:00"}  # fmt: skip
    incident = (await client.post("/v1/incidents", json=body)).json()["incident_id"]
    for kind, clock, extra in (
        ("colleagues-informed", "09:26", {}),
        ("system-restored", "09:40", {"system": "intranet"}),
        ("incident-closed", "10:00", {}),
    ):
        step = {"type": kind, "occurred_at": f"{day}T{clock}:00+01:00", "by": {"id": "emp-9"}}
        answer = await client.post(f"/v1/incidents/{incident}/events", json=step | extra)
        assert answer.status_code == 201, answer.text
    return str(incident)


async def test_the_summary_gives_medians_and_the_worst_per_line_drills_apart(
    client: Client, keys: dict[Role, str]
) -> None:
    first = await record(client, keys[Role.LEADER], day="2026-02-10")
    second = await record(client, keys[Role.LEADER], day="2026-02-11", in_order=False)
    slow = await simple_outage(client, "2026-02-12")
    drill = await record(client, keys[Role.LEADER], day="2026-02-11", mode="exercise")
    period = {"from": "2026-02-10T00:00:00+01:00", "to": "2026-02-13T00:00:00+01:00"}
    answer = await client.get("/v1/reports/summary", params=period)
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert [o["incident_id"] for o in summary["outages"]] == [first.incident, second.incident, slow]
    told = next(x for x in summary["lines"] if x["text"].endswith("straks sine kollegaer."))
    assert (told["outages"], told["done"], told["median_minutes"], told["worst_minutes"]) == (
        3, 3, 5, 26
    )  # fmt: skip
    assert told["worst_incident_id"] == slow
    systems = {
        s["system"]: (s["outages"], s["median_minutes"], s["worst_minutes"])
        for s in summary["systems"]
    }
    assert systems == {"nexus": (2, 90, 90), "fmk": (2, 120, 120), "intranet": (1, 40, 40)}
    assert summary["back_entry"] == {
        "records": 8, "entered": 6, "voided": 2, "pending": 0, "completion": 1.0,
        "median_hours": 1.5, "worst_hours": 1.5,
    }  # fmt: skip
    assert summary["rounds"] == {
        "vital": 4, "vital_given_late": 2, "vital_missed": 0, "vital_waived": 2
    }  # fmt: skip
    drills = (await client.get("/v1/reports/summary", params=period | {"mode": "exercise"})).json()
    assert [o["incident_id"] for o in drills["outages"]] == [drill.incident]
    backwards = await client.get(
        "/v1/reports/summary", params={"from": period["to"], "to": period["from"]}
    )
    assert backwards.status_code == 422
