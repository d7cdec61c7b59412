"""The service on a multi-host URL whose first host never answers, and whose primary is then
fenced read-only (`default_transaction_read_only`, as an operator fences an old primary).

The silent host does not hold the service back (each host is tried at once); a write refused as
read-only is a 503 with Retry-After, never a 500; the pool drops those connections, and once the
fence is lifted the next writes are taken.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import running_server
from tests.e2e.test_server_roundtrip import AUTH, DECLARE, KEY
from tests.faults.clusters import SYSTEM_USER, Node, sql

pytestmark = pytest.mark.slow


def wait_for(http: httpx.Client, status: int, timeout: float = 15) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    while True:
        answer = http.post("/v1/incidents", json=DECLARE)
        if answer.status_code == status or time.monotonic() - started > timeout:
            return answer, time.monotonic() - started
        time.sleep(0.1)


def test_a_silent_host_and_a_read_only_primary_are_503_and_then_taken() -> None:
    root = Path(tempfile.mkdtemp(prefix="nedbrud-fenced-"))
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SYSTEM_USER)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    node = Node(root, "nedbrud_a")
    # Accepts connections (the kernel does) and never says a word: a host that hangs.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    try:
        node.init_primary()
        hosts = f"127.0.0.1:{silent.getsockname()[1]},127.0.0.1:{node.port}"
        env = {
            "DATABASE_URL": f"postgresql://postgres@{hosts}/nedbrud",  # read-write by default
            "NEDBRUD_BOOTSTRAP_KEY": KEY,
            "NEDBRUD_RATE_PER_SECOND": "100000",
            "NEDBRUD_RATE_BURST": "100000",
            # While no host takes writes, each attempt waits this long for the silent one.
            "NEDBRUD_CONNECT_TIMEOUT": "1",
        }
        started = time.monotonic()
        with (
            running_server(env, timeout=30) as (base, _),
            httpx.Client(base_url=base, headers=AUTH, timeout=30) as http,
        ):
            ready_s = time.monotonic() - started
            assert http.post("/v1/incidents", json=DECLARE).status_code == 201
            sql(
                node.url,
                "ALTER SYSTEM SET default_transaction_read_only = on",
                "SELECT pg_reload_conf()",
            )
            fenced, fenced_s = wait_for(http, 503)
            ready_while_fenced = http.get("/health/ready")
            answers = [http.post("/v1/incidents", json=DECLARE) for _ in range(5)]
            sql(
                node.url,
                "SET default_transaction_read_only = off",
                "ALTER SYSTEM RESET default_transaction_read_only",
                "SELECT pg_reload_conf()",
            )
            taken, back_s = wait_for(http, 201)
        assert ready_s < 20, f"the silent host held the service back {ready_s:.1f} s"
        assert fenced.status_code == 503
        assert fenced.headers["retry-after"]
        assert fenced.json()["type"].endswith("/database-unavailable")
        assert ready_while_fenced.status_code == 503
        assert [a.status_code for a in answers] == [503] * 5
        assert taken.status_code == 201, taken.text
        print(
            f"\nready in {ready_s:.1f} s beside a silent host; 503 {fenced_s:.2f} s after the "
            f"fence; writes back {back_s:.2f} s after it was lifted"
        )
    finally:
        silent.close()
        try:
            node.stop("immediate")
        finally:
            shutil.rmtree(root, ignore_errors=True)
