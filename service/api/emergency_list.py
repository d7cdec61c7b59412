"""Nødliste: a unit keeps its emergency list in nedbrud ahead of an outage, as JSON or CSV."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, HttpMethod, Request, Response, get, put, route
from litestar.di import NamedDependency
from litestar.params import Parameter

from domain.emergency_list import EVERY_DAY, ItemKind, ListCitizen, ListItem
from domain.manual_record import Medication
from domain.rounds_errors import ListInvalid
from service.access.disclosure import Disclosure, Reader
from service.api.guards import principal_of, require_unit
from service.api.list_csv import parse_list_csv
from service.api.list_schemas import (
    EmergencyListIn,
    EmergencyListKept,
    EmergencyListView,
    ListCitizenIn,
    ListCitizenView,
    ListItemView,
    ListMedicationView,
)
from service.api.problems import ApiProblem, InvalidField, invalid_body, without_values
from service.api.reading import Purpose, pool_of
from service.api.records import named
from service.api.schemas import SLUG_PATTERN, FieldError
from service.api.steps import person
from service.api.writes import IdempotencyKey, context_of, respond
from service.write import commands
from service.write.emergency_lists import EmergencyListService
from service.write.errors import ListCitizenRefused
from service.write.use_cases import UseCases

# 500 citizens with 5,000 items is about 1.5 MB of JSON; the rest of the API keeps 64 KiB.
LIST_MAX_BODY_BYTES = 4 * 1024 * 1024
UnitPath = Annotated[str, Parameter(pattern=SLUG_PATTERN, max_length=100)]
_ITEM = re.compile(r"^citizens\[(\d+)\]\.items\[(\d+)\]")


class EmergencyListController(Controller):
    """Nødliste: who the unit cares for, what each is to receive and when, vital needs first."""

    path = "/v1"
    tags = ["emergency list"]

    @put(
        "/units/{unit:str}/emergency-list",
        operation_id="putEmergencyList",
        status_code=201,
        request_max_body_size=LIST_MAX_BODY_BYTES,
    )
    async def keep(
        self,
        request: Request[Any, Any, Any],
        unit: UnitPath,
        use_cases: NamedDependency[UseCases],
        list_as_of: Annotated[
            datetime | None,
            Parameter(required=False, description="text/csv only: the list's date (default now)"),
        ] = None,
        by: Annotated[
            str | None,
            Parameter(required=False, max_length=200, description="text/csv only: who keeps it"),
        ] = None,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[EmergencyListKept]:
        """Keep a whole new version of the unit's emergency list (JSON, or text/csv)."""
        require_unit(principal_of(request), unit)
        body, rows = await list_body(request, list_as_of, by)
        return await keep_list(request, use_cases, unit, body, rows, idempotency_key)

    @route(
        "/units/{unit:str}/emergency-list", http_method=HttpMethod.OPTIONS, include_in_schema=False
    )
    async def allowed_methods(self) -> Response[None]:
        """Litestar 2 names only the first of a path's methods (its #4169): this one answers."""
        return Response(None, status_code=204, headers={"Allow": "GET, OPTIONS, PUT"})

    @get("/units/{unit:str}/emergency-list", operation_id="getEmergencyList")
    async def current(
        self,
        request: Request[Any, Any, Any],
        unit: UnitPath,
        list_service: NamedDependency[EmergencyListService],
        purpose: Purpose = None,
    ) -> EmergencyListView:
        """The unit's current emergency list; names, CPR, vital needs and medication only with
        a `purpose` the key's role may have, each citizen shown written to the access log."""
        principal = principal_of(request)
        disclosure = Disclosure(
            Reader.of(principal, purpose),
            list_service.streams.codec,
            "GET /v1/units/{unit}/emergency-list",
        )
        require_unit(principal, unit)
        found = await list_service.current(unit)
        if found is None:
            raise ApiProblem(404, "not-found", f"unit {unit!r} keeps no emergency list")
        erased = found.event.erased_subjects | (
            {c.citizen_ref for c in found.version.citizens} if found.event.erased else set()
        )
        citizens = [
            _citizen_view(c, c.citizen_ref in erased, disclosure) for c in found.version.citizens
        ]
        await disclosure.release(pool_of(request))  # before anything leaves
        v = found.version
        return EmergencyListView(unit, v.list_version, v.list_as_of, citizens)


async def list_body(
    request: Request[Any, Any, Any], list_as_of: datetime | None, by: str | None
) -> tuple[EmergencyListIn, dict[tuple[int, int], int] | None]:
    """The list as sent: JSON, or CSV with `list_as_of` and `by` as query parameters."""
    raw = await request.body()
    media = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if media == "text/csv":
        return _csv_body(raw, list_as_of, by)
    if media not in ("application/json", ""):
        raise ApiProblem(415, "unsupported-media-type", "send application/json or text/csv")
    try:
        return msgspec.json.decode(raw, type=EmergencyListIn), None
    except msgspec.ValidationError as exc:
        raise invalid_body(exc) from None
    except msgspec.DecodeError:
        raise ApiProblem(400, "malformed-json", "the body is not valid JSON") from None


