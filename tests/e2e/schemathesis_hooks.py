"""A stricter stand-in for schemathesis' `positive_data_acceptance`, loaded by the fuzz test.

That check expects every schema-valid request to be taken. Some refusals no JSON Schema can
express, and the document says so in words: a time in the future or before 2000, a position
beyond the end of the log, a step the response plan refuses (a 422 whose problem type names the
rule), and, for a CloudEvent, `data` that does not fit the operation its `type` names. This check
lets exactly those through; any other refusal of schema-valid data fails the run.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis

TAKEN_ANYWAY = {401, 403, 404, 409, 412, 429}
SCHEMA_CHECKS = {"/problems/invalid-request", "/problems/malformed-json"}
BEYOND_THE_SCHEMA = (
    "lies in the future",
    "lies before 2000",
    "is beyond the end of the log",
    "must lie between the years 1900 and 9000",  # contacts/now's at, as its description says
)


def _explained(body: dict[str, Any], operation_id: str | None) -> bool:
    if body.get("type") not in SCHEMA_CHECKS:
        return True  # a rule of the plan, named by its own problem type
    if operation_id == "postCloudEvents":
        return body.get("type") == "/problems/invalid-request"  # data against its type's body
    errors = body.get("errors") or []
    return bool(errors) and all(
        any(why in str(e.get("message", "")) for why in BEYOND_THE_SCHEMA) for e in errors
    )


@schemathesis.check
def refused_only_for_rules_beyond_the_schema(ctx: Any, response: Any, case: Any) -> None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    status = response.status_code
    if status < 400 or status >= 500 or status in TAKEN_ANYWAY:
        return
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {"detail": response.content[:200]}
    operation_id = case.operation.definition.raw.get("operationId")
    if status == 422 and _explained(body, operation_id):
        return
    raise AssertionError(
        f"schema-valid data refused with {status} {body.get('type')}: {body.get('detail')!r}"
    )
