"""The OpenAPI document reads the same in other tools: its patterns compile in pydantic's regex
engine (Rust's, no lookarounds) and mean there what they mean here, every time is a date-time,
and spectral's `oas` rules on operations and components hold (every operation described and
tagged with a described tag, every operation id unique, every component referenced)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import pydantic
import pytest

DOCUMENT = json.loads(
    (Path(__file__).resolve().parents[1] / "openapi" / "openapi.json").read_text("utf-8")
)
OPERATIONS = [
    (path, method, operation)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
]


def walk(node: Any, key: str) -> list[Any]:
    """Every value of `key` anywhere in `node`."""
    if isinstance(node, dict):
        here = [node[key]] if key in node and not isinstance(node[key], dict) else []
        return here + [v for child in node.values() for v in walk(child, key)]
    if isinstance(node, list):
        return [v for child in node for v in walk(child, key)]
    return []


PATTERNS = sorted(set(walk(DOCUMENT, "pattern")))


# A value each kind of pattern takes, and one it refuses there as here (Python's `$` alone would
# take a final newline; the service's patterns add `(?!\n)`, which the document leaves out).
SAMPLES = {
    "^(?:(?:0[1-9]": ("010170-0000", "010170-0000\n"),
    "^cit_": ("cit_" + "a" * 24, "cit_" + "a" * 24 + "\n"),
    "^[a-z0-9]": ("botilbud-a", "botilbud-a\n"),
    "^[^\\x00]": ("tekst\nmed linjer", "nul\x00tegn"),
}


@pytest.mark.parametrize("pattern", PATTERNS)
def test_each_pattern_compiles_in_pydantic_and_means_what_it_means_here(pattern: str) -> None:
    constrained: Any = Annotated[str, pydantic.StringConstraints(pattern=pattern)]
    adapter: pydantic.TypeAdapter[str] = pydantic.TypeAdapter(constrained)
    for prefix, (good, bad) in SAMPLES.items():
        if pattern.startswith(prefix):
            assert adapter.validate_python(good) == good
            with pytest.raises(pydantic.ValidationError):
                adapter.validate_python(bad)


def test_there_are_patterns_and_none_uses_a_lookaround() -> None:
    assert len(PATTERNS) >= 4
    assert [p for p in PATTERNS if re.search(r"\(\?<?[=!]", p)] == []


def test_every_time_field_is_a_date_time() -> None:
    """A field named as a time (`..._at`, `at`, `time`, `timestamp`) is format date-time."""
    untyped = []
    for name, schema in DOCUMENT["components"]["schemas"].items():
        for field, spec in schema.get("properties", {}).items():
            if re.fullmatch(r".*_at|at|time|timestamp|list_as_of", field):
                kinds = [spec, *spec.get("anyOf", []), *spec.get("oneOf", [])]
                if not any(k.get("format") == "date-time" for k in kinds):
                    untyped.append(f"{name}.{field}")
    assert untyped == []


def test_every_operation_has_a_description_a_unique_id_and_described_tags() -> None:
    described_tags = {tag["name"] for tag in DOCUMENT.get("tags", []) if tag.get("description")}
    ids = [operation["operationId"] for _, _, operation in OPERATIONS]
    assert len(ids) == len(set(ids))
    for path, method, operation in OPERATIONS:
        where = f"{method.upper()} {path}"
        assert operation.get("description", "").strip(), where
        assert operation.get("tags"), where
        assert set(operation["tags"]) <= described_tags, where


def test_every_component_is_referenced() -> None:
    refs = set(walk(DOCUMENT, "$ref"))
    unused = [
        n for n in DOCUMENT["components"]["schemas"] if f"#/components/schemas/{n}" not in refs
    ]
    assert unused == []
