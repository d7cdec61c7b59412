"""Each step's form, as `GET /v1/plan` serves it to the dashboard: the fields of the step's wire
type, each with the kind of input it takes and its label in the plan's words (`[forms]` in the
plan file). The dashboard builds its forms from these, so a new step needs no edit there.

A required field is always asked for; an optional one only when the plan names it. A step with
a required field no form can ask for (a correction's free-form contents) gets no form.
"""

from __future__ import annotations

import typing
from typing import Literal

import msgspec.inspect as mi
from msgspec import Struct

from service.api.schemas import PersonIn, Text
from service.api.steps import StepBase

FieldKind = Literal[
    "text",
    "free-text",
    "yes-no",
    "time",
    "count",
    "choice",
    "person",
    "unit",
    "units",
    "system",
    "systems",
    "staffing-request",
]

# What the dashboard offers for a field by its name: the outage's units and systems, or its own
# staffing requests.
KIND_BY_NAME: dict[str, FieldKind] = {
    "unit": "unit",
    "units": "units",
    "affected_units": "units",
    "system": "system",
    "affected_systems": "systems",
    "request_event_id": "staffing-request",
}
COMMON = frozenset({"type", "occurred_at", "by", "mode"})  # every form fills these itself
FREE_TEXT = mi.type_info(Text)


class FormFieldView(Struct, kw_only=True):
    """One field of a step's form: its name in the body, the input it takes, its label."""

    name: str
    kind: FieldKind
    label: str
    required: bool
    # A choice's values, in the order offered.
    choices: list[str]
    # A count's least value.
    minimum: int | None
    # A person's name, asked beside their employee number, when the plan names it.
    name_label: str | None


def _kind(info: mi.Type) -> FieldKind | None:
    if isinstance(info, mi.Metadata):
        info = info.type
    if isinstance(info, mi.StrType):
        return "free-text" if info == FREE_TEXT else "text"
    if isinstance(info, mi.StructType) and info.cls is PersonIn:
        return "person"
    kinds: dict[type[mi.Type], FieldKind] = {
        mi.BoolType: "yes-no",
        mi.DateTimeType: "time",
        mi.IntType: "count",
        mi.LiteralType: "choice",
    }
    return kinds.get(type(info))


def _choices(hint: object) -> list[str]:
    """A Literal's values in their declared order (optional or not)."""
    if typing.get_origin(hint) is Literal:
        return [str(v) for v in typing.get_args(hint)]
    return next((_choices(a) for a in typing.get_args(hint) if typing.get_origin(a) is Literal), [])


def _plain(info: mi.Type) -> mi.Type:
    """The type without `| None`."""
    if isinstance(info, mi.UnionType):
        kept = [t for t in info.types if not isinstance(t, mi.NoneType)]
        return kept[0] if len(kept) == 1 else info
    return info


def form(step: type[Struct], labels: dict[str, str]) -> list[FormFieldView] | None:
    """The form of one step type (None: no form can ask for it)."""
    info = mi.type_info(step)
    assert isinstance(info, mi.StructType)
    hints = typing.get_type_hints(step)
    fields: list[FormFieldView] = []
    for field in info.fields:
        if field.name in COMMON:
            continue
        plain = _plain(field.type)
        kind = KIND_BY_NAME.get(field.name) or _kind(plain)
        if kind is None or (not field.required and field.name not in labels):
            if field.required:
                return None
            continue
        choices = _choices(hints[field.name]) if kind == "choice" else []
        plain = plain.type if isinstance(plain, mi.Metadata) else plain
        fields.append(
            FormFieldView(
                name=field.name,
                kind=kind,
                label=labels.get(field.name, field.name),
                required=field.required,
                choices=choices,
                minimum=plain.ge if isinstance(plain, mi.IntType) else None,
                name_label=labels.get(f"{field.name}.name") if kind == "person" else None,
            )
        )
    return fields


def forms(
    step_types: tuple[type[Struct], ...], labels: dict[str, dict[str, str]]
) -> dict[str, list[FormFieldView]]:
    """Each step's form by its type, in the order of the steps."""
    out: dict[str, list[FormFieldView]] = {}
    for step in step_types:
        assert issubclass(step, StepBase)
        tag = str(step.__struct_config__.tag)
        if (fields := form(step, labels.get(tag, {}))) is not None:
            out[tag] = fields
    return out
