"""Time alone turns a vital dose overdue: the situation stream says so with no event sent, the
picture shows each unit's rounds counts, and readiness shows each unit's emergency list."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import anyio
import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.access.auth import Role
from service.app import create_app
from service.log.vault import forget
from tests.api.nodliste import a_cpr, a_list, a_unit, citizen, insulin
from tests.api.outage import Client, step
from tests.api.rounds_setup import dose, outage_with_a_list, rounds_at
from tests.apps import settings_for

pytestmark = pytest.mark.anyio
CPH = ZoneInfo("Europe/Copenhagen")


@pytest.fixture
async def watched(database_url: str, keys: dict[Role, str]) -> AsyncIterator[Client]:
    """The app with its rounds worked out five times a second."""
    app = create_app(settings_for(database_url, rounds_interval_s=0.2))
    async with AsyncTestClient(app=app) as client:
        client.headers["Authorization"] = f"Bearer {keys[Role.STAFF]}"
        yield client


async def outage_with_a_dose_due_soon(client: Client) -> tuple[str, str, datetime]:
    """An outage since half an hour ago, and a vital dose at a whole minute half an hour on."""
    now = datetime.now(UTC)
    due = (now + timedelta(minutes=30)).astimezone(CPH).replace(second=0, microsecond=0)
    unit = a_unit()
    body = a_list(citizen(a_cpr(), "Aase Testesen", insulin((due.strftime("%H:%M"),), 10)))
    assert (await client.put(f"/v1/units/{unit}/emergency-list", json=body)).status_code == 201
    declared = {
        "title": "Nexus nede",
        "detected_via": "employee",
        "reported_by": {"id": "emp-1042"},
        "affected_systems": ["nexus"],
        "affected_units": [unit],
        "occurred_at": (now - timedelta(minutes=30)).isoformat(),
    }
    made = await client.post("/v1/incidents", json=declared)
    assert made.status_code == 201, made.text
    await client.get("/v1/situation", params={"after_position": made.json()["position"]})
    return made.json()["incident_id"], unit, due


async def read_until(
    client: Client, params: dict[str, str], seen: Any, seconds: float = 15
) -> list[dict[str, Any]]:
    """The stream's `incident` messages until `seen` is true of one (or the time is up)."""
    portal = client.blocking_portal
    headers = dict(client.headers)
    return await anyio.to_thread.run_sync(
        portal.call, _read, client.app, params, headers, seen, seconds
    )


async def _read(
    app: Litestar, params: dict[str, str], headers: dict[str, str], seen: Any, seconds: float
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    done = anyio.Event()
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": "/v1/situation/stream", "raw_path": b"/v1/situation/stream",
        "root_path": "", "query_string": urlencode(params).encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1), "server": ("testserver", 80), "state": {},
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        await anyio.sleep_forever()
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        for line in message.get("body", b"").decode().splitlines():
            if line.startswith("data: ") and '"incident"' in line:
                found.append(json.loads(line[6:]))
                if seen(found[-1]):
                    done.set()

    async with anyio.create_task_group() as tasks:
        asgi: Any = app
        tasks.start_soon(asgi, scope, receive, send)
        with anyio.move_on_after(seconds):
            await done.wait()
        tasks.cancel_scope.cancel()
    return found


async def test_an_overdue_vital_dose_reaches_the_stream_with_no_event_sent(
    watched: Client, pool: asyncpg.Pool
) -> None:
    incident, unit, due = await outage_with_a_dose_due_soon(watched)
    picture = (await watched.get("/v1/situation")).json()
    ours = next(i for i in picture["incidents"] if i["incident_id"] == incident)
    assert ours["rounds"][unit]["upcoming"] == 1
    assert ours["rounds"][unit]["overdue_vital"] == 0
    head = int(await pool.fetchval("SELECT max(position) FROM events"))
    watch = watched.app.state.rounds_watch
    overdue = turned_overdue(incident, unit)
    first: list[dict[str, Any]] = []

    def overdue_once_the_clock_moved(change: dict[str, Any]) -> bool:
        """The stream resumes with the incident as it stands (upcoming); only then does the
        clock move past the dose's window, so the overdue can come only as the clock's change."""
        if not first and change["incident"]["incident_id"] == incident:
            first.append(change)
            watch.clock = lambda: due.astimezone(UTC) + timedelta(minutes=6)  # past the half
            return False
        return bool(first) and overdue(change)

    changes = await read_until(watched, {"after_position": str(head)}, overdue_once_the_clock_moved)
    assert first, changes[:3]
    assert first[0]["incident"]["rounds"][unit]["overdue_vital"] == 0
    assert any(overdue(c) for c in changes[changes.index(first[0]) + 1 :]), changes[-3:]
    assert int(await pool.fetchval("SELECT max(position) FROM events")) == head  # no event
    ours = next(
        i for i in (await watched.get("/v1/situation")).json()["incidents"]
        if i["incident_id"] == incident
    )  # fmt: skip
    assert ours["rounds"][unit]["overdue_vital"] == 1


