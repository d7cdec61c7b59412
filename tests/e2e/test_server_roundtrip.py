"""Over a real HTTP server process: declare, restore, read back; retries survive a restart."""

from __future__ import annotations

import os
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import free_port, running_server

KEY = "nbd_e2e-test-bootstrap-key-of-at-least-32-chars"
AUTH = {"Authorization": f"Bearer {KEY}"}
DECLARE = {
    "title": "Nexus og FMK nede",
    "detected_via": "vendor",
    "reported_by": {"id": "vendor-desk"},
    "affected_systems": ["nexus", "fmk"],
    "occurred_at": "2026-03-05T14:30:00+01:00",
}


def test_an_outage_is_declared_restored_and_read_back_in_order(database_url: str) -> None:
    env = {"DATABASE_URL": database_url, "NEDBRUD_BOOTSTRAP_KEY": KEY}
    with running_server(env) as (base, _), httpx.Client(base_url=base, headers=AUTH) as http:
        created = http.post("/v1/incidents", json=DECLARE)
        assert created.status_code == 201
        incident = created.headers["location"]
        for system, at in [
            ("fmk", "2026-03-05T17:00:00+01:00"),
            ("nexus", "2026-03-05T16:00:00+01:00"),
        ]:
            restored = http.post(
                f"{incident}/events",
                json={
                    "type": "system-restored",
                    "system": system,
                    "occurred_at": at,
                    "by": {"id": "it-7"},
                },
            )
            assert restored.status_code == 201
        shown = http.get(incident)
        timeline = http.get(f"{incident}/timeline").json()
    assert shown.json()["status"] == "restored"
    assert shown.headers["etag"] == '"3"'
    assert [(e["type"], e["data"].get("system")) for e in timeline] == [
        ("incident-detected", None),
        ("system-restored", "nexus"),
        ("system-restored", "fmk"),
    ]


def test_a_retry_after_the_server_restarted_gets_the_identical_receipt(database_url: str) -> None:
    env = {"DATABASE_URL": database_url, "NEDBRUD_BOOTSTRAP_KEY": KEY}
    headers = AUTH | {"Idempotency-Key": f"e2e-{os.getpid()}-{free_port()}"}
    with running_server(env) as (base, _):
        first = httpx.post(f"{base}/v1/incidents", json=DECLARE, headers=headers)
    with running_server(env) as (base, _):
        again = httpx.post(f"{base}/v1/incidents", json=DECLARE, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"


def _postgres_running_in(data_dir: Path) -> bool:
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True)
    return any("postgres" in line and str(data_dir) in line for line in ps.stdout.splitlines())


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_the_embedded_database_keeps_its_data_and_stops_with_the_server(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    env = {"NEDBRUD_DATA_DIR": str(tmp_path), "NEDBRUD_BOOTSTRAP_KEY": KEY}
    with running_server(env) as (base, process):
        incident = httpx.post(f"{base}/v1/incidents", json=DECLARE, headers=AUTH)
        assert incident.status_code == 201
        process.send_signal(stop_signal)
        process.wait(timeout=30)
    assert not _postgres_running_in(tmp_path), "PostgreSQL was left running"
    with running_server(env) as (base, _):
        again = httpx.get(f"{base}{incident.headers['location']}", headers=AUTH)
    assert again.status_code == 200
    assert again.json()["title"] == DECLARE["title"]
    assert not _postgres_running_in(tmp_path)


def test_two_worker_processes_share_one_gapless_log(fresh_database_url: str) -> None:
    env = {"DATABASE_URL": fresh_database_url, "NEDBRUD_BOOTSTRAP_KEY": KEY}
    with running_server(env, args=("--workers", "2")) as (base, server):

        def declare(n: int) -> httpx.Response:
            with httpx.Client(base_url=base, headers=AUTH) as http:  # a connection each
                return http.post("/v1/incidents", json=DECLARE | {"title": f"Nede {n}"})

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(declare, range(64)))
    assert [a.status_code for a in answers] == [201] * 64
    assert sorted(a.json()["position"] for a in answers) == list(range(1, 65))
    assert server.returncode == 0  # SIGTERM stopped the workers and then the supervisor
