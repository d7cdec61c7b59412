"""A real `nedbrud serve` process, started and stopped by the test."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(
    env: dict[str, str],
    port: int | None = None,
    timeout: float = 60,
    output: Path | None = None,
    args: tuple[str, ...] = (),
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`nedbrud serve` on a free port; yields its base URL once /health/ready answers 200.

    What the server prints goes to `output` (a temporary file unless given): a pipe nobody
    reads would fill up and stop a server that logs every request."""
    port = port or free_port()
    temporary = output is None
    if output is None:
        handle, name = tempfile.mkstemp(prefix="nedbrud-serve-", suffix=".log")
        os.close(handle)
        output = Path(name)
    full_env = (
        {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        | {
            "NEDBRUD_PSEUDONYM_KEY": "e2e-synthetic-pseudonym-key",
            "NEDBRUD_SEALING_KEY": "e2e-synthetic-sealing-key",
            "NEDBRUD_CHECKPOINT_INTERVAL": "0",
        }
        | env
    )
    with output.open("w", encoding="utf-8") as sink:  # the server keeps its own copy
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port), *args],
            cwd=ROOT,
            env=full_env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(
                    f"server exited early:\n{output.read_text(encoding='utf-8')[-4000:]}"
                )
            try:
                if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("server did not become ready")
            time.sleep(0.2)
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if temporary:
            output.unlink(missing_ok=True)