async def test_a_stream_that_resumes_is_sent_the_rounds_that_moved_while_it_was_away(
    watched: Client, pool: asyncpg.Pool
) -> None:
    """No position tells a change of the rounds, so a dashboard that reconnects with the last
    position it saw is sent each open incident's rounds as they stand: else the vital dose
    that turned overdue while its network was down stayed on time on its screen."""
    incident, unit, due = await outage_with_a_dose_due_soon(watched)
    head = int(await pool.fetchval("SELECT max(position) FROM events"))
    watch = watched.app.state.rounds_watch
    serial = watch.serial
    watch.clock = lambda: due.astimezone(UTC) + timedelta(minutes=6)
    overdue = turned_overdue(incident, unit)
    for _ in range(300):  # the watch turns with no stream open (every 0.2 s here)
        if any(overdue(_change(t)) for t in watch.since(serial, "actual")):
            break
        await anyio.sleep(0.1)
    else:
        raise AssertionError("the watch did not turn the dose overdue within 30 s")
    changes = await read_until(watched, {"after_position": str(head)}, overdue, seconds=5)
    assert any(overdue(c) for c in changes), changes[-3:]


async def test_a_stream_that_resumes_is_sent_each_incident_as_it_stands_not_as_it_last_ticked(
    watched: Client, pool: asyncpg.Pool, keys: dict[Role, str]
) -> None:
    """What a resumed stream is sent first is read afresh: a system restored since the rounds
    last moved shows as restored, and an incident closed before the position it resumes after
    is not sent again (a wall screen would show it open until it was reloaded)."""
    incident, unit, _due = await outage_with_a_dose_due_soon(watched)
    watch = watched.app.state.rounds_watch
    serial = watch.serial
    for _ in range(300):  # the watch has worked the new outage's rounds out (a tick)
        ticked = [json.loads(bytes(t.incident)) for t in watch.since(serial, "actual")]
        if any(t["incident_id"] == incident for t in ticked):
            break
        await anyio.sleep(0.1)
    else:
        raise AssertionError("the watch did not work out the new outage within 30 s")
    leader = {"Authorization": f"Bearer {keys[Role.LEADER]}"}
    events = f"/v1/incidents/{incident}/events"
    now = datetime.now(UTC).isoformat()
    restored = step("system-restored", at=now, system="nexus")
    assert (await watched.post(events, json=restored, headers=leader)).status_code == 201
    head = int(await pool.fetchval("SELECT max(position) FROM events"))

    def ours(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [c for c in changes if c["incident"]["incident_id"] == incident]

    def is_ours(change: dict[str, Any]) -> bool:
        return bool(change["incident"]["incident_id"] == incident)

    stood = ours(await read_until(watched, {"after_position": str(head)}, is_ours))
    assert stood, "the resumed stream did not send the incident as it stands"
    assert stood[0]["event_type"] == "rounds-changed"
    assert stood[0]["incident"]["rounds"][unit]["upcoming"] == 1
    assert stood[0]["incident"]["systems_restored"] == ["nexus"]  # not as it was at the tick

    before_close = head
    closed = step("incident-closed", at=datetime.now(UTC).isoformat())
    assert (await watched.post(events, json=closed, headers=leader)).status_code == 201
    head = int(await pool.fetchval("SELECT max(position) FROM events"))
    after = ours(await read_until(watched, {"after_position": str(head)}, lambda _: False, 3))
    # Never shown open again (the watch may still say that its counts went away: closed).
    assert all(c["incident"]["status"] == "closed" for c in after), after

    # The same stream resumed from before the close does send the incident, and leaves it
    # closed: the check above is of a stream that would have sent it, not of a silent one.
    def shown_closed(change: dict[str, Any]) -> bool:
        return is_ours(change) and change["incident"]["status"] == "closed"

    since = ours(await read_until(watched, {"after_position": str(before_close)}, shown_closed))
    assert since, "a stream resumed from before the close sent nothing of the incident"
    assert since[-1]["incident"]["status"] == "closed", since


def turned_overdue(incident: str, unit: str) -> Callable[[dict[str, Any]], bool]:
    """Whether a stream's message says that the incident's vital dose at `unit` is overdue."""

    def overdue(change: dict[str, Any]) -> bool:
        shown = change["incident"]
        return bool(
            shown["incident_id"] == incident
            and change["event_type"] == "rounds-changed"
            and shown["rounds"].get(unit, {}).get("overdue_vital") == 1
        )

    return overdue


def _change(tick: Any) -> dict[str, Any]:
    """A tick of the watch as the stream would send it."""
    return {"event_type": "rounds-changed", "incident": json.loads(bytes(tick.incident))}


async def test_readiness_shows_each_units_list_version_and_units_with_no_list(
    client: Client, pool: asyncpg.Pool
) -> None:
    from service.access.auth import create_key

    kept, bare = a_unit(), a_unit()
    body = a_list(citizen(a_cpr(), "Aase Testesen", insulin()))
    await client.put(f"/v1/units/{kept}/emergency-list", json=body)
    await client.put(f"/v1/units/{kept}/emergency-list", json=body)
    key = await create_key(pool, Role.LEADER, "two units", units=[kept, bare])
    shown = await client.get("/v1/readiness", headers={"Authorization": f"Bearer {key}"})
    by_unit = {u["unit"]: u for u in shown.json()}
    assert set(by_unit) == {kept, bare}
    assert by_unit[kept]["emergency_list"]["list_version"] == 2
    assert by_unit[kept]["emergency_list"]["list_as_of"] == "2026-03-01T05:00:00Z"
    assert by_unit[kept]["emergency_list"]["stale"] is True
    assert by_unit[bare]["emergency_list"] is None


async def test_a_forgotten_citizen_is_dropped_from_what_the_rounds_keep_opened_in_memory(
    watched: Client, pool: asyncpg.Pool
) -> None:
    """The rounds keep what they opened (the list, the records, the encoded lines) for the next
    read. A citizen forgotten meanwhile, here or by another process, is dropped from it at the
    watch's next turn, not kept in plain text until newer reads push it out."""
    # Her name and CPR are hers alone: the watch works out every open outage in the database.
    unit, name, cpr = a_unit(), f"Aase Glemt {uuid.uuid4().hex[:8]}", a_cpr()
    body = a_list(citizen(cpr, name, insulin()), citizen(a_cpr(), "Bent Prøvesen", insulin()))
    assert (await watched.put(f"/v1/units/{unit}/emergency-list", json=body)).status_code == 201
    outage = await outage_with_a_list(watched, unit)
    given = await watched.post(
        f"/v1/incidents/{outage.incident}/medication-dispensings", json=dose(outage)
    )
    assert given.status_code == 201, given.text
    assert name in str(await rounds_at(watched, outage, purpose="treatment"))
    rounds = watched.app.state.rounds_watch.rounds

    def hers_kept() -> bool:  # the app runs in a thread of its own: read its caches as they stand
        for _ in range(100):
            try:
                text = repr((rounds._opened, rounds._kept))
            except RuntimeError:  # changed while read
                continue
            return name in text or cpr in text
        raise AssertionError("the rounds' caches never stood still")

    assert hers_kept()  # what the next read would use
    assert await forget(pool, outage.aase)
    for _ in range(100):  # the watch turns five times a second here
        if not hers_kept():
            break
        await anyio.sleep(0.1)
    still_kept = hers_kept()
    assert not still_kept
    after = await rounds_at(watched, outage, purpose="treatment")
    assert name not in str(after)
