"""The live situation picture over real server processes: the SSE stream resumes without loss or
repetition, and a second instance takes over projecting when the first is killed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx

from service.read.projector import PROJECTOR_LOCK
from tests.e2e.conftest import running_server

KEY = "nbd_e2e-live-bootstrap-key-of-at-least-32-chars"
AUTH = {"Authorization": f"Bearer {KEY}"}
DECLARE = {
    "title": "Nexus nede",
    "detected_via": "monitoring",
    "reported_by": {"id": "overvaagning"},
    "affected_systems": ["nexus"],
    "affected_units": ["botilbud-solsikken"],
    "occurred_at": "2026-03-05T14:30:00+01:00",
}


def note(n: int) -> dict[str, Any]:
    return {
        "type": "note-added",
        "text": f"Status {n}",
        "by": {"id": "it-7"},
        "occurred_at": "2026-03-05T16:00:00+01:00",
    }


def messages(lines: Iterator[str]) -> Iterator[dict[str, str]]:
    """Server-sent events as dicts of their fields; comments skipped."""
    fields: dict[str, str] = {}
    for line in lines:
        if not line:
            if fields:
                yield fields
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")


def read_changes(
    http: httpx.Client, until: int | None, last_event_id: str | None
) -> list[dict[str, str]]:
    """The stream's messages until an `incident` message reaches position `until` (None: the
    first message only)."""
    headers = {"Last-Event-ID": last_event_id} if last_event_id else {}
    got: list[dict[str, str]] = []
    # A stalled stream fails the test (keep-alives come only every 15 s) instead of hanging it.
    with http.stream("GET", "/v1/situation/stream", headers=headers, timeout=10) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        for message in messages(stream.iter_lines()):
            got.append(message)
            if until is None or (
                message.get("event") == "incident" and int(message["id"]) >= until
            ):
                break
    return got


def test_a_client_that_disconnects_and_resumes_misses_no_change_and_sees_none_twice(
    fresh_database_url: str,
) -> None:
    """Changes that arrive together come as one message per incident, its latest state; so
    'every change' means: the ids only grow, each is a real position, and the stream reaches
    the last change before the disconnect and the last change of all."""
    env = {"DATABASE_URL": fresh_database_url, "NEDBRUD_BOOTSTRAP_KEY": KEY}
    with running_server(env) as (base, _), httpx.Client(base_url=base, headers=AUTH) as http:
        incident = http.post("/v1/incidents", json=DECLARE).json()
        events = f"/v1/incidents/{incident['incident_id']}/events"
        opening = read_changes(http, None, None)  # the snapshot only
        assert opening[0]["event"] == "snapshot"
        positions = [incident["position"]]
        positions += [http.post(events, json=note(n)).json()["position"] for n in range(5)]
        first = read_changes(http, positions[-1], opening[0]["id"])
        positions += [http.post(events, json=note(n)).json()["position"] for n in range(5, 9)]
        positions.append(
            http.post(
                events,
                json={
                    "type": "system-restored",
                    "system": "nexus",
                    "by": {"id": "it-7"},
                    "occurred_at": "2026-03-05T18:00:00+01:00",
                },
            ).json()["position"]
        )
        resumed = read_changes(http, positions[-1], first[-1]["id"])
    before = [int(m["id"]) for m in first if m["event"] == "incident"]
    after = [int(m["id"]) for m in resumed if m["event"] == "incident"]
    seen = before + after
    assert seen == sorted(set(seen))  # only growing: nothing repeated across the resume
    assert set(seen) <= set(positions)
    assert min(seen) > int(opening[0]["id"])
    assert before[-1] == positions[5]  # the last change before the disconnect arrived
    assert after[-1] == positions[-1]
    assert all(p > before[-1] for p in after)
    assert '"status":"restored"' in resumed[-1]["data"]


async def projector_locks(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 "
                "AND granted AND database = (SELECT oid FROM pg_database "
                "WHERE datname = current_database())",
                PROJECTOR_LOCK,
            )
        )
    finally:
        await conn.close()


def wait_until(check: Any, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_when_the_projecting_instance_is_killed_the_other_takes_over(
    fresh_database_url: str,
) -> None:
    env = {"DATABASE_URL": fresh_database_url, "NEDBRUD_BOOTSTRAP_KEY": KEY}
    with running_server(env) as (_, first):
        wait_until(lambda: asyncio.run(projector_locks(fresh_database_url)) == 3)
        with running_server(env) as (base, _), httpx.Client(base_url=base, headers=AUTH) as http:
            created = http.post("/v1/incidents", json=DECLARE).json()
            picture = http.get("/v1/situation", params={"after_position": created["position"]})
            assert [i["title"] for i in picture.json()["incidents"]] == ["Nexus nede"]
            first.kill()  # SIGKILL: no shutdown, its connections just drop
            first.wait()
            restored = http.post(
                f"/v1/incidents/{created['incident_id']}/events",
                json={
                    "type": "system-restored",
                    "system": "nexus",
                    "by": {"id": "it-7"},
                    "occurred_at": "2026-03-05T18:00:00+01:00",
                },
            ).json()
            wait_until(
                lambda: (
                    http.get(
                        "/v1/situation",
                        params={"after_position": restored["position"], "include": "closed"},
                    ).status_code
                    == 200
                )
            )
            after = http.get("/v1/situation", params={"after_position": restored["position"]})
            (entry,) = after.json()["incidents"]
            assert entry["status"] == "restored"
            assert entry["version"] == 2
            assert asyncio.run(projector_locks(fresh_database_url)) == 3
