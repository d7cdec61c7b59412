"""CloudEvents from other systems: the same commands as the REST endpoints, source + id as the
idempotency key, and a batch answered per event with nothing blocked by a refused one."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from service.access.auth import Role, create_key
from tests.api.outage import NEXUS_DOWN, Client, care, declare, dispensing, log_size

pytestmark = pytest.mark.anyio

STRUCTURED = {"content-type": "application/cloudevents+json"}
BATCH = {"content-type": "application/cloudevents-batch+json"}


def ce(
    type_: str,
    data: dict[str, Any],
    *,
    id_: str,
    subject: str | None = None,
    time: str | None = "2026-03-05T16:00:00+01:00",
) -> dict[str, Any]:
    event = {
        "specversion": "1.0",
        "id": id_,
        "source": "/overvaagning/zabbix",
        "type": f"dk.nedbrud.{type_}",
        "data": data,
    }
    if subject is not None:
        event["subject"] = subject
    if time is not None:
        event["time"] = time
    return event


def detected(id_: str) -> dict[str, Any]:
    body = {k: v for k, v in NEXUS_DOWN.items() if k != "occurred_at"}
    return ce("incident.detected", body, id_=id_, time="2026-03-05T14:30:00+01:00")


async def test_a_structured_event_declares_an_outage_like_the_rest_endpoint(
    client: Client,
) -> None:
    response = await client.post("/v1/cloudevents", json=detected("alarm-1"), headers=STRUCTURED)
    assert response.status_code == 201, response.text
    incident = response.json()["incident_id"]
    shown = (await client.get(f"/v1/incidents/{incident}")).json()
    assert shown["detected_at"] == "2026-03-05T13:30:00Z"  # the event's time
    again = await client.post("/v1/cloudevents", json=detected("alarm-1"), headers=STRUCTURED)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == response.json()


async def test_a_batch_answers_per_event_and_a_refused_event_blocks_nothing(
    client: Client, pool: asyncpg.Pool
) -> None:
    first = await client.post("/v1/cloudevents", json=detected("batch-base"), headers=STRUCTURED)
    incident = first.json()["incident_id"]
    batch = [
        ce(
            "system-restored",
            {"system": "fmk", "by": {"id": "zabbix"}},
            id_="r-1",
            subject=incident,
        ),
        ce(
            "system-restored",
            {"system": "fmk", "by": {"id": "zabbix"}},
            id_="r-1",
            subject=incident,
        ),  # the same event twice
        {"specversion": "1.0", "id": "broken", "source": "/x", "type": "dk.nedbrud.note-added"},
        ce(
            "system-restored",
            {"system": "sd-loen", "by": {"id": "zabbix"}},
            id_="r-2",
            subject=incident,
        ),  # the plan refuses it
        ce("incident.reopened", {}, id_="r-3", subject=incident),
        ce("medication-dispensed", dispensing(), id_="paper-1", subject=incident, time=None),
        ce(
            "note-added",
            {"text": "Zabbix: nexus svarer", "by": {"id": "zabbix"}},
            id_="r-4",
            subject=incident,
        ),
    ]
    before = await log_size(pool)
    response = await client.post("/v1/cloudevents", json=batch, headers=BATCH)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["id"], r["status"]) for r in results] == [
        ("r-1", "accepted"),
        ("r-1", "duplicate"),
        ("broken", "refused"),
        ("r-2", "refused"),
        ("r-3", "refused"),
        ("paper-1", "accepted"),
        ("r-4", "accepted"),
    ]
    assert results[3]["problem"]["type"] == "/problems/system-not-affected"
    assert results[4]["problem"]["type"] == "/problems/unknown-event-type"
    assert results[2]["problem"]["errors"][0]["field"] == "data"
    assert await log_size(pool) == before + 3
    resent = await client.post("/v1/cloudevents", json=batch, headers=BATCH)
    assert [r["status"] for r in resent.json()["results"]] == [
        "duplicate",
        "duplicate",
        "refused",
        "refused",
        "refused",
        "duplicate",
        "duplicate",
    ]
    assert await log_size(pool) == before + 3


async def test_cloudevents_need_their_media_type_and_a_sensible_batch(client: Client) -> None:
    plain = await client.post(
        "/v1/cloudevents", json=detected("x"), headers={"content-type": "application/json"}
    )
    assert plain.status_code == 415
    assert plain.headers["content-type"].startswith("application/problem+json")
    too_many = [detected(f"n-{i}") for i in range(101)]
    assert (await client.post("/v1/cloudevents", json=too_many, headers=BATCH)).status_code == 422
    assert (await client.post("/v1/cloudevents", json=[], headers=BATCH)).status_code == 422


async def test_a_batchs_events_about_one_incident_are_taken_in_order(client: Client) -> None:
    """The events of a batch are taken at once (group commit), except those about the same
    subject: closing only works after both systems are back, so any reordering would refuse it."""
    declared = await client.post("/v1/cloudevents", json=detected("order-1"), headers=STRUCTURED)
    incident = declared.json()["incident_id"]
    by = {"id": "it-7"}
    steps = [
        ce("system-restored", {"system": system, "by": by}, id_=f"order-{system}", subject=incident)
        for system in NEXUS_DOWN["affected_systems"]
    ]
    closing = ce("incident-closed", {"by": by}, id_="order-close", subject=incident)
    others = [detected(f"order-other-{n}") for n in range(20)]
    response = await client.post(
        "/v1/cloudevents", json=[*others[:10], *steps, *others[10:], closing], headers=BATCH
    )
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] * len(results), results
    assert [r["id"] for r in results][-1] == "order-close"
    assert (await client.get(f"/v1/incidents/{incident}")).json()["status"] == "closed"


async def test_each_event_is_refused_as_its_rest_endpoint_would_refuse_it(
    client: Client, pool: asyncpg.Pool
) -> None:
    """An event's role, unit and body are checked as its REST endpoint checks them, and the
    refusal is the endpoint's own problem, word for word."""
    incident = await declare(client)
    reporter = {"Authorization": f"Bearer {await create_key(pool, Role.REPORTER, 'Zabbix')}"}
    rosen = await create_key(pool, Role.STAFF, "Rosen", units=["botilbud-rosen"])
    other_unit = {"Authorization": f"Bearer {rosen}"}
    bad_route = dispensing(medication={"name": "Paracetamol", "dose": "2 tabl.", "route": 1})
    later = "2099-01-01T08:00:00+01:00"
    cases = [
        # (whose key, type, data, the REST path the data is the body of, the refusal)
        (reporter, "medication-dispensed", dispensing(), "medication-dispensings", "forbidden"),
        (other_unit, "care-delivered", care(), "care-deliveries", "unit-not-allowed"),
        ({}, "medication-dispensed", bad_route, "medication-dispensings", "invalid-request"),
        ({}, "care-delivered", care(occurred_at=later), "care-deliveries", "invalid-request"),
        ({}, "care-delivered", care(status="maybe"), "care-deliveries", "invalid-request"),
    ]
    before = await log_size(pool)
    for n, (headers, kind, data, path, slug) in enumerate(cases):
        rest = await client.post(f"/v1/incidents/{incident}/{path}", json=data, headers=headers)
        event = ce(kind, data, id_=f"refused-{n}", subject=incident, time=None)
        batch = await client.post("/v1/cloudevents", json=[event], headers=BATCH | headers)
        (answer,) = batch.json()["results"]
        assert rest.json()["type"] == f"/problems/{slug}", rest.text
        assert (answer["status"], answer["http_status"]) == ("refused", rest.status_code)
        same = {k: v for k, v in rest.json().items() if k != "request_id"}
        assert {k: v for k, v in answer["problem"].items() if k != "request_id"} == same
    assert await log_size(pool) == before
