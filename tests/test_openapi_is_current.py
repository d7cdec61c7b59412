"""openapi/openapi.json is what the app serves; regenerate it with `uv run nedbrud openapi`."""

from __future__ import annotations

from pathlib import Path

from service.cli import OPENAPI_PATH, write_openapi


def test_the_committed_openapi_document_matches_the_app(tmp_path: Path) -> None:
    fresh = tmp_path / "openapi.json"
    write_openapi(fresh)
    assert OPENAPI_PATH.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
        "openapi/openapi.json is stale: run `uv run nedbrud openapi` and commit it"
    )
