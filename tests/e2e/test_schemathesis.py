"""Schemathesis against a real `nedbrud serve`: every operation, every check, a bounded run.

The document must describe what the service really does: every status, media type and body a
generated request gets back is in it, nothing schema-valid is refused except for the rules the
document names in words (see schemathesis_hooks.py), and no request gets a 5xx.

The situation stream is left out: it is endless by design, so every generated request would wait
for the run's timeout. tests/e2e/test_live_situation.py tests it on a real server.

A longer run is in the README.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, running_server

KEY = "nbd_e2e-schemathesis-admin-key-of-at-least-32-chars"
pytestmark = pytest.mark.slow


def test_every_operation_passes_every_check(fresh_database_url: str, tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": fresh_database_url,
        "NEDBRUD_BOOTSTRAP_KEY": KEY,
        # The fuzzer sends a few thousand requests with one key: the rate limit is tested apart.
        "NEDBRUD_RATE_PER_SECOND": "100000",
        "NEDBRUD_RATE_BURST": "100000",
        # Its auth checks send unknown keys to every operation; that limit is tested apart too.
        "NEDBRUD_AUTH_FAILURE_BURST": "100000",
    }
    with running_server(env) as (base, _):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "schemathesis.cli",
                "run",
                f"{base}/schema/openapi.json",
                "--header",
                f"Authorization: Bearer {KEY}",
                "--checks",
                "all",
                # Replaced by the stricter refused_only_for_rules_beyond_the_schema (the hooks).
                "--exclude-checks",
                "positive_data_acceptance",
                "--exclude-operation-id",
                "streamSituation",
                "--max-examples",
                "8",
                "--seed",
                "20261126",
                "--generation-database",
                "none",
                "--no-color",
            ],
            cwd=tmp_path,  # schemathesis writes nothing into the repository
            env=os.environ
            | {"SCHEMATHESIS_HOOKS": "tests.e2e.schemathesis_hooks", "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=600,
        )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-6000:]
    generated = re.search(r"(\d+) generated", report)
    assert generated is not None, report[-3000:]
    assert int(generated.group(1)) > 500, report[-3000:]  # it really ran, on every operation
    assert "unique failures" not in report, report[-3000:]
