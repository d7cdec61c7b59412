"""The client's wire types and operations are the ones `openapi/openapi.json` describes.

The server's document is written from its msgspec Structs; the client's Structs must give the same
JSON Schema, name for name and constraint for constraint (descriptions aside), and every operation
in the document must have a method on both clients. When the API changes and the client does not,
this fails and names the schema or operation.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from nedbrud_client import AsyncClient, Client
from nedbrud_client import types as wire
from service.api.document import described, portable

DOCUMENT = json.loads(
    (Path(__file__).resolve().parents[2] / "openapi" / "openapi.json").read_text("utf-8")
)
SPEC = DOCUMENT["components"]["schemas"]
REF = "#/components/schemas/{name}"


def plain(schema: Any) -> Any:
    """The schema without prose (titles and descriptions say nothing a client must match),
    without `"default": null`, which the document leaves out for every optional field, and with
    patterns as the document writes them (without the lookahead only Python's `$` needs)."""
    if isinstance(schema, dict):
        return {
            k: portable(v) if k == "pattern" else plain(v)
            for k, v in schema.items()
            if k not in ("title", "description") and not (k == "default" and v is None)
        }
    if isinstance(schema, list):
        return [plain(v) for v in schema]
    return schema


def client_schemas() -> dict[str, Any]:
    structs = [
        v
        for v in vars(wire).values()
        if isinstance(v, type) and issubclass(v, msgspec.Struct) and v is not msgspec.Struct
    ]
    return described(structs)


CLIENT = client_schemas()


def test_the_client_has_a_type_for_every_schema_and_no_other() -> None:
    assert sorted(CLIENT) == sorted(SPEC)


@pytest.mark.parametrize("name", sorted(SPEC))
def test_each_type_has_the_documented_shape_and_limits(name: str) -> None:
    assert plain(CLIENT.get(name)) == plain(SPEC[name])


def snake(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


OPERATIONS = sorted(
    op["operationId"] for path in DOCUMENT["paths"].values() for op in path.values()
)


@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_every_operation_has_a_method_on_both_clients(operation_id: str) -> None:
    method = snake(operation_id)
    if operation_id == "postCloudEvents":  # one operation, two media types: one event or a batch
        method = "post_cloud_event"
    for client in (Client("http://127.0.0.1:9"), AsyncClient("http://127.0.0.1:9")):
        assert callable(getattr(client, method, None)), method
