"""The Python client's wire types are generated from openapi/openapi.json; `uv run nedbrud
openapi` writes both, so the two are committed together."""

from __future__ import annotations

from pathlib import Path

from service.cli import CLIENT_WIRE_HEADER, CLIENT_WIRE_PATH, OPENAPI_PATH, write_client_wire


def test_the_committed_client_wire_types_are_generated_from_the_committed_document(
    tmp_path: Path,
) -> None:
    fresh = tmp_path / "wire.py"
    write_client_wire(OPENAPI_PATH, fresh)
    assert CLIENT_WIRE_PATH.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
        "clients/python/nedbrud_client/wire.py is stale: run `uv run nedbrud openapi` and commit it"
    )


def test_the_generated_module_says_so_in_its_first_line() -> None:
    first = CLIENT_WIRE_PATH.read_text(encoding="utf-8").splitlines()[0]
    assert first == CLIENT_WIRE_HEADER
