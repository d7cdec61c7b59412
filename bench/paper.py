"""The paper kit: `GET /v1/units/{unit}/paper-kit` for a unit of 40 citizens with 4 items each
(160 occurrences a day, each with its QR code), during an open outage and with a purpose (names
and CPR printed, 40 access-log rows and a `medication-list-printed` event per kit): its page
count and size, and the time to make it, alone and while notes are appended at half the
server's maximum rate (as `rounds` does).
"""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pypdf import PdfReader

from bench.load import AUTH, alone_then_under_load
from bench.projections import pct, serve
from bench.registry import Options, Ratios, scenario
from bench.rounds import a_list

CITIZENS, ITEMS = 40, 4


async def setup(base: str) -> tuple[str, str]:
    """A unit with 40 x 4 on its list, and an open outage there since an hour ago."""
    unit = f"botilbud-papir-{uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=120) as http:
        kept = await http.put(f"/v1/units/{unit}/emergency-list", json=a_list(CITIZENS, ITEMS))
        assert kept.status_code == 201, kept.text
        declared = await http.post(
            "/v1/incidents",
            json={
                "title": "Nexus nede (bench)",
                "detected_via": "employee",
                "reported_by": {"id": "bench"},
                "affected_systems": ["nexus"],
                "affected_units": [unit],
                "occurred_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
            },
        )
        assert declared.status_code == 201, declared.text
    return declared.json()["incident_id"], unit


async def one_kit(base: str, path: str, params: dict[str, Any]) -> tuple[int, int, int]:
    """One kit: its pages, its bytes, and how many QR codes (occurrences) it prints."""
    async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=120) as http:
        answer = await http.get(path, params=params)
    assert answer.status_code == 200, answer.text
    pages = PdfReader(io.BytesIO(answer.content)).pages
    windows = sum((p.extract_text() or "").count("Vindue") for p in pages)
    return len(pages), len(answer.content), windows


async def run(url: str, seconds: float) -> dict[str, float]:
    base, process = serve(url)
    try:
        incident, unit = await setup(base)
        path = f"/v1/units/{unit}/paper-kit"
        params = {"incident": incident, "purpose": "treatment", "by": "bench"}
        pages, size, lines = await one_kit(base, path, params)
        measured = await alone_then_under_load(base, url, seconds, path, params)
    finally:
        process.terminate()
        process.wait()
    alone, loaded = measured.alone, measured.loaded
    print(
        f"paper: a kit for {CITIZENS} citizens x {ITEMS} items with a purpose: {pages} pages, "
        f"{size / 1024:,.0f} KiB, {lines} occurrences with a QR code; appends at "
        f"{measured.rate(seconds):,.0f}/s under load "
        f"(half of the {measured.most:,.0f}/s measured first)"
    )
    for name, values in (("alone", alone), ("under load", loaded)):
        print(
            f"  GET paper-kit {name:<11} p50 {pct(values, 0.5):6.0f} ms  "
            f"p99 {pct(values, 0.99):6.0f} ms  ({len(values)} kits)"
        )
    return {
        "paper_kit_pages": pages,
        "paper_kit_kib": size / 1024,
        "paper_kit_p50_ms_alone": pct(alone, 0.5),
        "paper_kit_p50_ms_under_load": pct(loaded, 0.5),
    }


@scenario("paper", order=55)
def paper_scenario(url: str, options: Options) -> Ratios:
    return asyncio.run(run(url, 3 if options.quick else 15))
