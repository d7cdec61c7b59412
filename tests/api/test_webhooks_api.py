"""Webhooks out: a receiver that was down gets every event once, in order, each verified with the
Standard Webhooks reference library; replay sends again from a position; filters by type and
unit; a private address is refused unless the setting allows it."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from standardwebhooks.webhooks import Webhook

from service.access.auth import Role, create_key
from service.app import create_app
from tests.api.outage import NEXUS_DOWN, Client, dispensing, step
from tests.apps import settings_for
from tests.e2e.conftest import free_port

pytestmark = pytest.mark.anyio


class Receiver:
    """An HTTP server on loopback that keeps what it is sent (or is not there at all)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.got: list[tuple[dict[str, str], bytes]] = []
        self.url = f"http://127.0.0.1:{port}/hook"

    @contextmanager
    def up(self) -> Iterator[Receiver]:
        got = self.got

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                got.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            server.shutdown()
            server.server_close()

    def verified(self, secret: str) -> list[dict[str, Any]]:
        """Every delivery, each checked against its signature (raises on a bad one)."""
        return [Webhook(secret).verify(body, headers) for headers, body in self.got]


async def until(check: Any, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


@pytest.fixture
async def admin(fresh_database_url: str) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """An app whose webhooks may go to loopback, retrying fast, on a database of its own."""
    pool = await asyncpg.create_pool(fresh_database_url, min_size=1, max_size=2)
    try:
        key = await create_key(pool, Role.ADMIN, "webhook admin")
    finally:
        await pool.close()
    settings = settings_for(
        fresh_database_url, webhook_allow_private=True, webhook_retry_base_s=0.2
    )
    async with AsyncTestClient(app=create_app(settings)) as client:
        client.headers["Authorization"] = f"Bearer {key}"
        yield client


async def register(client: Client, url: str, **fields: Any) -> dict[str, Any]:
    answer = await client.post("/v1/webhooks", json={"url": url, "event_types": ["*"]} | fields)
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    assert body["secret"].startswith("whsec_")
    return body


async def an_outage(client: Client, steps: int) -> tuple[str, list[int]]:
    declared = await client.post("/v1/incidents", json=NEXUS_DOWN)
    assert declared.status_code == 201
    incident, positions = declared.json()["incident_id"], [declared.json()["position"]]
    for n in range(steps):
        at = f"2026-03-05T15:{n:02d}:00+01:00"
        noted = await client.post(
            f"/v1/incidents/{incident}/events", json=step("note-added", at, text=f"Note {n}")
        )
        assert noted.status_code == 201
        positions.append(noted.json()["position"])
    return incident, positions


async def test_a_receiver_down_for_a_while_then_gets_every_event_once_in_order(
    admin: Client,
) -> None:
    receiver = Receiver(free_port())
    hook = await register(admin, receiver.url)
    incident, positions = await an_outage(admin, 5)

    async def retried() -> bool:
        tried = (await admin.get(f"/v1/webhooks/{hook['webhook_id']}/deliveries")).json()
        return bool(tried) and tried[0]["attempts"] >= 3

    await until(retried)  # nobody listens: the first delivery waits, the rest behind it
    first = (await admin.get(f"/v1/webhooks/{hook['webhook_id']}/deliveries")).json()
    assert [(d["status"], d["position"]) for d in first] == [("pending", positions[0])]
    assert first[0]["error"] == "ConnectError"

    with receiver.up():

        async def all_arrived() -> bool:
            return len(receiver.got) >= len(positions)

        await until(all_arrived)
        await asyncio.sleep(0.5)  # and nothing more comes
    events = receiver.verified(hook["secret"])
    assert [e["position"] for e in events] == positions  # each once, in order
    assert [h["webhook-id"] for h, _ in receiver.got] == [e["id"] for e in events]
    assert events[0]["type"] == "dk.nedbrud.incident-detected"
    assert {e["subject"] for e in events} == {incident}
    assert [e["type"] for e in events[1:]] == ["dk.nedbrud.note-added"] * 5
    # Only the plain payload leaves: the reporter's name and the notes' text are sealed.
    everything = b"".join(body for _, body in receiver.got)
    assert b"Anne Testesen" not in everything
    assert b"Note 0" not in everything
    done = (await admin.get(f"/v1/webhooks/{hook['webhook_id']}/deliveries")).json()
    assert [d["status"] for d in done] == ["delivered"] * len(positions)
    assert done[0]["attempts"] >= 4
    assert done[-1]["response_status"] == 204


async def test_replay_sends_again_from_a_position_in_order(admin: Client) -> None:
    receiver = Receiver(free_port())
    with receiver.up():
        hook = await register(admin, receiver.url)
        _, positions = await an_outage(admin, 3)

        async def arrived(n: int) -> bool:
            return len(receiver.got) >= n

        await until(lambda: arrived(4))
        replay = await admin.post(
            f"/v1/webhooks/{hook['webhook_id']}/replay", params={"from_position": positions[2]}
        )
        assert replay.status_code == 202
        await until(lambda: arrived(6))
        await asyncio.sleep(0.5)
    sent = [e["position"] for e in receiver.verified(hook["secret"])]
    assert sent == positions + positions[2:]


async def test_a_webhook_gets_only_its_types_and_its_units_paper_records(admin: Client) -> None:
    receiver, other = Receiver(free_port()), Receiver(free_port())
    with receiver.up(), other.up():
        restored = await register(admin, receiver.url, event_types=["system-restored"])
        egen = await register(admin, other.url, units=["botilbud-egen"])
        declared = (await admin.post("/v1/incidents", json=NEXUS_DOWN)).json()
        incident = declared["incident_id"]
        record = await admin.post(
            f"/v1/incidents/{incident}/medication-dispensings", json=dispensing()
        )
        assert record.status_code == 201  # a paper record of Solsikken, not of Egen
        back = await admin.post(
            f"/v1/incidents/{incident}/events", json=step("system-restored", system="nexus")
        )
        assert back.status_code == 201

        async def both() -> bool:
            return len(receiver.got) >= 1 and len(other.got) >= 2

        await until(both)
        # Replayed from the start, the events it does not want all come first in one batch.
        again = await admin.post(
            f"/v1/webhooks/{restored['webhook_id']}/replay", params={"from_position": 1}
        )
        assert again.status_code == 202

        async def twice() -> bool:
            return len(receiver.got) >= 2

        await until(twice)
        await asyncio.sleep(0.5)
    assert [e["type"] for e in receiver.verified(restored["secret"])] == [
        "dk.nedbrud.system-restored"
    ] * 2
    assert [e["type"] for e in other.verified(egen["secret"])] == [
        "dk.nedbrud.incident-detected",
        "dk.nedbrud.system-restored",
    ]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[64:ff9b::7f00:1]/hook",  # NAT64 of 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/latest",  # NAT64 of 169.254.169.254
        "http://[2002:7f00:1::]/hook",  # 6to4 of 127.0.0.1
        "http://[::127.0.0.1]/hook",  # IPv4-compatible
        "http://[::ffff:0:7f00:1]/hook",  # IPv4-translated
    ],
)
async def test_a_private_or_loopback_address_is_refused_without_the_setting(
    client: Client, keys: dict[Role, str], url: str
) -> None:
    admin = {"Authorization": f"Bearer {keys[Role.ADMIN]}"}
    refused = await client.post(
        "/v1/webhooks", json={"url": url, "event_types": ["*"]}, headers=admin
    )
    assert refused.status_code == 422
    assert refused.json()["type"] == "/problems/webhook-destination-refused"
    assert refused.json()["errors"][0]["field"] == "url"
    assert "NEDBRUD_WEBHOOK_ALLOW_PRIVATE" in refused.json()["detail"]
    listed = (await client.get("/v1/webhooks", headers=admin)).json()
    assert url not in [hook["url"] for hook in listed]


async def test_only_an_admin_registers_and_a_bad_type_or_scheme_is_refused(
    client: Client, keys: dict[Role, str]
) -> None:
    body = {"url": "https://intranet.example/hook", "event_types": ["*"]}
    for role in (Role.STAFF, Role.LEADER, Role.IT, Role.AUDITOR, Role.REPORTER):
        asked = await client.post(
            "/v1/webhooks", json=body, headers={"Authorization": f"Bearer {keys[role]}"}
        )
        assert asked.status_code == 403, role
    admin = {"Authorization": f"Bearer {keys[Role.ADMIN]}"}
    bad_type = await client.post(
        "/v1/webhooks", json=body | {"event_types": ["*", "coffee-made"]}, headers=admin
    )
    assert bad_type.status_code == 422
    assert bad_type.json()["errors"][0]["field"] == "event_types[1]"
    bad_scheme = await client.post(
        "/v1/webhooks", json=body | {"url": "file:///etc/passwd"}, headers=admin
    )
    assert bad_scheme.status_code == 422
    assert bad_scheme.json()["errors"][0]["field"] == "url"