def csv_refused(field: str, message: str) -> ApiProblem:
    """A CSV list that cannot be read as a list: no JSON Schema says what its text holds."""
    message = without_values(message)
    problem = ApiProblem(422, "csv-invalid", f"{field}: {message}")
    problem.errors = [FieldError(field=field, message=message)]
    return problem


def _csv_body(
    raw: bytes, list_as_of: datetime | None, by: str | None
) -> tuple[EmergencyListIn, dict[tuple[int, int], int]]:
    if not by:
        raise csv_refused("by", "a CSV list names who keeps it: ?by=<employee id>")
    if list_as_of is not None and list_as_of.tzinfo is None:
        raise csv_refused("list_as_of", "needs an offset")
    try:
        citizens, rows = parse_list_csv(raw)
    except UnicodeDecodeError:
        raise csv_refused("csv", "is not UTF-8") from None
    except InvalidField as exc:
        first = (exc.errors or [FieldError(field="csv", message=str(exc))])[0]
        raise csv_refused(first.field, first.message) from None
    if not citizens:  # a failed export; a list with nobody on it would replace the unit's
        raise csv_refused("csv", "has no rows after the header (a list of nobody is sent as JSON)")
    data = {
        "list_as_of": (list_as_of or datetime.now(UTC)).isoformat(),
        "by": {"id": by},
        "citizens": citizens,
    }
    try:
        return msgspec.convert(data, EmergencyListIn, strict=False), rows
    except msgspec.ValidationError as exc:
        raise _csv_cell_refused(str(exc), rows) from None


_AT = re.compile(r"^(.*) - at `\$\.(.+)`$")


def _csv_cell_refused(message: str, rows: dict[tuple[int, int], int]) -> ApiProblem:
    """msgspec's refusal of a cell, naming its field as the JSON body would, and its row."""
    at = _AT.match(message)
    if at is None:
        return csv_refused("csv", message)
    item = _ITEM.match(at[2])
    row = rows.get((int(item[1]), int(item[2]))) if item else None
    return csv_refused(at[2], f"csv row {row}: {at[1]}" if row else at[1])


def keep_command(unit: str, body: EmergencyListIn) -> commands.KeepEmergencyList:
    """putEmergencyList's body as the write side's command."""
    return commands.KeepEmergencyList(
        unit, body.list_as_of, person(body.by), tuple(_list_citizen(c) for c in body.citizens)
    )


def _list_citizen(given: ListCitizenIn) -> commands.ListCitizenGiven:
    items = tuple(
        ListItem(
            item_id=item.item_id,
            kind=ItemKind(item.kind),
            times=tuple(item.times),
            medication=None
            if item.medication is None
            else Medication(
                item.medication.name,
                item.medication.dose,
                item.medication.strength,
                item.medication.route,
            ),
            service=item.service,
            days=tuple(item.days) if item.days is not None else EVERY_DAY,
            window_minutes=item.window_minutes,
            vital=item.vital,
        )
        for item in given.items
    )
    return commands.ListCitizenGiven(named(given.citizen), given.vital_needs, items)


async def keep_list(
    request: Request[Any, Any, Any],
    use_cases: UseCases,
    unit: str,
    body: EmergencyListIn,
    rows: dict[tuple[int, int], int] | None,
    idempotency_key: str | None,
) -> Response[Any]:
    """putEmergencyList: a refusal of a CSV list names the row it is about."""
    ctx = context_of(request, idempotency_key, body)
    try:
        return respond(await use_cases.keep_emergency_list(keep_command(unit, body), ctx))
    except ListCitizenRefused as exc:
        if rows is None:
            raise
        raise csv_refused(exc.field, exc.message) from None
    except ListInvalid as exc:
        raise _on_row(exc, rows) from None


def _on_row(exc: ListInvalid, rows: dict[tuple[int, int], int] | None) -> Exception:
    """A refusal of a CSV list names the row too."""
    match = _ITEM.match(exc.field)
    if rows is None or match is None:
        return exc
    row = rows.get((int(match[1]), int(match[2])))
    message = f"csv row {row}: {exc}"
    problem = ApiProblem(422, exc.slug, message)
    problem.errors = [FieldError(field=exc.field, message=message)]
    return problem


def _citizen_view(c: ListCitizen, erased: bool, disclosure: Disclosure) -> ListCitizenView:
    identity = msgspec.to_builtins(c.citizen) if c.citizen is not None else {}
    personal = {**identity, "vital_needs": c.vital_needs} if not erased else {}
    shown = disclosure.citizen(
        c.citizen_ref,
        {k: v for k, v in personal.items() if v}
        or (
            {"items": True}
            if not erased and any(i.medication or i.service for i in c.items)
            else {}
        ),
    )
    items = [
        ListItemView(
            item_id=i.item_id,
            kind=i.kind.value,
            times=list(i.times),
            days=list(i.days),
            window_minutes=i.window_minutes,
            vital=i.vital,
            medication=None
            if not shown or i.medication is None
            else ListMedicationView(**msgspec.to_builtins(i.medication)),
            # The help is the record's one-line summary, shown like the record (API.md).
            service=i.service,
        )
        for i in c.items
    ]
    return ListCitizenView(
        citizen_ref=c.citizen_ref,
        items=items,
        citizen_name=shown.get("name"),
        cpr=shown.get("cpr"),
        vital_needs=shown.get("vital_needs"),
        erased=erased,
    )
