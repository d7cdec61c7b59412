"""The CLI beside a running `nedbrud serve` on the embedded database: it uses the server's
PostgreSQL and leaves it running, and `serve` still leaves no PostgreSQL behind when it stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import ROOT, running_server
from tests.e2e.test_server_roundtrip import AUTH, DECLARE, KEY, _postgres_running_in

pytestmark = pytest.mark.slow


def nedbrud(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | env
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_keys_verify_and_checkpoint_beside_serve_leave_its_database_running(
    tmp_path: Path,
) -> None:
    env = {
        "NEDBRUD_DATA_DIR": str(tmp_path),
        "NEDBRUD_BOOTSTRAP_KEY": KEY,
        "NEDBRUD_PSEUDONYM_KEY": "e2e-synthetic-pseudonym-key",
        "NEDBRUD_SEALING_KEY": "e2e-synthetic-sealing-key",
        "NEDBRUD_CHECKPOINT_INTERVAL": "0",
    }
    with running_server(env) as (base, server), httpx.Client(base_url=base) as http:
        declared = http.post("/v1/incidents", json=DECLARE, headers=AUTH)
        assert declared.status_code == 201
        commands = [
            ("keys", "create", "--role", "staff", "--label", "nattevagt"),
            ("keys", "list"),
            ("verify",),
            ("checkpoint", "--output", str(tmp_path / "checkpoints")),
        ]
        for command in commands:
            done = nedbrud(env, *command)
            assert done.returncode == 0, (command, done.stdout, done.stderr)
            # The server is still served by its database after each command has exited.
            assert http.get("/health/ready").status_code == 200, command
            again = http.get(declared.headers["location"], headers=AUTH)
            assert again.status_code == 200, command
        new_key = nedbrud(env, "keys", "list")
        assert "nattevagt" in new_key.stdout
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert server.returncode == 0
    assert not _postgres_running_in(tmp_path), "serve left PostgreSQL running"


def test_a_command_on_its_own_stops_the_database_it_started(tmp_path: Path) -> None:
    env = {"NEDBRUD_DATA_DIR": str(tmp_path)}
    done = nedbrud(env, "keys", "list")
    assert done.returncode == 0, done.stderr
    assert not _postgres_running_in(tmp_path), "keys list left PostgreSQL running"
