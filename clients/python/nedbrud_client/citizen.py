"""The citizen of a paper record, the one wire type not generated from `openapi/openapi.json`.

The document says a citizen is exactly one of two objects (`CitizenByCpr`, `CitizenByRef`) with
no field to tell them apart, and msgspec decodes no union of untagged Structs, so a generated
`CitizenIn` could not be checked before it is sent. The generator is told to use this one (a
Struct with both shapes' fields); `tests/client/test_types_match_openapi.py` holds it to the
document's oneOf.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from msgspec import Meta, Struct

# Each pattern ends in `$(?!\n)`, as the server's do: Python's `$` alone would let a final
# newline through.
Cpr = Annotated[
    str,
    Meta(
        pattern="^(?:(?:0[1-9]|[12][0-9])(?:0[1-9]|1[0-2])|30(?:0[13-9]|1[0-2])"
        "|31(?:0[13578]|1[02]))[0-9]{2}-?[0-9]{4}$(?!\\n)"
    ),
]
CitizenRef = Annotated[str, Meta(pattern="^cit_[a-z2-7]{24}$(?!\\n)")]
Name = Annotated[str, Meta(max_length=200, min_length=1, pattern="^[^\\x00]*$")]


class CitizenIn(Struct, forbid_unknown_fields=True, kw_only=True):
    """The citizen: a CPR number (and name), or a citizen_ref given earlier. Never put in a URL."""

    cpr: Cpr | None = None
    name: Name | None = None
    ref: CitizenRef | None = None
    one_of: ClassVar[dict[str, tuple[str, ...]]] = {
        "CitizenByCpr": ("cpr", "name"),
        "CitizenByRef": ("ref", "name"),
    }
