"""Reading the first messages of a Server-Sent Events stream in process: the test client would
wait for the stream's end, which never comes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import anyio
from litestar import Litestar

from tests.api.outage import Client


async def first_chunks(
    client: Client, path: str, params: dict[str, Any], headers: dict[str, str]
) -> tuple[int, str]:
    """The stream's status and what it sent first (its first non-empty chunk), asked in the
    app's own event loop (the test client's portal), as its HTTP requests are."""
    portal = client.blocking_portal
    return await anyio.to_thread.run_sync(portal.call, _first, client.app, path, params, headers)


async def _first(
    app: Litestar, path: str, params: dict[str, Any], headers: dict[str, str]
) -> tuple[int, str]:
    status, body, got = 0, [], anyio.Event()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": urlencode(params).encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "state": {},
    }

    async def receive() -> dict[str, Any]:
        await anyio.sleep_forever()
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))
            if body[-1].strip() or not message.get("more_body"):
                got.set()

    async with anyio.create_task_group() as tasks:
        asgi: Any = app
        tasks.start_soon(asgi, scope, receive, send)
        with anyio.move_on_after(5):
            await got.wait()
        tasks.cancel_scope.cancel()
    return status, b"".join(body).decode()
