"""The pins in pyproject.toml are exactly the environment the tests run in (`.ci/pins.py`)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PINS = ROOT / ".ci" / "pins.py"


def check(pyproject: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PINS), "check", "--pyproject", str(pyproject)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_installed_distribution_is_pinned_at_its_installed_version() -> None:
    done = check(ROOT / "pyproject.toml")
    assert done.returncode == 0, done.stderr
    assert "the environment is exactly the" in done.stdout


def test_a_dependency_without_a_pin_fails_the_check(tmp_path: Path) -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    unpinned = tmp_path / "pyproject.toml"
    unpinned.write_text(re.sub(r'\n    "msgspec==[^"]+",', "", text), encoding="utf-8")
    done = check(unpinned)
    assert done.returncode == 1
    assert "msgspec==" in done.stderr
    assert "not pinned" in done.stderr


def test_a_pin_other_than_the_installed_version_fails_the_check(tmp_path: Path) -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    moved = tmp_path / "pyproject.toml"
    moved.write_text(re.sub(r'"msgspec==[^"]+"', '"msgspec==0.1.0"', text), encoding="utf-8")
    done = check(moved)
    assert done.returncode == 1
    assert "pinned 0.1.0" in done.stderr


def test_a_pin_of_a_dependency_no_longer_installed_fails_the_check(tmp_path: Path) -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    stale = tmp_path / "pyproject.toml"
    stale.write_text(
        text.replace(
            "constraint-dependencies = [\n",
            'constraint-dependencies = [\n    "left-pad==1.0",\n',
            1,
        ),
        encoding="utf-8",
    )
    done = check(stale)
    assert done.returncode == 1
    assert "left-pad==1.0 is pinned but not installed" in done.stderr


def test_the_client_is_pinned_at_the_same_versions_as_the_project() -> None:
    def pins(path: Path) -> set[str]:
        return set(re.findall(r'^    "([^"]+==[^"]+)",$', path.read_text(encoding="utf-8"), re.M))

    client = pins(ROOT / "clients" / "python" / "pyproject.toml")
    assert {"httpx", "msgspec"} <= {line.split("==")[0] for line in client}
    assert client <= pins(ROOT / "pyproject.toml")
