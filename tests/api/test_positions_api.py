"""A position to resume from is a non-negative integer: anything else is a 400 that names it,
never a replay of the whole log nor silently ignored."""

from __future__ import annotations

import pytest

from service.access.auth import Role
from tests.api.outage import Client

pytestmark = pytest.mark.anyio

NOT_POSITIONS = ["-5", "abc", "1.5", "+3", " 7", "0x10", "1e3", "99999999999999999999"]


@pytest.mark.parametrize("given", NOT_POSITIONS)
async def test_a_last_event_id_that_is_not_a_position_is_refused(
    client: Client, given: str
) -> None:
    answer = await client.get("/v1/situation/stream", headers={"Last-Event-ID": given})
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["type"] == "/problems/invalid-position"
    assert [e["field"] for e in problem["errors"]] == ["Last-Event-ID"]


@pytest.mark.parametrize(
    "path", ["/v1/situation", "/v1/situation/stream", "/v1/readiness", "/v1/events"]
)
@pytest.mark.parametrize("given", ["-5", "abc", "1.5", "-0", "1e3", "+5", "٣"])
async def test_an_after_position_that_is_not_a_position_is_refused(
    client: Client, keys: dict[Role, str], path: str, given: str
) -> None:
    headers = {"Authorization": f"Bearer {keys[Role.ADMIN]}"}
    answer = await client.get(path, params={"after_position": given}, headers=headers)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in answer.json()["errors"]] == ["after_position"]


async def test_a_last_event_id_beyond_the_log_is_still_told_so(client: Client) -> None:
    answer = await client.get("/v1/situation/stream", headers={"Last-Event-ID": str(10**12)})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "after_position"
