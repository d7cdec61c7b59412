"""The systemd unit for `nedbrud serve` (deploy/nedbrud.service) is one systemd accepts."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "nedbrud.service"


def test_the_unit_file_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail(
            "systemd-analyze is not installed, so the unit file cannot be checked: install "
            "systemd (`apt-get install -y systemd`; .ci/run does it when run as root)"
        )
    # Where the unit expects the installed project, this checkout: `verify` checks that the
    # command it starts exists and can be run.
    text = UNIT.read_text(encoding="utf-8")
    assert "ExecStart=/opt/nedbrud/.venv/bin/nedbrud serve" in text
    local = text.replace(
        "/opt/nedbrud/.venv/bin/nedbrud", str(Path(sys.executable).parent / "nedbrud")
    )
    local = local.replace("WorkingDirectory=/opt/nedbrud", f"WorkingDirectory={ROOT}")
    unit = tmp_path / "nedbrud.service"
    unit.write_text(local, encoding="utf-8")
    done = subprocess.run(
        [analyze, "verify", str(unit)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    # A key systemd does not know is only a warning; it is still a mistake in the file.
    assert done.stderr.strip() == "", done.stderr
