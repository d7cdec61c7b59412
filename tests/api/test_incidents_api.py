"""POST and GET of incidents: receipts, refusals as problem+json, idempotency, If-Match."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from service.access.auth import Role
from tests.api.outage import NEXUS_DOWN, Client, declare, log_size, step

pytestmark = pytest.mark.anyio


async def test_declaring_an_outage_returns_a_receipt_and_its_location(client: Client) -> None:
    response = await client.post("/v1/incidents", json=NEXUS_DOWN)
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "event_id",
        "stream_id",
        "version",
        "position",
        "recorded_at",
        "hash",
        "incident_id",
    }
    assert body["version"] == 1
    assert len(body["hash"]) == 64
    assert response.headers["location"] == f"/v1/incidents/{body['incident_id']}"
    shown = (await client.get(response.headers["location"])).json()
    assert shown["systems_down"] == ["nexus", "fmk"]
    assert shown["status"] == "open"


async def test_a_restored_system_shows_and_the_etag_follows_the_version(client: Client) -> None:
    incident = await declare(client)
    restored = await client.post(
        f"/v1/incidents/{incident}/events", json=step("system-restored", system="fmk")
    )
    assert restored.status_code == 201
    assert restored.json()["version"] == 2
    shown = await client.get(f"/v1/incidents/{incident}")
    assert shown.headers["etag"] == '"2"'
    assert shown.json()["status"] == "partly-restored"
    assert shown.json()["systems_restored"] == ["fmk"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEXUS_DOWN, "occurred_at": "2026-03-05T14:30:00"}, "occurred_at"),  # naive
        ({**NEXUS_DOWN, "occurred_at": "2999-03-05T14:30:00+01:00"}, "occurred_at"),
        # Year 1 would be stored as -infinity and stall every projection (found by schemathesis).
        ({**NEXUS_DOWN, "occurred_at": "0001-01-01T00:00:00+05:00"}, "occurred_at"),
        ({**NEXUS_DOWN, "occurred_at": "1999-12-31T23:59:59Z"}, "occurred_at"),
        ({**NEXUS_DOWN, "affected_systems": ["nexus\n"]}, "affected_systems[0]"),
        ({**NEXUS_DOWN, "affected_systems": []}, "affected_systems"),
        ({**NEXUS_DOWN, "position": 1}, "position"),
        ({**NEXUS_DOWN, "detected_via": "rumour"}, "detected_via"),
        ({**NEXUS_DOWN, "title": "Nexus\u0000nede"}, "title"),
        ({**NEXUS_DOWN, "title": "x" * 201}, "title"),
        ({k: v for k, v in NEXUS_DOWN.items() if k != "title"}, "title"),
    ],
)
async def test_bad_input_is_refused_with_the_field_named_and_nothing_stored(
    client: Client, pool: asyncpg.Pool, body: dict[str, Any], field: str
) -> None:
    before = await log_size(pool)
    response = await client.post("/v1/incidents", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in {e["field"] for e in response.json()["errors"]}
    assert await log_size(pool) == before


async def test_malformed_json_is_a_400_problem(client: Client) -> None:
    response = await client.post(
        "/v1/incidents", content=b'{"title": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_the_same_idempotency_key_and_body_get_the_original_answer(client: Client) -> None:
    headers = {"Idempotency-Key": "monitoring-alarm-4711"}
    first = await client.post("/v1/incidents", json=NEXUS_DOWN, headers=headers)
    again = await client.post("/v1/incidents", json=NEXUS_DOWN, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    other = await client.post(
        "/v1/incidents", json={**NEXUS_DOWN, "title": "Andet"}, headers=headers
    )
    assert other.status_code == 409
    assert other.json()["type"].endswith("idempotency-key-reused")


async def test_a_step_retried_with_its_key_after_it_succeeded_is_not_refused(
    client: Client,
) -> None:
    incident = await declare(client)
    restore = step("system-restored", system="fmk")
    headers = {"Idempotency-Key": "restore-fmk-1"}
    first = await client.post(f"/v1/incidents/{incident}/events", json=restore, headers=headers)
    again = await client.post(f"/v1/incidents/{incident}/events", json=restore, headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert (await client.get(f"/v1/incidents/{incident}")).headers["etag"] == '"2"'


async def test_a_write_with_a_stale_if_match_gets_412(client: Client) -> None:
    incident = await declare(client)
    await client.post(f"/v1/incidents/{incident}/events", json=step("note-added", text="a"))
    stale = await client.post(
        f"/v1/incidents/{incident}/events",
        json=step("note-added", text="b"),
        headers={"If-Match": '"1"'},
    )
    assert stale.status_code == 412
    fresh = await client.post(
        f"/v1/incidents/{incident}/events",
        json=step("note-added", text="b"),
        headers={"If-Match": '"2"'},
    )
    assert fresh.status_code == 201
    assert fresh.json()["version"] == 3


async def test_without_a_key_the_api_answers_401_and_with_the_wrong_role_403(
    client: Client, keys: dict[Role, str]
) -> None:
    bare = await client.get(
        "/v1/incidents/00000000-0000-4000-8000-000000000000", headers={"Authorization": ""}
    )
    assert bare.status_code == 401
    assert bare.headers["content-type"].startswith("application/problem+json")
    wrong = await client.get(
        "/v1/incidents/00000000-0000-4000-8000-000000000000",
        headers={"Authorization": "Bearer nbd_not-a-key"},
    )
    assert wrong.status_code == 401
    auditor = await client.post(
        "/v1/incidents", json=NEXUS_DOWN, headers={"Authorization": f"Bearer {keys[Role.AUDITOR]}"}
    )
    assert auditor.status_code == 403


async def test_an_unknown_incident_or_route_is_a_404_problem(client: Client) -> None:
    for path in ["/v1/incidents/00000000-0000-4000-8000-000000000000", "/v1/nowhere"]:
        response = await client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_the_timeline_is_ordered_by_occurrence_and_can_be_asked_what_was_known(
    client: Client,
) -> None:
    incident = await declare(client)
    late = await client.post(
        f"/v1/incidents/{incident}/events",
        json=step("note-added", at="2026-03-05T18:00:00+01:00", text="Status kl. 18"),
    )
    await client.post(
        f"/v1/incidents/{incident}/events",
        json=step("note-added", at="2026-03-05T15:00:00+01:00", text="Papirnotat fra kl. 15"),
    )
    timeline = (await client.get(f"/v1/incidents/{incident}/timeline")).json()
    assert [e["type"] for e in timeline] == ["incident-detected", "note-added", "note-added"]
    assert [e["occurred_at"] for e in timeline] == [
        "2026-03-05T13:30:00Z",
        "2026-03-05T14:00:00Z",
        "2026-03-05T17:00:00Z",
    ]
    known_then = (
        await client.get(
            f"/v1/incidents/{incident}/timeline",
            params={"known_at": late.json()["recorded_at"], "purpose": "treatment"},
        )
    ).json()
    assert [e["data"].get("text") for e in known_then] == [None, "Status kl. 18"]
    before_16 = (
        await client.get(
            f"/v1/incidents/{incident}/timeline",
            params={"occurred_before": "2026-03-05T16:00:00+01:00"},
        )
    ).json()
    assert len(before_16) == 2
