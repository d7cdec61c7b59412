"""The evaluation report: `GET /v1/incidents/{id}/report` of a closed outage of 5,000 events, as
JSON and as PDF (its three charts drawn by matplotlib), timed one after another.

The outage: a unit with an emergency list of 60 citizens x 10 items, detected twelve hours ago;
a note every few minutes, two systems restored, about 2,450 paper records (doses on the list's
occurrences and visits) entered into the journal after the restoration, 500 at a time, and the
close.
The report is made from the log on every read (no projection keeps it), so this is its cost.

Target (issue 22): none given; the figure is for the closing note.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench.load import AUTH
from bench.projections import pct, serve
from bench.registry import Options, Ratios, scenario
from bench.rounds import a_list
from service.api.record_schemas import MAX_JOURNAL_ENTRIES

EVENTS = 5_000


async def _posts(http: httpx.AsyncClient, calls: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """POST each, 32 at a time; the answers in order."""
    answers: list[Any] = []
    for start in range(0, len(calls), 32):
        chunk = calls[start : start + 32]
        got = await asyncio.gather(*(http.post(path, json=body) for path, body in chunk))
        for answer in got:
            assert answer.status_code == 201, answer.text[:300]
            answers.append(answer.json())
    return answers


async def setup(base: str, events: int) -> str:
    """A closed outage of about `events` events; its id."""
    unit = f"botilbud-report-{uuid.uuid4().hex[:6]}"
    detected = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=12)
    restored = detected + timedelta(hours=8)
    by = {"id": "bench"}
    async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=120) as http:
        kept = await http.put(f"/v1/units/{unit}/emergency-list", json=a_list(60, 10))
        assert kept.status_code == 201, kept.text
        declared = await http.post("/v1/incidents", json={
            "title": "Nexus og FMK nede (bench)", "detected_via": "employee",
            "reported_by": by, "affected_systems": ["nexus", "fmk"], "affected_units": [unit],
            "occurred_at": detected.isoformat()})  # fmt: skip
        incident = declared.json()["incident_id"]
        steps = f"/v1/incidents/{incident}/events"
        notes = 40
        await _posts(http, [
            (steps, {"type": "note-added", "text": f"Status {n}", "by": by,
                     "occurred_at": (detected + timedelta(minutes=5 * n + 1)).isoformat()})
            for n in range(notes)
        ])  # fmt: skip
        for system, hours in (("nexus", 7), ("fmk", 8)):
            step = {"type": "system-restored", "system": system, "by": by,
                    "occurred_at": (detected + timedelta(hours=hours)).isoformat()}  # fmt: skip
            assert (await http.post(steps, json=step)).status_code == 201
        shown = await http.get(f"/v1/incidents/{incident}/rounds", params={"unit": unit})
        due = [o for o in shown.json()["occurrences"] if o["due_at"] < restored.isoformat()]
        records = (events - notes - 4) // 2
        papers = []
        for n in range(records):
            at = detected + timedelta(seconds=(8 * 3600 - 60) * n / records)
            if n < len(due):
                line = due[n]
                papers.append(
                    (
                        f"/v1/incidents/{incident}/medication-dispensings",
                        {
                            "citizen": {"ref": line["citizen_ref"]},
                            "unit": unit,
                            "medication": {"name": "Medicin", "dose": "1 tabl."},
                            "by": by,
                            "dispensed_at": line["due_at"],
                            "occurrence_id": line["occurrence_id"],
                        },
                    )
                )
            else:
                papers.append((f"/v1/incidents/{incident}/care-deliveries", {
                    "citizen": {"ref": "cit_" + "b" * 24}, "unit": unit, "service": "Tilsyn",
                    "status": "delivered", "occurred_at": at.isoformat(), "by": by}))  # fmt: skip
        made = await _posts(http, papers)
        # Entered into the journal after the restoration, 500 at a time, as the back-entry
        # worklist does (POST /v1/manual-records/journal-entries), a few minutes apart.
        ids = [m["record_id"] for m in made]
        for n, start in enumerate(range(0, len(ids), MAX_JOURNAL_ENTRIES)):
            entered = await http.post("/v1/manual-records/journal-entries", json={
                "record_ids": ids[start : start + MAX_JOURNAL_ENTRIES], "by": by,
                "entered_at": (restored + timedelta(minutes=10 * n + 1)).isoformat()})  # fmt: skip
            assert entered.status_code == 200, entered.text[:300]
            refused = [r for r in entered.json()["results"] if r["status"] != "accepted"]
            assert not refused, refused[:3]
        closing = restored + timedelta(hours=3, minutes=30)
        close = {"type": "incident-closed", "by": by, "waiver_reason": "bench",
                 "occurred_at": closing.isoformat()}  # fmt: skip
        closed = await http.post(steps, json=close)
        assert closed.status_code == 201, closed.text
    return str(incident)


async def timed(base: str, incident: str, accept: str, times: int) -> tuple[list[float], int]:
    took = []
    size = 0
    async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=120) as http:
        for _ in range(times):
            started = time.perf_counter()
            answer = await http.get(f"/v1/incidents/{incident}/report", headers={"Accept": accept})
            took.append(time.perf_counter() - started)
            assert answer.status_code == 200, answer.text[:300]
            size = len(answer.content)
    return took, size


async def run(url: str, times: int) -> dict[str, float]:
    base, process = serve(url)
    try:
        incident = await setup(base, EVENTS)
        async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=60) as http:
            timeline = await http.get(f"/v1/incidents/{incident}/timeline")
            events = len(timeline.json())
        as_json, json_size = await timed(base, incident, "application/json", times)
        as_pdf, pdf_size = await timed(base, incident, "application/pdf", times)
    finally:
        process.terminate()
        process.wait()
    print(f"report: a closed outage of {events:,} events (the incident's and its paper records')")
    for name, values, size in (("JSON", as_json, json_size), ("PDF ", as_pdf, pdf_size)):
        print(
            f"  GET report {name} median {pct(values, 0.5):7.1f} ms  slowest "
            f"{max(values) * 1000:7.1f} ms  ({len(values)} reads, {size / 1024:,.0f} KiB)"
        )
    return {"report_json_ms": pct(as_json, 0.5), "report_pdf_ms": pct(as_pdf, 0.5)}


@scenario("report", order=56)
def report_scenario(url: str, options: Options) -> Ratios:
    return asyncio.run(run(url, 3 if options.quick else 10))
