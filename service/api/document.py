"""The OpenAPI document, completed so that it says what the service really does.

Litestar writes the paths; two things are then made exact here, once, when the app is built:

- Each wire type is described by msgspec, the library that validates it, so every constraint
  the service enforces (lengths of list items, unknown fields refused, tagged unions) is in the
  document and nothing is in the document that the service does not enforce.
- Each operation lists the problem responses it can give, as `application/problem+json`:
  401/403/429 where a key is needed, 400/422 where there is input, 404 where a path names a
  resource, 409/412/413 for writes, 415 where the media type chooses the mode, 500 and 503.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

import msgspec
from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIFormat,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
    Tag,
)

from service.api.cloudevents import (
    BATCH,
    MAX_BATCH,
    STRUCTURED,
    BatchAnswer,
    CloudEvent,
    EventAnswer,
)
from service.api.fhir import FhirBundle
from service.api.list_schemas import EmergencyListIn
from service.api.problems import PROBLEM_JSON
from service.api.schemas import Problem, Receipt
from service.api.situation import SituationChange
from service.read.fhir import FHIR_JSON

# Wire types the document names though no handler's signature does.
ALSO_DOCUMENTED = (
    Problem,
    Receipt,
    CloudEvent,
    BatchAnswer,
    EventAnswer,
    SituationChange,
    EmergencyListIn,
    FhirBundle,
)

REF = "#/components/schemas/{name}"

# Every tag an operation has, described once (a tag no one describes fails `complete`).
TAGS = {
    "incidents": "Declare an outage and record each step of the response plan",
    "manual records": "Paper records made during the outage, on their way into the journal",
    "readiness": "Each unit's printed medication list, before the next outage",
    "emergency list": "Each unit's emergency list (nødliste) kept in nedbrud",
    "rounds": "The emergency list's times during an outage: due, given, missed",
    "situation": "The live situation picture, read or streamed",
    "plan": "The response plan in force and whom to call now",
    "back-entry": "The back-entry worklist (efterregistrering), also as FHIR",
    "feed": "The log itself, in commit order",
    "audit": "The access log and the hash chain's verification",
    "cloudevents": "Writes as CloudEvents, structured, binary or batched",
    "webhooks": "Subscriptions of other systems to the log",
    "keys": "API keys: made, listed and revoked by an admin",
    "paper": "What to print before an outage: action cards, the unit's paper kit, schedules",
    "reports": "After the outage: the evaluation report, the summary, the situation report",
    "operations": "Health and metrics",
}

_WHY = {
    400: "The body is not JSON (or not UTF-8), or a header is malformed",
    401: "No key, or a key that is unknown or revoked",
    403: "The key's role may not do this, its units do not include this one, or the purpose "
    "is not one the role may give",
    404: "Nothing with this id exists here",
    409: "The Idempotency-Key was used with another body, the event id was used for another "
    "event, or the stream moved on since it was read",
    412: "If-Match names a version that is no longer the current one",
    413: "The body is larger than 64 KiB",
    415: "The media type is not one this operation takes",
    422: "A field is invalid (named in `errors`), or a rule of the response plan refuses the "
    "step (the problem type names the rule)",
    429: "Too many requests for this key, or too many unknown keys from this address; wait "
    "Retry-After seconds",
    500: "A fault on our side; the body carries a correlation id and nothing internal",
    503: "The database cannot be reached, or a projection is not yet at after_position; "
    "retry after Retry-After seconds",
}


def complete(openapi: OpenAPI) -> OpenAPI:
    """Make `openapi` exact in place (see the module docstring) and return it."""
    _describe_wire_types(openapi)
    used: set[str] = set()
    for item in (openapi.paths or {}).values():
        for method in ("get", "post", "put", "patch", "delete"):
            operation = getattr(item, method)
            if operation is not None:
                unknown = set(operation.tags or ()) - set(TAGS)
                assert not unknown, f"{operation.operation_id}: describe its tags {unknown}"
                if operation.operation_id == "postCloudEvents":
                    _cloudevents(operation)
                if operation.operation_id == "streamSituation":
                    _events(operation)
                if operation.operation_id == "putEmergencyList":
                    _emergency_list(operation)
                if operation.operation_id == "getBackEntryFhir":
                    _fhir(operation)
                _no_null_parameters(operation)
                _csv_where_asked(operation)  # before the named values: it reads `format`'s
                _named_parameters(operation, used)
                _declare_problems(operation)
    assert openapi.components is not None
    openapi.components.schemas = dict(
        sorted((enum_components(used) | dict(openapi.components.schemas or {})).items())
    )
    openapi.tags = [Tag(name=name, description=text) for name, text in TAGS.items()]
    return openapi


# The reports answer with the domain's own views (the results of pure functions), as they are.
WIRE_MODULES = ("service.api.", "domain.report", "domain.situation_changes")


def wire_types() -> list[type[msgspec.Struct]]:
    """Every msgspec Struct defined in the HTTP layer (and the reports' domain views)."""
    found: list[type[msgspec.Struct]] = []
    pending: list[type[msgspec.Struct]] = [msgspec.Struct]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith(WIRE_MODULES) and sub not in found:
                found.append(sub)
    return found


def _describe_wire_types(openapi: OpenAPI) -> None:
    assert openapi.components is not None
    components: dict[str, Any] = dict(openapi.components.schemas or {})
    structs = [t for t in wire_types() if t.__name__ in components or t in ALSO_DOCUMENTED]
    components |= described(structs)
    openapi.components.schemas = dict(sorted(components.items()))


def described(structs: list[type[msgspec.Struct]]) -> dict[str, Any]:
    """Each struct's JSON Schema as msgspec validates it, descriptions and patterns cleaned; a
    struct with `one_of` (a name for each branch, and its field names, the first required) is
    written as a clean oneOf of those named objects; `json_schema_extra` adds what msgspec
    cannot say; the shared sets of values are named (`ENUMS`). The Python client's wire types
    are described by this too, so the two can be compared."""
    _, schemas = msgspec.json.schema_components(structs, ref_template=REF)
    by_name = {t.__name__: t for t in structs}
    out: dict[str, Any] = {}
    for name, schema in schemas.items():
        cls = by_name.get(name)
        schema = _cleaned(schema)
        if branches := getattr(cls, "one_of", None):
            schema, shapes = _exclusive(schema, branches)
            out |= shapes
        out[name] = _merged(schema, getattr(cls, "json_schema_extra", None) or {})
    used: set[str] = set()
    out = {name: named_enums(schema, used) for name, schema in out.items()}
    return out | enum_components(used)


def _exclusive(
    schema: dict[str, Any], branches: dict[str, tuple[str, ...]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """An object that is exactly one of several shapes, each its own complete, named object (a
    generator then makes a type of each, with every field it has, named as the API names it)."""
    properties = schema["properties"]

    def required(field: str) -> Any:
        kinds = [k for k in properties[field].get("anyOf", []) if k != {"type": "null"}]
        return kinds[0] if len(kinds) == 1 else properties[field]

    shapes = {
        name: {
            "title": name,
            "description": f"{schema['title']} with `{fields[0]}`"
            + "".join(f", and `{field}` if given" for field in fields[1:]),
            "type": "object",
            "properties": {
                field: required(field) if n == 0 else properties[field]
                for n, field in enumerate(fields)
            },
            "required": [fields[0]],
            "additionalProperties": False,
        }
        for name, fields in branches.items()
    }
    kept = {k: v for k, v in schema.items() if k not in ("properties", "required", "type")}
    kept.pop("additionalProperties", None)
    return kept | {"oneOf": [{"$ref": REF.format(name=name)} for name in shapes]}, shapes


# Each set of values the API takes or gives in more than one place, or where it may be null, is
# one named schema: a generated client then has one type for it (`Mode`), not one per field and
# none numbered (`ScopeAssessedInModeType0`, `VoidInModeType0`, `GetRoundsPurposeType2Type1`).
ENUMS: dict[frozenset[str], tuple[str, str]] = {
    frozenset({"actual", "exercise"}): ("Mode", "actual incidents, or exercise: the drills"),
    frozenset({"admin", "auditor", "it", "leader", "reporter", "staff"}): (
        "Role",
        "what a key may do",
    ),
    frozenset({"audit", "back-entry", "treatment"}): (
        "Purpose",
        "why a citizen's name and CPR number are shown (the access log records it)",
    ),
    frozenset({"pending", "entered", "voided"}): (
        "RecordStatus",
        "where a paper record is on its way into the journal",
    ),
    frozenset({"medication-dispensing", "care-delivery"}): ("RecordKind", "a paper record's kind"),
    frozenset({"care", "medication"}): ("ListItemKind", "an emergency list item's kind"),
    frozenset({"beredskab", "it-vagt", "service-desk"}): (
        "ContactChannel",
        "whom the plan says to call: the on-call IT (it-vagt), the service desk or beredskab",
    ),
    frozenset({"ok", "unavailable"}): ("Availability", "whether it answers"),
    frozenset({"critical", "high", "low", "medium"}): ("Severity", "how bad the outage is"),
    frozenset({"mon", "tue", "wed", "thu", "fri", "sat", "sun"}): ("Weekday", "a day of the week"),
    frozenset({"open", "partly-restored", "restored", "closed"}): (
        "IncidentStatus",
        "open, partly restored (some systems back), restored (all back) or closed",
    ),
    frozenset({"delivered", "partly", "missed"}): (
        "CareStatus",
        "a visit's help: delivered, partly delivered or missed",
    ),
    frozenset({"pending", "delivered", "failed"}): (
        "DeliveryStatus",
        "a webhook delivery: still being tried, delivered, or given up",
    ),
    frozenset({"accepted", "duplicate", "refused"}): (
        "AnswerStatus",
        "one event of a batch: taken, taken before, or refused",
    ),
    frozenset({"upcoming", "due", "overdue", "given", "missed"}): (
        "OccurrenceStatus",
        "a time on the emergency list: not yet due, due, overdue, given or missed",
    ),
    frozenset({"closed"}): ("IncludeClosed", "closed: the closed incidents too"),
    frozenset({"csv", "json"}): ("TimelineFormat", "the timeline as JSON or as CSV"),
    frozenset({"pdf", "html"}): ("PaperFormat", "a printable as PDF or as a plain HTML page"),
    frozenset({"json", "pdf"}): ("ReportFormat", "a report as JSON or as PDF with its charts"),
}


def _enum_name(values: list[Any]) -> str | None:
    named = ENUMS.get(frozenset(v for v in values if v is not None))
    return None if named is None else named[0]


def named_enums(schema: Any, used: set[str]) -> Any:
    """`schema` with each set of values of `ENUMS` replaced by a reference to its named schema
    (kept nullable where it was; a default or a description kept beside it)."""
    if isinstance(schema, list):
        return [named_enums(item, used) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if isinstance(schema.get("enum"), list) and len(schema["enum"]) == 1:
        # One value (a tagged union's tag): a constant, which generators take as a Literal
        # rather than an enum class per field (`Type1` ... `Type20`).
        return {k: v for k, v in schema.items() if k not in ("enum", "type")} | {
            "const": schema["enum"][0]
        }
    if isinstance(schema.get("enum"), list) and (name := _enum_name(schema["enum"])):
        used.add(name)
        ref = {"$ref": REF.format(name=name)}
        rest = {k: v for k, v in schema.items() if k not in ("enum", "type", "title")}
        if None in schema["enum"]:
            return {"oneOf": [ref, {"type": "null"}]} | rest
        return {"allOf": [ref]} | rest if rest else ref
    return {key: named_enums(value, used) for key, value in schema.items()}


def enum_components(names: set[str]) -> dict[str, Any]:
    return {
        name: {"title": name, "description": description, "type": "string", "enum": sorted(values)}
        for values, (name, description) in ENUMS.items()
        if name in names
    }


# Python's `$` also matches before a final newline, so the service's patterns end in `(?!\n)`;
# in ECMA-262 regular expressions, which JSON Schema and OpenAPI use, `$` matches only at the end,
# and lookarounds are not portable (pydantic's engine has none): the document leaves it out.
PYTHON_ONLY = "$(?!\\n)"


def portable(pattern: str) -> str:
    return pattern.replace(PYTHON_ONLY, "$")


def _cleaned(schema: Any) -> Any:
    """Descriptions cleaned by our own rule (`inspect.cleandoc`), so the document does not change
    when a msgspec release cleans docstrings its own way; patterns made portable."""
    if isinstance(schema, dict):
        return {
            key: inspect.cleandoc(value)
            if key == "description" and isinstance(value, str)
            else portable(value)
            if key == "pattern" and isinstance(value, str)
            else _cleaned(value)
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_cleaned(item) for item in schema]
    return schema


def _merged(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        both = isinstance(value, dict) and isinstance(out.get(key), dict)
        out[key] = _merged(out[key], value) if both else value
    return out


def _no_null_parameters(operation: Operation) -> None:
    """An optional header is absent or a string: a header has no null. (A query parameter keeps
    its null: Litestar reads `?format=null` as the parameter left out.)"""
    for parameter in operation.parameters or []:
        schema = getattr(parameter, "schema", None)
        if isinstance(schema, Schema) and schema.pattern:
            schema.pattern = portable(schema.pattern)
        if getattr(parameter, "param_in", None) != "header":
            continue
        if isinstance(schema, Schema) and isinstance(schema.type, list):
            types = [t for t in schema.type if t != OpenAPIType.NULL]
            schema.type = types[0] if len(types) == 1 else types
            schema.enum = [v for v in schema.enum if v is not None] if schema.enum else None
        if isinstance(schema, Schema) and schema.one_of:
            kept = [s for s in schema.one_of if not (isinstance(s, Schema) and s.type == "null")]
            if len(kept) == 1 and isinstance(kept[0], Schema):
                schema.type, schema.one_of = kept[0].type, None
                schema.format = schema.format or kept[0].format
                schema.enum = schema.enum or kept[0].enum


# What says something of a string only: in a nullable parameter, said of its string branch.
_STRING_KEYWORDS = ("format", "pattern", "max_length", "min_length")


def _named_parameters(operation: Operation, used: set[str]) -> None:
    """A parameter taking one of the named sets of values (`ENUMS`) refers to its schema; a
    nullable one's format, pattern and lengths are its string's (a generator then types
    `occurred_before` a datetime and checks `unit`'s pattern, where beside the oneOf they are
    lost or make a model of their own)."""
    for parameter in operation.parameters or []:
        schema = getattr(parameter, "schema", None)
        if isinstance(schema, Schema) and schema.one_of:
            for branch in schema.one_of:
                if isinstance(branch, Schema) and branch.type == OpenAPIType.STRING:
                    for keyword in _STRING_KEYWORDS:
                        if getattr(branch, keyword) is None:
                            setattr(branch, keyword, getattr(schema, keyword))
            for keyword in _STRING_KEYWORDS:
                setattr(schema, keyword, None)
        if not (isinstance(schema, Schema) and schema.enum):
            continue
        name = _enum_name(list(schema.enum))
        if name is None:
            continue
        used.add(name)
        ref = Reference(ref=REF.format(name=name))
        nullable = None in schema.enum or (
            isinstance(schema.type, list) and OpenAPIType.NULL in schema.type
        )
        parameter.schema = Schema(  # type: ignore[union-attr]
            one_of=[ref, Schema(type=OpenAPIType.NULL)] if nullable else None,
            all_of=None if nullable else [ref],
            default=schema.default,
            description=schema.description,
        )


def _formats(operation: Operation) -> set[str]:
    """The values the operation's `format` query parameter takes."""
    found: set[str] = set()
    for p in operation.parameters or []:
        if getattr(p, "name", None) == "format":
            found |= set(_enum(getattr(p, "schema", None)))
    return found


def _enum(schema: Any) -> list[Any]:
    if not isinstance(schema, Schema):
        return []
    const = [] if schema.const is None else [schema.const]
    return [*(schema.enum or []), *const, *(v for s in schema.one_of or [] for v in _enum(s))]


def _csv_where_asked(operation: Operation) -> None:
    """An operation with `format=csv` also answers 200 as text/csv; one with `format=html` as
    text/html; one with `format=pdf` (the reports) or a PDF answer (the paper) as binary PDF."""
    ok = (operation.responses or {}).get("200")
    if not isinstance(ok, OpenAPIResponse) or ok.content is None:
        return
    text = Schema(type=OpenAPIType.STRING)
    formats = _formats(operation)
    if "csv" in formats:
        ok.content["text/csv"] = OpenAPIMediaType(schema=text)
    if "html" in formats:
        ok.content["text/html"] = OpenAPIMediaType(schema=text)
    if "pdf" in formats or "application/pdf" in ok.content:
        binary = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
        ok.content["application/pdf"] = OpenAPIMediaType(schema=binary)


def _emergency_list(operation: Operation) -> None:
    """The list's body is JSON or the same list as CSV (columns in the README)."""
    operation.request_body = RequestBody(
        required=True,
        content={
            "application/json": OpenAPIMediaType(
                schema=Reference(ref=REF.format(name="EmergencyListIn"))
            ),
            "text/csv": OpenAPIMediaType(
                schema=Schema(
                    type=OpenAPIType.STRING,
                    description="UTF-8 (a BOM is allowed), `;` or `,` separated, a header row "
                    "naming the columns, one row per item",
                )
            ),
        },
    )


def _fhir(operation: Operation) -> None:
    """The bundle's own schema, named (a generator then makes a FhirBundle, not a type named
    after the operation and its status)."""
    ok = (operation.responses or {}).get("200")
    assert isinstance(ok, OpenAPIResponse)
    ok.content = {FHIR_JSON: OpenAPIMediaType(schema=Reference(ref=REF.format(name="FhirBundle")))}


def _cloudevents(operation: Operation) -> None:
    """The one operation whose body's media type chooses the mode: say what each mode takes."""
    event = Reference(ref=REF.format(name="CloudEvent"))
    assert operation.responses is not None
    operation.request_body = RequestBody(
        required=True,
        content={
            STRUCTURED: OpenAPIMediaType(schema=event),
            # Each item is checked on its own, and a malformed one is refused in its answer
            # while the others are taken: so the array's items are any JSON here.
            BATCH: OpenAPIMediaType(
                schema=Schema(
                    type=OpenAPIType.ARRAY,
                    items=Schema(description="a CloudEvent (see CloudEvent)"),
                    min_items=1,
                    max_items=MAX_BATCH,
                )
            ),
        },
    )
    receipt = Reference(ref=REF.format(name="Receipt"))
    operation.responses = {
        **(operation.responses or {}),
        "200": OpenAPIResponse(
            description="A batch: one answer per event, in order. One event: taken before, "
            "answered again with Idempotent-Replayed: true",
            content={
                "application/json": OpenAPIMediaType(
                    schema=Schema(one_of=[Reference(ref=REF.format(name="BatchAnswer")), receipt])
                )
            },
        ),
        "201": OpenAPIResponse(
            description="One event, taken: the receipt of the REST operation it names",
            content={"application/json": OpenAPIMediaType(schema=receipt)},
        ),
    }


def _events(operation: Operation) -> None:
    """The live stream's messages, which OpenAPI 3.1 has no schema for: said in words, with the
    types of their `data` named."""
    ok = (operation.responses or {}).get("200")
    assert isinstance(ok, OpenAPIResponse)
    ok.content = {
        "text/event-stream": _StreamMediaType(
            schema=Schema(
                type=OpenAPIType.STRING,
                description="Server-Sent Events, each with `id:` its position in the log. "
                "Without Last-Event-ID, first `event: snapshot`, whose `data:` is a JSON array "
                "of IncidentView; then `event: incident` for each change, whose `data:` is a "
                "SituationChange (one line of JSON); a comment line every 15 s keeps it open.",
            ),
            sse_data={
                "snapshot": {"type": "array", "items": {"$ref": REF.format(name="IncidentView")}},
                "incident": {"$ref": REF.format(name="SituationChange")},
            },
        )
    }


@dataclass
class _StreamMediaType(OpenAPIMediaType):
    """OpenAPI 3.1 has no schema for a stream's messages: each event's `data:` by its name, in
    an extension (so the schemas it names are referenced, not only named in words)."""

    sse_data: dict[str, Any] | None = field(default=None, metadata={"alias": "x-sse-data"})


def _problem_response(status: int) -> OpenAPIResponse:
    headers: dict[str, OpenAPIHeader | Reference] | None = None
    if status in (429, 503):
        headers = {
            "Retry-After": OpenAPIHeader(
                schema=Schema(type=OpenAPIType.INTEGER),
                description="seconds to wait before retrying",
            )
        }
    return OpenAPIResponse(
        description=_WHY[status],
        headers=headers,
        content={PROBLEM_JSON: OpenAPIMediaType(schema=Reference(ref=REF.format(name="Problem")))},
    )


def _statuses(operation: Operation) -> set[int]:
    params = operation.parameters or []
    names = {(p.param_in, p.name.lower()) for p in params if not isinstance(p, Reference)}
    statuses = {500, 503}
    if operation.security != [{}]:
        statuses |= {401, 403, 429}
    if params or operation.request_body is not None:
        statuses |= {400, 422}
    if any(where == "path" for where, _ in names):
        statuses.add(404)
    if operation.request_body is not None:
        statuses |= {409, 413}
    if ("header", "if-match") in names:
        statuses.add(412)
    body = operation.request_body
    if isinstance(body, RequestBody) and set(body.content) != {"application/json"}:
        statuses.add(415)  # the media type chooses what the body is: another one is refused
    return statuses


def _declare_problems(operation: Operation) -> None:
    responses = dict(operation.responses or {})
    for status in sorted(_statuses(operation)):
        # Litestar's own 400 describes its ValidationException, which never leaves as such;
        # any other answer the handler declares itself (the health probe's 503) stays.
        if status == 400 or str(status) not in responses:
            responses[str(status)] = _problem_response(status)
    operation.responses = dict(sorted(responses.items()))
