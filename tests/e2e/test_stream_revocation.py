"""A revoked key's live stream ends within 5 s, over a real server: revoking a key over HTTP
ends what it holds open, not only its next request."""

from __future__ import annotations

import threading
import time

import httpx

from tests.e2e.conftest import running_server
from tests.e2e.test_server_roundtrip import AUTH, KEY


def test_the_situation_stream_of_a_revoked_key_ends_within_five_seconds(
    database_url: str,
) -> None:
    env = {"DATABASE_URL": database_url, "NEDBRUD_BOOTSTRAP_KEY": KEY}
    with running_server(env) as (base, _), httpx.Client(base_url=base, headers=AUTH) as admin:
        made = admin.post("/v1/keys", json={"role": "staff", "label": "Vægskærm, Solsikken"})
        assert made.status_code == 201, made.text
        wall = {"Authorization": f"Bearer {made.json()['key']}"}
        opened, ended = threading.Event(), threading.Event()
        lines: list[str] = []

        def watch() -> None:
            with (
                httpx.Client(base_url=base, headers=wall) as http,
                http.stream("GET", "/v1/situation/stream", timeout=30) as stream,
            ):
                assert stream.status_code == 200
                for line in stream.iter_lines():
                    lines.append(line)
                    if line.startswith("event: snapshot"):
                        opened.set()
            ended.set()

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        assert opened.wait(15), "the stream did not open"
        time.sleep(3)  # the stream has been open a while: it is past its first key check
        assert not ended.is_set()
        revoked_at = time.monotonic()
        assert admin.delete(f"/v1/keys/{made.json()['key_id']}").status_code == 204
        assert ended.wait(10), "the stream outlived its key"
        assert time.monotonic() - revoked_at < 5
        again = httpx.get(f"{base}/v1/situation/stream", headers=wall, timeout=10)
        assert again.status_code == 401
