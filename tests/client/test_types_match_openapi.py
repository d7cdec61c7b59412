"""The client's wire types and operations are the ones `openapi/openapi.json` describes.

The server's document is written from its msgspec Structs; the client's Structs, generated from
the document (`nedbrud_client.wire`), must give the same JSON Schema, name for name and
constraint for constraint (descriptions aside, and the few constraints a generated msgspec Struct
cannot carry, `NOT_CARRIED`), and every operation in the document must have a method on both
clients. When the API changes and the client does not, this fails and names the schema or
operation.
"""

from __future__ import annotations

import inspect
import json
import re
import typing
from pathlib import Path
from typing import Any

import msgspec
import pytest

from nedbrud_client import AsyncClient, Client, calls
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


# What the generator's msgspec Structs cannot say, and where the client holds it instead:
# - `format: date-time`: msgspec writes it only for a datetime with `tz=True`, and the generator
#   writes plain `datetime`; the client refuses a time without an offset before it sends or
#   queues a write (`calls._checked`, test_a_time_without_an_offset_is_refused_before_sending).
# - `additionalProperties: false` on the request bodies: the generator does not write
#   `forbid_unknown_fields`; the client only encodes these, and a Struct has no other fields.
# - `uniqueItems` (a journal entry's `record_ids`): the server refuses a record named twice.
NOT_CARRIED = {("format", "date-time"), ("additionalProperties", False), ("uniqueItems", True)}


def _not_carried(key: str, value: Any) -> bool:
    return any(key == k and type(value) is type(v) and value == v for k, v in NOT_CARRIED)


def documented(schema: Any) -> Any:
    """The document's schema without what the generated client does not carry (`NOT_CARRIED`),
    and a closed set of strings without the lengths all of its values have."""
    if isinstance(schema, dict):
        out = {k: documented(v) for k, v in schema.items() if not _not_carried(k, v)}
        if "enum" in out and out.get("type") == "string":
            values = out["enum"]
            if all(
                out.get("minLength", 0) <= len(v) <= out.get("maxLength", len(v)) for v in values
            ):
                out = {k: v for k, v in out.items() if k not in ("type", "minLength", "maxLength")}
        return out
    if isinstance(schema, list):
        return [documented(v) for v in schema]
    return schema


def generated(schema: Any) -> Any:
    """The client's schema with a named type written as msgspec writes an alias that has its own
    title (`allOf` of one `$ref`) written as the document writes it (the `$ref`)."""
    if isinstance(schema, dict):
        if list(schema) == ["allOf"] and len(schema["allOf"]) == 1:
            return generated(schema["allOf"][0])
        return {k: generated(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [generated(v) for v in schema]
    return schema


CLIENT_STRUCTS = [
    v
    for v in vars(wire).values()
    if isinstance(v, type) and issubclass(v, msgspec.Struct) and v is not msgspec.Struct
]


def client_schemas() -> dict[str, Any]:
    return described(CLIENT_STRUCTS)


CLIENT = client_schemas()


# The named sets of values (`Mode`, `Purpose`, ...): the client takes them as Literals.
VALUE_SETS = {name for name, schema in SPEC.items() if "enum" in schema}


def test_the_client_has_a_type_for_every_schema_and_no_other() -> None:
    assert sorted(set(CLIENT) - VALUE_SETS) == sorted(set(SPEC) - VALUE_SETS)


@pytest.mark.parametrize("name", sorted(set(SPEC) - VALUE_SETS))
def test_each_type_has_the_documented_shape_and_limits(name: str) -> None:
    assert generated(plain(CLIENT.get(name))) == documented(plain(SPEC[name]))


def client_literals() -> set[frozenset[str]]:
    """The sets of values of the client's Literals: its aliases and its calls' parameters."""
    found: list[Any] = list(vars(wire).values())
    for struct in CLIENT_STRUCTS:
        found += typing.get_type_hints(struct, include_extras=True).values()
    for call in vars(calls).values():
        if inspect.isfunction(call) and call.__module__ == calls.__name__:
            found += typing.get_type_hints(call, vars(calls) | vars(wire)).values()
    sets: set[frozenset[str]] = set()
    while found:
        kind = found.pop()
        if typing.get_origin(kind) is typing.Literal:
            sets.add(frozenset(typing.get_args(kind)))
        found += [a for a in typing.get_args(kind) if a is not None]
    return sets


# The client asks for the timeline as CSV by a method of its own, which sends `format=csv`; it
# reads the reports as JSON (their PDF is for a browser or `Accept: application/pdf`).
CHOSEN_BY_THE_CLIENT = {"TimelineFormat", "ReportFormat"}


@pytest.mark.parametrize("name", sorted(VALUE_SETS - CHOSEN_BY_THE_CLIENT))
def test_each_named_set_of_values_is_a_literal_of_the_client(name: str) -> None:
    assert frozenset(SPEC[name]["enum"]) in client_literals()


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


def test_a_time_without_an_offset_is_refused_before_sending() -> None:
    """The server refuses a time without an offset; the client refuses it first, naming it,
    before a write is sent or queued (the generated types say only `datetime`)."""
    from datetime import UTC, datetime
    from uuid import uuid4

    by = wire.PersonIn(id="sygeplejerske-7")
    naive = wire.NoteAddedIn(occurred_at=datetime(2026, 3, 2, 9, 30), by=by, text="Kaldt op")
    with pytest.raises(msgspec.ValidationError, match=r"timezone.*`\$\.occurred_at`"):
        calls.record_incident_step(uuid4(), naive)
    aware = wire.NoteAddedIn(occurred_at=datetime(2026, 3, 2, 9, 30, tzinfo=UTC), by=by, text="x")
    assert b'"occurred_at":"2026-03-02T09:30:00Z"' in (
        calls.record_incident_step(uuid4(), aware).body or b""
    )
