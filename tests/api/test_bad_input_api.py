"""Bad input never costs data: every write endpoint, every kind of bad input, a 4xx each time,
never a 5xx, and the log unchanged."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest

from tests.api.outage import (
    NEXUS_DOWN,
    Client,
    care,
    declare,
    dispensing,
    log_size,
    record_dispensing,
    step,
)

pytestmark = pytest.mark.anyio

MARK = "@@text@@"  # where a bad string goes, in the field each endpoint keeps as text
BY = {"id": "emp-1042"}


def endpoints(incident: str, record: str) -> dict[str, tuple[str, dict[str, Any], str]]:
    """name -> (path, a body the endpoint takes, its time field)."""
    return {
        "declare": ("/v1/incidents", NEXUS_DOWN | {"title": MARK}, "occurred_at"),
        "step": (
            f"/v1/incidents/{incident}/events",
            step("note-added", text=MARK),
            "occurred_at",
        ),
        "dispensing": (
            f"/v1/incidents/{incident}/medication-dispensings",
            dispensing(note=MARK),
            "dispensed_at",
        ),
        "care": (f"/v1/incidents/{incident}/care-deliveries", care(note=MARK), "occurred_at"),
        "journal-entry": (
            f"/v1/manual-records/{record}/journal-entry",
            {"by": BY, "entered_at": "2026-03-06T09:00:00+01:00", "journal_reference": MARK},
            "entered_at",
        ),
        "void": (
            f"/v1/manual-records/{record}/void",
            {"by": BY, "reason": MARK, "occurred_at": "2026-03-06T09:00:00+01:00"},
            "occurred_at",
        ),
        "list-print": (
            "/v1/units/botilbud-solsikken/medication-list-prints",
            {
                "by": BY | {"name": MARK},
                "printed_at": "2026-03-01T08:00:00+01:00",
                "list_as_of": "2026-03-01T07:00:00+01:00",
            },
            "printed_at",
        ),
    }


def with_text(raw: bytes) -> Callable[[dict[str, Any], str], bytes]:
    return lambda body, _: json.dumps(body).encode().replace(MARK.encode(), raw)


def with_field(value: Any, field: str | None = None) -> Callable[[dict[str, Any], str], bytes]:
    return lambda body, time_field: json.dumps(body | {field or time_field: value}).encode()


BAD: dict[str, Callable[[dict[str, Any], str], bytes]] = {
    "nul": with_text(b"a\\u0000b"),
    "lone-surrogate": with_text(b"a\\ud800b"),
    "invalid-utf8": with_text(b"a\xff\xfeb"),
    "over-64-kib": with_text(b"x" * (64 * 1024 + 1)),
    "1000-deep": lambda _, __: b"[" * 1000 + b"]" * 1000,
    "naive-time": with_field("2026-03-05T16:00:00"),
    "far-future-time": with_field("2999-03-05T16:00:00+01:00"),
    "year-1-time": with_field("0001-01-01T00:00:00+05:00"),
    "unknown-field": with_field(1, "surprise"),
    "wrong-type": with_field(12345),
}
NAMES = [
    "declare", "step", "dispensing", "care", "journal-entry", "void", "list-print",
]  # fmt: skip


@pytest.mark.parametrize("bad", sorted(BAD))
@pytest.mark.parametrize("endpoint", NAMES)
async def test_bad_input_is_a_4xx_problem_and_stores_nothing(
    client: Client, pool: asyncpg.Pool, endpoint: str, bad: str
) -> None:
    incident = await declare(client)
    record = await record_dispensing(client, incident)
    path, body, time_field = endpoints(incident, record)[endpoint]
    content = BAD[bad](body, time_field)
    before = await log_size(pool)
    response = await client.post(
        path, content=content, headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500, (endpoint, bad, response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert await log_size(pool) == before
    # The sealed identity of the record's citizen is never echoed back in a refusal.
    assert "010170" not in response.text


async def test_the_bodies_above_are_taken_when_nothing_is_wrong_with_them(
    client: Client, pool: asyncpg.Pool
) -> None:
    """So each refusal above is for the bad input alone."""
    incident = await declare(client)
    record = await record_dispensing(client, incident)
    for name in NAMES:
        if name == "void":  # a record entered into the journal can no longer be voided
            continue
        path, body, _ = endpoints(incident, record)[name]
        good = json.dumps(body).replace(MARK, "Synthetisk tekst").encode()
        before = await log_size(pool)
        response = await client.post(
            path, content=good, headers={"content-type": "application/json"}
        )
        assert response.status_code == 201, (name, response.text)
        assert await log_size(pool) > before
    other = await record_dispensing(client, incident)
    path, body, _ = endpoints(incident, other)["void"]
    voided = await client.post(
        path,
        content=json.dumps(body).replace(MARK, "Fejl").encode(),
        headers={"content-type": "application/json"},
    )
    assert voided.status_code == 201, voided.text


async def test_a_missing_query_parameter_is_named_and_the_query_string_is_not_echoed(
    client: Client,
) -> None:
    """Litestar said "Missing required query parameter 'unit' for path /v1/...?<the query>":
    whatever the query held (a CPR number a client put there) came back in the problem."""
    incident = await declare(client)
    cpr = "0101701234"
    refused = await client.get(
        f"/v1/incidents/{incident}/rounds", params={"at": "2026-03-05T09:00:00+01:00", "q": cpr}
    )
    assert refused.status_code == 422, refused.text
    assert cpr not in refused.text
    assert refused.json()["errors"] == [{"field": "unit", "message": "is required"}]
    danish = await client.get(
        f"/v1/incidents/{incident}/rounds",
        params={"at": "2026-03-05T09:00:00+01:00"},
        headers={"Accept-Language": "da"},
    )
    assert "skal udfyldes" in danish.json()["detail"]
