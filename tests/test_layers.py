"""Dependencies point one way: service -> domain; domain does no I/O and reads no clock; inside
`service/`, each room imports only the rooms below it, and only the entry points import the edge."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAIN_MAY_NOT_IMPORT = {
    "service",
    "asyncpg",
    "litestar",
    "alembic",
    "sqlalchemy",
    "httpx",
    "socket",
    "os",
    "subprocess",
    "uvicorn",
    "time",
    "random",
}


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def imports(path: Path) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(path)}


# The rooms of `service/`, lowest first: a room may import the rooms before it, never after.
# The two entry points (`service/app.py`, `service/cli.py`) compose them all.
ROOMS = ("log", "access", "write", "read", "runtime", "api")
SERVICE = ROOT / "service"
ENTRY_POINTS = {"app", "cli"}


def test_service_holds_its_rooms_and_two_entry_points_only() -> None:
    modules = {p.stem for p in SERVICE.glob("*.py")} - {"__init__"}
    rooms = {p.name for p in SERVICE.iterdir() if (p / "__init__.py").exists()}
    assert modules == ENTRY_POINTS
    assert rooms == set(ROOMS)


@pytest.mark.parametrize(
    "module", sorted(SERVICE.glob("*/*.py")), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_a_room_imports_only_the_rooms_below_it(module: Path) -> None:
    own = ROOMS.index(module.parent.name)
    for name in imported_modules(module):
        parts = name.split(".")
        if parts[0] != "service":
            continue
        assert len(parts) > 1, f"{name}: not a room"
        assert parts[1] in ROOMS, f"{name}: not a room"
        assert ROOMS.index(parts[1]) <= own, f"{name} is above {module.parent.name}"


@pytest.mark.parametrize("module", sorted((ROOT / "domain").rglob("*.py")), ids=lambda p: p.name)
def test_the_domain_imports_nothing_that_does_io(module: Path) -> None:
    assert not imports(module) & DOMAIN_MAY_NOT_IMPORT


@pytest.mark.parametrize("module", sorted((ROOT / "domain").rglob("*.py")), ids=lambda p: p.name)
def test_the_domain_never_reads_the_clock(module: Path) -> None:
    text = module.read_text(encoding="utf-8")
    assert ".now(" not in text
    assert "utcnow" not in text
    assert "uuid4" not in text


CLIENT_MAY_IMPORT = {"httpx", "msgspec", "nedbrud_client"}


@pytest.mark.parametrize(
    "module", sorted((ROOT / "clients" / "python").rglob("*.py")), ids=lambda p: p.name
)
def test_the_client_speaks_http_only_and_needs_nothing_but_httpx_and_msgspec(module: Path) -> None:
    import sys

    outside = imports(module) - set(sys.stdlib_module_names) - {"__future__"}
    assert outside <= CLIENT_MAY_IMPORT, outside


DASHBOARD = ROOT / "clients" / "dashboard"


def test_the_dashboard_talks_to_v1_only_like_any_client() -> None:
    import re

    scripts = {p.name: p.read_text(encoding="utf-8") for p in DASHBOARD.glob("*.js")}
    # Every request goes through api.js, and every path the scripts name is under /v1/.
    # The service worker fetches only the app's own files, inside its scope (never /v1).
    worker = scripts.pop("sw.js")
    assert "url.pathname.startsWith(scope.pathname)" in worker
    assert [name for name, text in scripts.items() if "fetch(" in text] == ["api.js"]
    paths = {
        p for text in scripts.values() for p in re.findall(r"""[`"'](/[a-z][^`"'\s]*)""", text)
    }
    assert "/v1/situation/stream" in paths
    assert all(p.startswith("/v1/") for p in paths), sorted(paths)


@pytest.mark.parametrize(
    "module", sorted((SERVICE / "write").glob("*.py")), ids=lambda p: f"write/{p.name}"
)
def test_the_write_side_knows_no_http(module: Path) -> None:
    """The use cases take a command and a context, never a Request: the HTTP handlers, the
    CloudEvents path and the fast tests all call them the same way."""
    assert "litestar" not in imports(module)
