"""The fast folder imports neither a database driver nor the HTTP edge: what it tests is the
application layer alone, over the in-memory log."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_layers import imported_modules

FOLDER = Path(__file__).parent
SLOW = ("asyncpg", "litestar", "httpx", "uvicorn", "service.api", "service.app", "service.cli",
        "service.log.store", "tests.conftest")  # fmt: skip


@pytest.mark.parametrize("module", sorted(FOLDER.glob("*.py")), ids=lambda p: p.name)
def test_the_fast_folder_needs_no_database_and_no_server(module: Path) -> None:
    found = imported_modules(module)
    slow = {m for m in found if any(m == s or m.startswith(f"{s}.") for s in SLOW)}
    assert not slow, slow
