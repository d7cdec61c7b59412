"""Limits at the edge: a huge body, text PostgreSQL cannot store, over-long strings, bad unicode.
Each is a 4xx problem that names what is wrong and stores nothing."""

from __future__ import annotations

import asyncpg
import pytest

from service.access.auth import Role
from tests.api.outage import NEXUS_DOWN, Client, declare, dispensing, log_size

pytestmark = pytest.mark.anyio

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"title": "\xff\xfe nede"}', 400),  # not UTF-8
        (b'{"title": "\\ud800 nede"}', 400),  # a lone surrogate
        (b'{"title": "\\u0000"}', 422),  # NUL: PostgreSQL cannot store it
        (b"[" * 10_000, 400),  # nested deeper than anyone means
    ],
    ids=["invalid-utf8", "lone-surrogate", "nul", "deep-nesting"],
)
async def test_bad_unicode_and_malformed_bodies_are_refused(
    client: Client, pool: asyncpg.Pool, body: bytes, status: int
) -> None:
    before = await log_size(pool)
    response = await client.post("/v1/incidents", content=body, headers=JSON)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await log_size(pool) == before


@pytest.mark.parametrize(("length", "status"), [(4000, 201), (4001, 422)])
async def test_a_text_may_be_4000_characters_and_no_more(
    client: Client, length: int, status: int
) -> None:
    response = await client.post("/v1/incidents", json={**NEXUS_DOWN, "description": "x" * length})
    assert response.status_code == status
    if status == 422:
        assert response.json()["errors"][0]["field"] == "description"


@pytest.mark.parametrize(("size", "status"), [(60 * 1024, 422), (65 * 1024, 413)])
async def test_a_body_over_64_kib_is_refused_with_413(
    client: Client, pool: asyncpg.Pool, size: int, status: int
) -> None:
    before = await log_size(pool)
    body = b'{"title": "' + b"x" * size + b'"}'
    response = await client.post("/v1/incidents", content=body, headers=JSON)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert await log_size(pool) == before


async def test_a_page_of_more_than_500_is_refused(client: Client) -> None:
    assert (await client.get("/v1/back-entry", params={"limit": 500})).status_code == 200
    refused = await client.get("/v1/back-entry", params={"limit": 501})
    assert refused.status_code in (400, 422)


async def test_a_time_in_a_query_must_be_rfc_3339_with_an_offset(client: Client) -> None:
    for given in ("0.5", "1700000000", "2026-11-26T08:00:00"):
        response = await client.get("/v1/contacts/now", params={"at": given})
        assert response.status_code == 422, given
        assert response.json()["errors"][0]["field"] == "at"
    taken = await client.get("/v1/contacts/now", params={"at": "2026-11-26T08:00:00+01:00"})
    assert taken.status_code == 200


@pytest.mark.parametrize(
    "cpr", ["320170-0000", "300270-0000", "011370-0000", "010170-0000\n", "0101700000x"]
)
async def test_a_cpr_number_needs_a_real_day_and_month(
    client: Client, pool: asyncpg.Pool, cpr: str
) -> None:
    incident = await declare(client)
    before = await log_size(pool)
    body = dispensing(citizen={"cpr": cpr, "name": "Synthetic Borger"})
    response = await client.post(f"/v1/incidents/{incident}/medication-dispensings", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].startswith("citizen")
    assert cpr.strip() not in response.text
    assert await log_size(pool) == before


async def test_options_names_every_method_and_a_wrong_method_is_a_405_problem(
    client: Client,
) -> None:
    options = await client.options("/v1/incidents")
    assert options.status_code == 204
    assert options.headers["allow"] == "GET, OPTIONS, POST"
    wrong = await client.delete("/v1/incidents", headers={"X-Request-ID": "wrong-method-1"})
    assert wrong.status_code == 405
    assert wrong.headers["content-type"] == "application/problem+json"
    assert wrong.json()["request_id"] == "wrong-method-1"


@pytest.mark.parametrize("path", ["/v1/events", "/v1/situation", "/v1/back-entry"])
async def test_a_position_beyond_a_bigint_is_refused_not_a_500(
    client: Client, keys: dict[Role, str], path: str
) -> None:
    # Found by schemathesis: asyncpg could not send 2**73 as a bigint.
    auditor = {"Authorization": f"Bearer {keys[Role.AUDITOR]}"}
    response = await client.get(path, params={"after_position": str(2**73)}, headers=auditor)
    assert response.status_code in (400, 422)
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "given", ["0001-01-01T00:00:00Z", "0001-01-01T00:30:00+01:00", "9999-12-31T23:59:59-05:00"]
)
async def test_a_time_beyond_the_calendar_is_refused_naming_at(client: Client, given: str) -> None:
    response = await client.get("/v1/contacts/now", params={"at": given})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "at"
