"""Long commands show their progress on a terminal, and only there; the JSON line stays."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

from tests.e2e.conftest import ROOT


def run_on_a_terminal(env: dict[str, str], *args: str) -> tuple[str, str]:
    """The command with standard error on a pseudo-terminal; (stdout, what the terminal got)."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", *args],
            cwd=ROOT,
            env=os.environ | env | {"COLUMNS": "120", "TERM": "xterm"},
            stdout=subprocess.PIPE,
            stderr=follower,
            text=True,
        )
        os.close(follower)
        follower = -1
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the command closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        out = process.communicate(timeout=120)[0]
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    assert process.returncode == 0, seen.decode(errors="replace")
    return out, seen.decode(errors="replace")


def test_verify_and_rebuild_show_progress_on_a_terminal_and_print_the_same_json(
    database_url: str,
) -> None:
    env = {"DATABASE_URL": database_url}
    out, terminal = run_on_a_terminal(env, "verify")
    assert "verify" in terminal
    assert "left" in terminal  # done of total, the rate, the time left
    result = json.loads(out)
    assert set(result) >= {"ok", "checked", "first_bad_position", "checkpoint"}

    out, terminal = run_on_a_terminal(env, "rebuild", "situation")
    assert "rebuild situation" in terminal
    assert json.loads(out)["projection"] == "situation"

    # Not on a terminal: no progress, the JSON line alone.
    piped = subprocess.run(
        [sys.executable, "-m", "service.cli", "verify"],
        cwd=ROOT,
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "left" not in piped.stderr
    assert json.loads(piped.stdout)["ok"] is True
