"""The exact versions a fresh clone installs, kept in pyproject.toml, since no lock file is in git.

uv.lock records download URLs, so it stays out of git. What keeps a fresh clone on the versions
CI tested is `[tool.uv] constraint-dependencies` in pyproject.toml: one `name==version` for every
distribution, direct and transitive, of the service, the dev and bench groups and the Python
client (and `build-constraint-dependencies` for the build backend). This script writes them:

The client (clients/python) carries the same versions for the part of them it needs.

    python3 .ci/pins.py upgrade   re-resolve to the newest versions the ranges allow, rewrite the
                                  pins, sync and run `uv run pytest`; the new pins are kept only
                                  if the suite passes (then commit pyproject.toml)
    python3 .ci/pins.py write     rewrite the pins from the current resolution, keeping the
                                  versions pinned now (after adding or removing a dependency)
    python3 .ci/pins.py check     exit 1, naming each difference, when the installed environment
                                  is not exactly the pins (run inside the environment: `uv run`)

It uses only the standard library, apart from `check`, which reads markers with `packaging`.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
# The client is installed on its own too (a carer's laptop): it carries the pins of its own part.
CLIENT = ROOT / "clients" / "python"
# The project's own distributions are not pinned: they are the tree itself.
OWN = {"nedbrud", "nedbrud-client"}
BEGIN = "# pins: begin (written by .ci/pins.py; do not edit by hand)"
END = "# pins: end"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)\s*(;.*)?$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _run(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> str:
    done = subprocess.run(args, cwd=cwd, input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"pins: {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def _pin_lines(text: str) -> list[str]:
    """`name==version[ ; marker]` lines of a requirements text, without comments or paths."""
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        match = PIN.match(line)
        if match and canonical(match.group(1)) not in OWN:
            lines.append(line)
    return sorted(lines, key=lambda line: canonical(line.split("==")[0]))


def resolved(project: Path = ROOT) -> list[str]:
    """The pins of the current resolution (uv lock, then uv export without hashes or URLs)."""
    _run("uv", "lock", "--quiet", cwd=project)
    export = ("uv", "export", "--no-hashes", "--all-groups", "--no-emit-project")
    return _pin_lines(_run(*export, cwd=project))


def write_all() -> None:
    """The root's pins, and the client's: the same versions, for the part the client needs."""
    pins, build = resolved(), build_backend()
    write(pins, build)
    needs = {canonical(line.split("==")[0]) for line in resolved(CLIENT)}
    write([line for line in pins if canonical(line.split("==")[0]) in needs], build,
          CLIENT / "pyproject.toml")  # fmt: skip


def build_backend() -> list[str]:
    """The build backend and what it needs, resolved for every platform."""
    requires = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["build-system"]["requires"]
    text = _run(
        "uv", "pip", "compile", "-", "--universal", "--no-header", "--no-annotate", "--quiet",
        stdin="\n".join(requires) + "\n",
    )  # fmt: skip
    return _pin_lines(text)


def _block(pins: list[str], build: list[str]) -> str:
    def array(key: str, lines: list[str]) -> str:
        return f"{key} = [\n" + "".join(f'    "{line}",\n' for line in lines) + "]\n"

    return (
        BEGIN
        + "\n"
        + array("constraint-dependencies", pins)
        + array("build-constraint-dependencies", build)
        + END
    )


def write(pins: list[str], build: list[str], path: Path = PYPROJECT) -> None:
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    path.write_text(text[:start] + _block(pins, build) + text[end:], encoding="utf-8")


def pinned(path: Path = PYPROJECT) -> list[str]:
    uv = tomllib.loads(path.read_text(encoding="utf-8"))["tool"]["uv"]
    return list(uv.get("constraint-dependencies", []))


def differences(pins: list[str], installed: dict[str, str]) -> list[str]:
    """What differs between the pins that apply here and the installed distributions."""
    from packaging.requirements import Requirement

    wanted: dict[str, str] = {}
    for line in pins:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate():
            wanted[canonical(requirement.name)] = str(requirement.specifier).removeprefix("==")
    found = []
    for name, version in sorted(installed.items()):
        if name in OWN:
            continue
        if name not in wanted:
            found.append(f"{name}=={version} is installed but not pinned (run .ci/pins.py write)")
        elif wanted[name] != version:
            found.append(f"{name} is {version}, pinned {wanted[name]}")
    for name in sorted(set(wanted) - set(installed)):
        found.append(f"{name}=={wanted[name]} is pinned but not installed (a stale pin)")
    return found


def installed_distributions() -> dict[str, str]:
    from importlib.metadata import distributions

    return {canonical(d.metadata["Name"]): d.version for d in distributions()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["upgrade", "write", "check"])
    parser.add_argument("--pyproject", type=Path, default=PYPROJECT, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.action == "check":
        found = differences(pinned(args.pyproject), installed_distributions())
        for line in found:
            print(f"pins: {line}", file=sys.stderr)
        if found:
            sys.exit(1)
        print(f"pins: the environment is exactly the {len(pinned(args.pyproject))} pins")
        return
    if args.action == "write":
        write_all()
        print("pins: written; run `uv sync` and `uv run pytest`, then commit pyproject.toml")
        return
    before = PYPROJECT.read_text(encoding="utf-8")
    client_before = (CLIENT / "pyproject.toml").read_text(encoding="utf-8")
    write([], [])
    _run("uv", "lock", "--upgrade", "--quiet")
    write_all()
    _run("uv", "sync", "--quiet")
    if subprocess.run(["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"], cwd=ROOT).returncode:
        PYPROJECT.write_text(before, encoding="utf-8")
        (CLIENT / "pyproject.toml").write_text(client_before, encoding="utf-8")
        _run("uv", "sync", "--quiet")
        sys.exit("pins: the suite failed on the upgraded versions; the old pins are restored")
    print("pins: upgraded and the suite passed; commit pyproject.toml")


if __name__ == "__main__":
    main()
