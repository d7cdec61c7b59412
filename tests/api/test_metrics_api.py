"""GET /metrics: what an operator's Prometheus sees after a few requests."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from tests.api.outage import Client, declare, dispensing

pytestmark = pytest.mark.anyio


def value(text: str, name: str, **labels: str) -> float:
    """The sample of `name` with exactly these labels."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))  # as Prometheus writes
    pattern = rf"^{re.escape(name)}{re.escape('{' + wanted + '}') if labels else ''} (\S+)$"
    match = re.search(pattern, text, re.MULTILINE)
    assert match, f"{name} {labels} not in /metrics"
    return float(match.group(1))


async def test_requests_appends_and_projection_lag_are_counted(client: Client) -> None:
    incident = await declare(client)
    refused = await client.post(f"/v1/incidents/{incident}/medication-dispensings", json={})
    assert refused.status_code == 422
    await client.post(f"/v1/incidents/{incident}/medication-dispensings", json=dispensing())
    assert (await client.get(f"/v1/incidents/{incident}")).status_code == 200

    scraped = await client.get("/metrics", headers={"Authorization": ""})  # no key needed
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    text = scraped.text

    # By route template, so an incident's id never becomes a label.
    assert incident not in text
    posts = "/v1/incidents/{incident_id}/medication-dispensings"
    assert value(text, "nedbrud_http_requests_total", route=posts, method="POST", status="422") == 1
    assert value(text, "nedbrud_http_requests_total", route=posts, method="POST", status="201") == 1
    assert (
        value(
            text,
            "nedbrud_http_request_duration_seconds_count",
            route="/v1/incidents/{incident_id}",
            method="GET",
        )
        == 1
    )
    assert value(text, "nedbrud_events_appended_total") >= 2
    assert value(text, "nedbrud_group_commit_events_count") >= 1
    assert value(text, "nedbrud_database_up") == 1
    assert value(text, "nedbrud_log_head_position") >= 2

    # The projectors catch up, and the lag each scrape reads from the database shows it.
    projections = ("situation", "back-entry", "readiness")
    deadline = time.monotonic() + 10
    while True:
        text = (await client.get("/metrics")).text
        lags = [value(text, "nedbrud_projection_lag_events", projection=p) for p in projections]
        if lags == [0, 0, 0] or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert lags == [0, 0, 0]
    head = value(text, "nedbrud_log_head_position")
    for projection in projections:
        assert value(text, "nedbrud_projection_position", projection=projection) == head


async def test_a_path_no_route_takes_is_counted_without_its_path(client: Client) -> None:
    missing = await client.get("/v1/no-such-thing/0101011234")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["request_id"] == missing.headers["x-request-id"]
    text = (await client.get("/metrics")).text
    assert "0101011234" not in text
    assert (
        value(text, "nedbrud_http_requests_total", route="unmatched", method="GET", status="404")
        >= 1
    )


def _parameters(content_type: str) -> list[str]:
    """The parameter names of a content type, as the standard library's email parser reads it."""
    from email.message import Message

    message = Message()
    message["Content-Type"] = content_type
    return [name for name, _ in (message.get_params() or [])[1:]]


async def test_prometheus_text_has_one_content_type_parameter_each_and_parses(
    client: Client,
) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    scraped = await client.get("/metrics", headers={"Accept": "text/plain"})
    assert scraped.status_code == 200
    content_type = scraped.headers["content-type"]
    assert content_type.split(";")[0] == "text/plain"
    parameters = _parameters(content_type)
    assert sorted(parameters) == ["charset", "version"]  # each once: Prometheus 3 insists
    names = {family.name for family in text_string_to_metric_families(scraped.text)}
    assert {"nedbrud_http_requests", "nedbrud_database_up", "nedbrud_log_head_position"} <= names


async def test_openmetrics_is_given_to_a_scraper_that_asks_for_it(client: Client) -> None:
    from prometheus_client.openmetrics import parser

    accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
    scraped = await client.get("/metrics", headers={"Accept": accept})
    assert scraped.status_code == 200
    content_type = scraped.headers["content-type"]
    assert content_type.split(";")[0] == "application/openmetrics-text"
    assert len(_parameters(content_type)) == len(set(_parameters(content_type)))
    assert scraped.text.endswith("# EOF\n")
    families = parser.text_string_to_metric_families(scraped.text)  # type: ignore[no-untyped-call]
    assert "nedbrud_database_up" in {family.name for family in families}
