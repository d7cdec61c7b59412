"""Every answer names its request: X-Request-ID in the response and in each problem body."""

from __future__ import annotations

import pytest

from tests.api.outage import Client

pytestmark = pytest.mark.anyio


async def test_a_given_request_id_comes_back_in_the_header_and_the_problem(client: Client) -> None:
    response = await client.post(
        "/v1/incidents", json={"title": ""}, headers={"X-Request-ID": "carer-phone-42"}
    )
    assert response.status_code == 422
    assert response.headers["x-request-id"] == "carer-phone-42"
    assert response.json()["request_id"] == "carer-phone-42"


async def test_without_one_a_request_id_is_made_and_an_unfit_one_is_replaced(
    client: Client,
) -> None:
    made = await client.get("/v1/contacts/now")
    assert len(made.headers["x-request-id"]) == 32
    odd = await client.get("/v1/contacts/now", headers={"X-Request-ID": "a b\tc"})
    assert odd.headers["x-request-id"] != "a b\tc"
    assert len(odd.headers["x-request-id"]) == 32
