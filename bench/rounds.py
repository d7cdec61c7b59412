"""The rounds: `GET /v1/incidents/{id}/rounds` for a unit of 60 citizens with 10 items each
(600 occurrences a day, vital ones among them, 120 paper records already written), p50/p99 alone
and while notes are appended at half the server's maximum rate (as `read` does); and keeping a
list of 500 citizens with 5,000 items in one request (`PUT /v1/units/{unit}/emergency-list`).

Targets (issue 19): the rounds p99 <= 20 ms under load; the 5,000-item import <= 2 s. Beside the
rounds, two floors under the same load: the readiness probe, one SELECT and nothing else, and the
liveness probe, which asks the database nothing (what the event loop alone costs a GET then).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.load import AUTH, alone_then_under_load
from bench.projections import pct, serve
from bench.registry import Options, Ratios, scenario

TIMES = ("07:00", "08:00", "09:00", "10:00", "12:00", "14:00", "16:00", "18:00", "20:00", "22:00")


def citizen(n: int, items: int) -> dict[str, Any]:
    cpr = f"{n % 28 + 1:02d}{n // 28 % 12 + 1:02d}75{n:04d}"
    return {
        "citizen": {"cpr": cpr, "name": f"Bench Borger {n}"},
        "vital_needs": "Insulinkrævende diabetes" if n % 5 == 0 else None,
        "items": [
            {
                "item_id": f"medicin-{k}",
                "kind": "medication",
                "medication": {"name": f"Medicin {k}", "dose": "1 tabl.", "route": "oral"},
                "times": [TIMES[k % len(TIMES)]],
                "window_minutes": 60,
                "vital": n % 5 == 0 and k < 2,
            }
            for k in range(items)
        ],
    }


def a_list(citizens: int, items: int) -> dict[str, Any]:
    people = [citizen(n, items) for n in range(citizens)]
    for person in people:
        if person["vital_needs"] is None:
            del person["vital_needs"]
    return {
        "list_as_of": datetime.now(UTC).isoformat(),
        "by": {"id": "bench"},
        "citizens": people,
    }


async def setup(base: str) -> tuple[str, str]:
    """A unit with 60 x 10, an open outage there since six hours ago, 120 doses recorded."""
    unit = f"botilbud-bench-{uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=120) as http:
        kept = await http.put(f"/v1/units/{unit}/emergency-list", json=a_list(60, 10))
        assert kept.status_code == 201, kept.text
        detected = datetime.now(UTC) - timedelta(hours=6)
        declared = await http.post(
            "/v1/incidents",
            json={
                "title": "Nexus nede (bench)",
                "detected_via": "employee",
                "reported_by": {"id": "bench"},
                "affected_systems": ["nexus"],
                "affected_units": [unit],
                "occurred_at": detected.isoformat(),
            },
        )
        incident = declared.json()["incident_id"]
        shown = await http.get(f"/v1/incidents/{incident}/rounds", params={"unit": unit})
        for line in shown.json()["occurrences"][:120]:
            at = min(datetime.fromisoformat(line["due_at"]), datetime.now(UTC))
            made = await http.post(
                f"/v1/incidents/{incident}/medication-dispensings",
                json={
                    "citizen": {"ref": line["citizen_ref"]},
                    "unit": unit,
                    "medication": {"name": "Medicin", "dose": "1 tabl."},
                    "dispensed_at": at.isoformat(),
                    "by": {"id": "bench"},
                    "occurrence_id": line["occurrence_id"],
                },
            )
            assert made.status_code in (201, 409), made.text
    return incident, unit


async def imports(base: str, times: int) -> list[float]:
    body = a_list(500, 10)
    took = []
    async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=120) as http:
        unit = f"botilbud-import-{uuid.uuid4().hex[:6]}"
        for _ in range(times):
            started = time.perf_counter()
            kept = await http.put(f"/v1/units/{unit}/emergency-list", json=body)
            took.append(time.perf_counter() - started)
            assert kept.status_code == 201, kept.text[:300]
    return took


async def run(url: str, seconds: float) -> dict[str, float]:
    base, process = serve(url)
    try:
        incident, unit = await setup(base)
        path, params = f"/v1/incidents/{incident}/rounds", {"unit": unit}
        measured = await alone_then_under_load(base, url, seconds, path, params)
        # The floor under the same load: a GET that asks the database one thing and does
        # nothing else (the readiness probe's SELECT). No read that asks the database is quicker.
        floor = await alone_then_under_load(base, url, seconds, "/health/ready")
        # Below it: a GET that asks the database nothing (no key, no query), the event loop's
        # own wait under the load. No read that answers from the database can beat it.
        bare = await alone_then_under_load(base, url, seconds, "/health/live")
        took = await imports(base, 5)
    finally:
        process.terminate()
        process.wait()
    alone, loaded = measured.alone, measured.loaded
    print(
        f"rounds: 60 citizens x 10 items, 120 doses recorded; appends at "
        f"{measured.rate(seconds):,.0f}/s (half of the {measured.most:,.0f}/s measured first)"
    )
    for name, values in (("alone", alone), ("under load", loaded)):
        print(
            f"  GET rounds {name:<11} p50 {pct(values, 0.5):6.1f} ms  "
            f"p99 {pct(values, 0.99):6.1f} ms  ({len(values)} reads)"
        )
    print(
        f"  the load's warm-up before the reads under load: {measured.warm_up:.1f} s, until each"
        f" of the {measured.incidents} open incidents had been written to (taken into memory)"
    )
    for name, under in (
        ("the floor, GET /health/ready (one SELECT)", floor.loaded),
        ("below it, GET /health/live (no database)", bare.loaded),
    ):
        print(
            f"  {name} under load p50 {pct(under, 0.5):6.1f} ms  p99 {pct(under, 0.99):6.1f} ms"
            f"  ({len(under)} reads)"
        )
    print(
        f"  PUT emergency-list 500 citizens / 5,000 items: median {pct(took, 0.5):,.0f} ms, "
        f"slowest {max(took) * 1000:,.0f} ms ({len(took)} imports)"
    )
    return {
        "rounds_p99_ms_alone": pct(alone, 0.99),
        "rounds_p99_ms_under_load": pct(loaded, 0.99),
        "load_warm_up_s": measured.warm_up,
        "one_query_p99_ms_under_load": pct(floor.loaded, 0.99),
        "no_query_p99_ms_under_load": pct(bare.loaded, 0.99),
        "list_import_ms": max(took) * 1000,
    }


@scenario("rounds", order=50)
def rounds_scenario(url: str, options: Options) -> Ratios:
    return asyncio.run(run(url, 3 if options.quick else 15))
