"""Synthetic emergency lists (nødlister) for the API tests: random units and CPR numbers, so
tests can share one database."""

from __future__ import annotations

import random
from typing import Any
from uuid import uuid4

AS_OF = "2026-03-01T06:00:00+01:00"
CSV_HEADER = (
    "cpr;name;vital_needs;item_id;kind;medication;strength;dose;route;service;times;days;"
    "window_minutes;vital"
)


def a_unit() -> str:
    return f"botilbud-{uuid4().hex[:10]}"


def a_cpr() -> str:
    """A synthetic CPR number: a real date, random digits."""
    r = random.Random()
    day, month, year, serial = (
        r.randint(1, 28),
        r.randint(1, 12),
        r.randint(0, 99),
        r.randint(0, 9999),
    )
    return f"{day:02d}{month:02d}{year:02d}{serial:04d}"


def insulin(times: tuple[str, ...] = ("08:00",), window: int = 60) -> dict[str, Any]:
    return {
        "item_id": "insulin-morgen",
        "kind": "medication",
        "medication": {
            "name": "NovoRapid",
            "strength": "100 IE/ml",
            "dose": "8 IE",
            "route": "s.c.",
        },
        "times": list(times),
        "window_minutes": window,
        "vital": True,
    }


def morning_help() -> dict[str, Any]:
    return {"item_id": "morgenhjaelp", "kind": "care", "service": "Morgenhjælp",
            "times": ["07:30"], "window_minutes": 90}  # fmt: skip


def citizen(
    cpr: str, name: str, *items: dict[str, Any], vital_needs: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"citizen": {"cpr": cpr, "name": name}, "items": list(items)}
    if vital_needs:
        body["vital_needs"] = vital_needs
    return body


def a_list(*citizens: dict[str, Any], as_of: str = AS_OF) -> dict[str, Any]:
    return {"list_as_of": as_of, "by": {"id": "emp-1042", "name": "Anne Testesen"},
            "citizens": list(citizens)}  # fmt: skip


def two_citizens() -> tuple[dict[str, Any], str, str]:
    aase, bent = a_cpr(), a_cpr()
    body = a_list(
        citizen(aase, "Aase Testesen", insulin(), vital_needs="Insulinkrævende diabetes"),
        citizen(bent, "Bent Prøvesen", morning_help()),
    )
    return body, aase, bent
