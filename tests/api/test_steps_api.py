"""Every step of the plan through POST /v1/incidents/{id}/events, and every refusal API.md lists."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest

from service.access.auth import Role
from tests.api.outage import (
    Client,
    declare,
    dispensing,
    log_size,
    record_dispensing,
    record_step,
    step,
)
from tests.api.step_examples import EVERY_STEP, EXAMPLES, STEP_TYPES, TESTED_ON_THEIR_OWN

pytestmark = pytest.mark.anyio


def test_every_step_the_api_takes_has_an_example() -> None:
    lacking = [t for t in STEP_TYPES if t not in EXAMPLES and t not in TESTED_ON_THEIR_OWN]
    assert lacking == [], f"add an example of {lacking[0]} to tests/api/step_examples.py"
    assert sorted(EXAMPLES.keys() - set(STEP_TYPES)) == []
    assert all(body["type"] == type_ for type_, bodies in EXAMPLES.items() for body in bodies)


async def test_every_step_of_the_plan_is_recorded_and_shows_as_done(client: Client) -> None:
    incident = await declare(client)
    for body in EVERY_STEP:
        await record_step(client, incident, body)
    shown = (await client.get(f"/v1/incidents/{incident}")).json()
    assert set(shown["steps_done"]) == {"incident-detected", *(b["type"] for b in EVERY_STEP)}
    assert shown["isolated_to_single_unit"] is True
    assert shown["escalated_to"] == ["naermeste-leder"]
    assert shown["staffing"]["requested"] == 1
    assert shown["staffing"]["undecided"] == 1
    assert shown["status"] == "restored"  # fmk dropped out of scope when the scope was assessed
    assert shown["version"] == len(EVERY_STEP) + 1


async def test_a_staffing_decision_answers_its_request_by_event_id(client: Client) -> None:
    incident = await declare(client)
    request = await record_step(
        client, incident, step("staffing-requested", unit="botilbud-solsikken", extra_staff=2)
    )
    await record_step(
        client,
        incident,
        step("staffing-decided", request_event_id=request["event_id"], granted_staff=1),
    )
    staffing = (await client.get(f"/v1/incidents/{incident}")).json()["staffing"]
    assert staffing["requests"] == [
        {
            "request_event_id": request["event_id"],
            "unit": "botilbud-solsikken",
            "requested": 2,
            "granted": 1,
        }
    ]


def restore_both() -> list[dict[str, Any]]:
    return [step("system-restored", system="fmk"), step("system-restored", system="nexus")]


UNKNOWN = "00000000-0000-4000-8000-00000000dead"
REFUSALS = [
    ([], step("system-restored", system="sd-loen"), "system-not-affected"),
    (
        [step("system-restored", system="fmk")],
        step("system-restored", system="fmk"),
        "already-restored",
    ),
    ([], step("incident-closed"), "systems-still-down"),
    (
        [*restore_both(), step("incident-closed")],
        step("note-added", text="for sent"),
        "incident-closed",
    ),
    ([*restore_both(), step("incident-closed")], step("colleagues-informed"), "incident-closed"),
    ([], step("restoration-verified", unit="botilbud-rosen"), "unit-not-affected"),
    (
        [],
        step("restoration-verified", unit="botilbud-solsikken", system="fmk"),
        "system-not-restored",
    ),
    ([], step("restoration-verified", unit="botilbud-solsikken"), "systems-still-down"),
    (
        [],
        step(
            "scope-assessed",
            affected_systems=["nexus"],
            affected_units=["a", "b"],
            isolated_to_single_unit=True,
        ),
        "isolated-needs-one-unit",
    ),
    (
        [],
        step(
            "workaround-agreed",
            unit="botilbud-solsikken",
            department_leader={"id": "k"},
            nearest_leader={"id": "l"},
            arrangement="papir",
        ),
        "workaround-needs-isolated-outage",
    ),
    (
        [],
        step("staffing-decided", request_event_id=UNKNOWN, granted_staff=1),
        "unknown-staffing-request",
    ),
    (
        [],
        step("event-corrected", corrects_event_id=UNKNOWN, reason="x", correction={}),
        "unknown-event",
    ),
    ([], step("note-added", text="øvelse", mode="exercise"), "mode-mismatch"),
]


@pytest.mark.parametrize(
    ("steps", "refused", "slug"), REFUSALS, ids=[f"{i}-{r[2]}" for i, r in enumerate(REFUSALS)]
)
async def test_a_step_the_plan_does_not_allow_is_refused_and_changes_nothing(
    client: Client,
    pool: asyncpg.Pool,
    steps: list[dict[str, Any]],
    refused: dict[str, Any],
    slug: str,
) -> None:
    incident = await declare(client)
    for ok in steps:
        await record_step(client, incident, ok)
    before = await log_size(pool)
    response = await client.post(f"/v1/incidents/{incident}/events", json=refused)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == f"/problems/{slug}"
    assert response.json()["detail"]
    assert await log_size(pool) == before


async def test_a_decided_staffing_request_is_not_decided_again(client: Client) -> None:
    incident = await declare(client)
    request = await record_step(
        client, incident, step("staffing-requested", unit="botilbud-solsikken", extra_staff=2)
    )
    decide = step("staffing-decided", request_event_id=request["event_id"], granted_staff=1)
    await record_step(client, incident, decide)
    again = await client.post(f"/v1/incidents/{incident}/events", json=decide)
    assert again.json()["type"] == "/problems/staffing-already-decided"


async def test_closing_with_manual_records_pending_needs_a_leaders_waiver(
    client: Client, keys: dict[Role, str]
) -> None:
    incident = await declare(client)
    await record_dispensing(client, incident)
    for body in restore_both():
        await record_step(client, incident, body)
    plain = await client.post(f"/v1/incidents/{incident}/events", json=step("incident-closed"))
    assert plain.json()["type"] == "/problems/manual-records-pending"
    waiver = step("incident-closed", waiver_reason="Efterregistreres fredag af afdelingen")
    by_staff = await client.post(f"/v1/incidents/{incident}/events", json=waiver)
    assert by_staff.json()["type"] == "/problems/waiver-needs-leader"
    leader = {"Authorization": f"Bearer {keys[Role.LEADER]}"}
    await record_step(client, incident, waiver, headers=leader)
    shown = (await client.get(f"/v1/incidents/{incident}")).json()
    assert shown["status"] == "closed"
    assert shown["manual_records"] == {"pending": 1, "entered": 0, "voided": 0}


async def test_a_correction_may_point_at_a_manual_record_of_the_incident_but_no_other(
    client: Client,
) -> None:
    incident = await declare(client)
    other = await declare(client)
    response = await client.post(
        f"/v1/incidents/{incident}/medication-dispensings", json=dispensing()
    )
    ours = response.json()["event_id"]
    theirs = (
        await client.post(f"/v1/incidents/{other}/events", json=step("note-added", text="x"))
    ).json()
    correction = {"dispensed_at": "2026-03-05T16:30:00+01:00"}
    await record_step(
        client,
        incident,
        step(
            "event-corrected",
            corrects_event_id=ours,
            reason="forkert tidspunkt",
            correction=correction,
        ),
    )
    refused = await client.post(
        f"/v1/incidents/{incident}/events",
        json=step(
            "event-corrected", corrects_event_id=theirs["event_id"], reason="x", correction={}
        ),
    )
    assert refused.json()["type"] == "/problems/unknown-event"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (step("it-contacted", method="pigeon"), "method"),
        (step("it-contacted", method="phone", channel="vagten"), "channel"),
        (step("staffing-requested", unit="botilbud-solsikken", extra_staff=0), "extra_staff"),
        (step("units-notified", units=[]), "units"),
        (step("escalated", to_role="borgmester"), "to_role"),
        (step("leader-informed"), "leader"),
        (step("note-added", at="2026-03-05T16:00:00", text="uden tidszone"), "occurred_at"),
        (step("note-added", at="2099-01-01T00:00:00+01:00", text="fremtiden"), "occurred_at"),
        (
            step(
                "event-corrected",
                corrects_event_id=UNKNOWN,
                reason="x",
                correction={"note": "a\u0000b"},
            ),
            "correction.note",
        ),
        ({**step("note-added", text="x"), "type": "incident-reopened"}, "type"),
    ],
)
async def test_a_malformed_step_is_refused_naming_the_field(
    client: Client, pool: asyncpg.Pool, body: dict[str, Any], field: str
) -> None:
    incident = await declare(client)
    before = await log_size(pool)
    response = await client.post(f"/v1/incidents/{incident}/events", json=body)
    assert response.status_code in (400, 422), response.text
    problem = response.json()
    assert field in {e["field"] for e in problem.get("errors", [])} or field in problem["detail"]
    assert await log_size(pool) == before


async def test_a_step_on_an_unknown_incident_is_a_404(client: Client) -> None:
    response = await client.post(
        f"/v1/incidents/{uuid.uuid4()}/events", json=step("colleagues-informed")
    )
    assert response.status_code == 404
    assert response.json()["type"] == "/problems/not-found"
