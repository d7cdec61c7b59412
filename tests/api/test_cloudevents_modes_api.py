"""CloudEvents as the official SDK sends them: binary mode (ce-* headers, the body is `data`),
structured mode, and `data_base64`; a media type we do not take is 415 naming the modes."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from cloudevents.core.bindings.http import HTTPMessage, to_binary_event, to_structured_event
from cloudevents.core.v1.event import CloudEvent

from tests.api.outage import NEXUS_DOWN, Client, declare, log_size

pytestmark = pytest.mark.anyio

SOURCE = "/overvaagning/zabbix"
DETECTED_AT = datetime(2026, 3, 5, 13, 30, tzinfo=UTC)


def event(type_: str, data: Any, subject: str | None = None, **attributes: Any) -> CloudEvent:
    attributes = {
        "id": f"sdk-{uuid.uuid4()}",
        "source": SOURCE,
        "type": f"dk.nedbrud.{type_}",
        "time": DETECTED_AT,
        "datacontenttype": "application/json",
        **attributes,
    }
    if subject is not None:
        attributes["subject"] = subject
    return CloudEvent(attributes=attributes, data=data)


def outage() -> dict[str, Any]:
    return {k: v for k, v in NEXUS_DOWN.items() if k != "occurred_at"}


async def send(client: Client, message: HTTPMessage) -> Any:
    return await client.post("/v1/cloudevents", content=message.body, headers=message.headers)


async def test_a_binary_mode_event_declares_an_outage_and_its_retry_is_answered_again(
    client: Client,
) -> None:
    message = to_binary_event(event("incident.detected", outage()))
    assert "ce-specversion" in message.headers  # what the SDK sends: attributes as headers
    taken = await send(client, message)
    assert taken.status_code == 201, taken.text
    incident = taken.json()["incident_id"]
    shown = (await client.get(f"/v1/incidents/{incident}")).json()
    assert shown["title"] == NEXUS_DOWN["title"]
    assert shown["detected_at"] == "2026-03-05T13:30:00Z"  # ce-time, percent-decoded
    again = await send(client, message)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == taken.json()


async def test_a_binary_mode_step_names_its_incident_in_ce_subject(client: Client) -> None:
    incident = await declare(client)
    body = {"system": "nexus", "by": {"id": "it-7"}}
    at = datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
    taken = await send(client, to_binary_event(event("system-restored", body, incident, time=at)))
    assert taken.status_code == 201, taken.text
    shown = (await client.get(f"/v1/incidents/{incident}")).json()
    assert shown["systems_restored"] == ["nexus"]


async def test_a_structured_event_from_the_sdk_is_taken(client: Client) -> None:
    message = to_structured_event(event("incident.detected", outage()))
    assert message.headers["content-type"].startswith("application/cloudevents+json")
    taken = await send(client, message)
    assert taken.status_code == 201, taken.text


async def test_data_base64_carries_the_body_in_structured_mode(client: Client) -> None:
    raw = json.dumps(outage()).encode()
    message = to_structured_event(event("incident.detected", raw))
    assert "data_base64" in json.loads(message.body)  # the SDK's own encoding of bytes
    taken = await send(client, message)
    assert taken.status_code == 201, taken.text
    shown = (await client.get(f"/v1/incidents/{taken.json()['incident_id']}")).json()
    assert shown["title"] == NEXUS_DOWN["title"]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"data_base64": "bm90IGpzb24="}, "data_base64 is not base64 of a JSON object"),
        ({"data_base64": "%%%"}, "data_base64 is not base64 of a JSON object"),
        ({"data": {}, "data_base64": "e30="}, "an event carries data or data_base64, not both"),
        ({"data_base64": "e30=", "datacontenttype": "text/plain"}, "data must be JSON"),
    ],
)
async def test_bad_data_base64_is_refused_naming_it_and_nothing_is_stored(
    client: Client, pool: Any, change: dict[str, Any], why: str
) -> None:
    body = {
        "specversion": "1.0",
        "id": f"b64-{uuid.uuid4()}",
        "source": SOURCE,
        "type": "dk.nedbrud.incident.detected",
        "time": "2026-03-05T14:30:00+01:00",
    }
    before = await log_size(pool)
    refused = await client.post(
        "/v1/cloudevents",
        content=json.dumps(body | change),
        headers={"content-type": "application/cloudevents+json"},
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["field"] == "data_base64"
    assert refused.json()["detail"].startswith(why)
    assert await log_size(pool) == before


async def test_binary_mode_with_data_that_is_not_json_is_415_naming_the_modes(
    client: Client,
) -> None:
    message = to_binary_event(
        event("incident.detected", "Nexus er nede", datacontenttype="text/plain")
    )
    refused = await send(client, message)
    assert refused.status_code == 415
    assert "data must be JSON" in refused.json()["detail"]
    assert "binary" in refused.json()["detail"]


async def test_a_plain_json_post_without_ce_headers_is_415_naming_every_mode(
    client: Client,
) -> None:
    refused = await client.post("/v1/cloudevents", json=outage())
    assert refused.status_code == 415
    detail = refused.json()["detail"]
    for mode in ("application/cloudevents+json", "application/cloudevents-batch+json", "ce-*"):
        assert mode in detail
