"""A fault on our side is a 500 problem that names its request and shows nothing internal."""

from __future__ import annotations

import pytest
from litestar import get
from litestar.testing import AsyncTestClient

from service.app import create_app
from tests.apps import settings_for

pytestmark = pytest.mark.anyio


@get("/v1/contacts/boom", operation_id="getContactNow")  # an operation every role may call
async def boom() -> None:
    raise RuntimeError(f"SELECT cpr FROM citizens WHERE cpr = '010170-0000' -- {__file__}")


async def test_a_500_carries_a_correlation_id_and_no_sql_path_or_trace(
    database_url: str, keys: dict[object, str]
) -> None:
    app = create_app(settings_for(database_url))
    app.register(boom)
    async with AsyncTestClient(app=app) as client:
        key = next(iter(keys.values()))
        response = await client.get(
            "/v1/contacts/boom",
            headers={"Authorization": f"Bearer {key}", "X-Request-ID": "night-shift-500"},
        )
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/internal-error"
    assert body["correlation_id"] == "night-shift-500" == response.headers["x-request-id"]
    for internal in ("SELECT", "010170-0000", "Traceback", ".py", "RuntimeError"):
        assert internal not in response.text
