"""Paper (API.md Part 2): the action cards and contact schedule, and a unit's paper kit, as PDF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlencode
from uuid import UUID, uuid4

import msgspec
from litestar import Controller, Request, Response, get
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import Parameter

from domain.base import Person
from domain.incident import Incident
from domain.list_items import ItemKind, ListCitizen
from domain.occurrences import Occurrence, expand
from domain.plan import Plan
from service.access.disclosure import Disclosure, Reader
from service.api.guards import principal_of, require_unit
from service.api.problems import ApiProblem
from service.api.reading import Purpose, pool_of
from service.api.schemas import SLUG_PATTERN
from service.log.streams import Streams, WriteContext
from service.read.paper_kit import Kit, KitCitizen, KitLine, paper_kit_pdf
from service.read.paper_plan import action_cards_html, action_cards_pdf
from service.read.printing import printed
from service.write.emergency_lists import CurrentList, EmergencyListService
from service.write.units import UnitService

PDF = "application/pdf"
ENDPOINT = "GET /v1/units/{unit}/paper-kit"
# The list by time of day covers the next day from printing (or from the outage's detection).
KIT_SPAN = timedelta(hours=24)
# 500 citizens with ten things a day each; 5,000 items at 48 times a day would be 240,000 lines,
# minutes in the printer process while every unit's kit waits.
MAX_KIT_LINES = 10_000
UnitPath = Annotated[str, Parameter(pattern=SLUG_PATTERN, max_length=100)]
# A kit printed with a purpose says where its medication-list-printed event is in the log.
PRINT_POSITION = "Nedbrud-Position"


class PaperController(Controller):
    """Papir: what to print before the screens go dark, and while they are."""

    path = "/v1"
    tags = ["paper"]

    @get("/plan/action-cards", operation_id="getActionCards", media_type=PDF)
    async def action_cards(
        self,
        plan_in_force: NamedDependency[Plan],
        format: Annotated[
            Literal["pdf", "html"] | None,
            Parameter(required=False, description="html: the same as a plain HTML page"),
        ] = None,
    ) -> Response[bytes]:
        """One action card per role of the plan, made from its lines, and the whole contact
        schedule: every day's hours per channel, the fallback and the holiday rule."""
        if format == "html":
            body = action_cards_html(plan_in_force).encode()
            return Response(body, media_type="text/html; charset=utf-8")
        body = await cards_printed_now(plan_in_force)
        return Response(body, media_type=PDF)

    @get(
        "/units/{unit:str}/paper-kit",
        operation_id="getPaperKit",
        media_type=PDF,
        response_headers=[
            ResponseHeader(
                name=PRINT_POSITION,
                required=False,
                documentation_only=True,
                description="with a purpose: the log position of the print it recorded"
                " (for ?after_position= on GET /v1/readiness)",
            )
        ],
    )
    async def paper_kit(
        self,
        request: Request[Any, Any, Any],
        plan_in_force: NamedDependency[Plan],
        list_service: NamedDependency[EmergencyListService],
        unit_service: NamedDependency[UnitService],
        unit: UnitPath,
        incident: Annotated[
            UUID | None,
            Parameter(required=False, description="the outage: a QR code per occurrence"),
        ] = None,
        purpose: Purpose = None,
        by: Annotated[
            str | None,
            Parameter(required=False, max_length=200, description="who prints (employee id)"),
        ] = None,
    ) -> Response[bytes]:
        """The unit's paper kit: the contact schedule, the action cards, the emergency list by
        time of day with a box and (for an outage) a QR code per occurrence, and blank
        registration sheets. Names and CPR only with a `purpose`, each citizen written to the
        access log; printed with a purpose, it records `medication-list-printed`."""
        principal = principal_of(request)
        lists = list_service
        disclosure = Disclosure(Reader.of(principal, purpose), lists.streams.codec, ENDPOINT)
        require_unit(principal, unit)
        now = datetime.now(UTC)
        outage = await _outage(lists.streams, incident, unit)
        found = await lists.current(unit)
        if found is None:
            raise ApiProblem(404, "no-emergency-list", f"unit {unit!r} keeps no emergency list")
        start = max(now, outage[0].detected_at) if outage else now
        base = request.app.state.public_url or str(request.base_url).rstrip("/")
        kit = _kit(plan_in_force, found, outage, disclosure, start, base)
        if len(kit.lines) > MAX_KIT_LINES:  # before the one printer process is held for minutes
            raise ApiProblem(
                422,
                "paper-kit-too-large",
                f"the list gives {len(kit.lines)} lines in {KIT_SPAN.total_seconds() / 3600:.0f}"
                f" hours; a kit prints at most {MAX_KIT_LINES}",
            )
        printed_at = now.astimezone(plan_in_force.tz)
        body = await printed(paper_kit_pdf, plan_in_force, kit, printed_at)
        await disclosure.release(pool_of(request))  # before anything leaves
        headers = {"Content-Disposition": _attachment(unit)}
        if purpose is not None:
            ctx = WriteContext(uuid4(), principal.scope, mode=outage[1] if outage else None)
            who = Person(id=by or f"key:{principal.key_id}", role=str(principal.role))
            receipt = await unit_service.print_medication_list(
                unit, found.version.list_as_of, who, now, ctx
            )
            headers[PRINT_POSITION] = str(receipt.position)  # read it back: ?after_position=
        return Response(body, media_type=PDF, headers=headers)


# The cards say only the plan and the minute they were printed: each minute's are made once.
_CARDS: dict[datetime, tuple[Plan, bytes]] = {}


async def cards_printed_now(plan: Plan) -> bytes:
    now = datetime.now(UTC).astimezone(plan.tz).replace(second=0, microsecond=0)
    kept = _CARDS.get(now)
    if kept is None or kept[0] is not plan:
        made = await printed(action_cards_pdf, plan, now)
        _CARDS.clear()
        kept = _CARDS[now] = (plan, made)
    return kept[1]


def _attachment(unit: str) -> str:
    return f'attachment; filename="noedpakke-{unit}.pdf"'


async def _outage(
    streams: Streams, incident_id: UUID | None, unit: str
) -> tuple[Incident, str] | None:
    if incident_id is None:
        return None
    found = await streams.current(incident_id, Incident)
    if unit not in found.affected_units:
        raise ApiProblem(
            422, "unit-not-affected", f"unit {unit!r} is not one of the incident's affected units"
        )
    return found, (await streams.head(incident_id, Incident)).mode


def _kit(
    plan: Plan,
    found: CurrentList,
    outage: tuple[Incident, str] | None,
    disclosure: Disclosure,
    start: datetime,
    base: str,
) -> Kit:
    v = found.version
    erased = found.event.erased_subjects | (
        {c.citizen_ref for c in v.citizens} if found.event.erased else set()
    )
    citizens = tuple(_citizen(c, c.citizen_ref in erased, disclosure) for c in v.citizens)
    shown = disclosure.shown
    order = {c.citizen_ref: i for i, c in enumerate(v.citizens)}
    occurrences = sorted(
        expand(v, start, start + KIT_SPAN, plan.tz),
        key=lambda o: (o.due_at, not o.vital, order[o.citizen_ref], o.item_id),
    )
    incident = outage[0] if outage else None
    lines = tuple(_line(o, o.citizen_ref in shown, v.unit, incident, base) for o in occurrences)
    return Kit(
        unit=v.unit,
        unit_name=_unit_name(plan, v.unit),
        incident_id=incident.id if incident else None,
        incident_title=incident.title if incident else None,
        list_version=v.list_version,
        list_as_of=v.list_as_of,
        citizens=citizens,
        lines=lines,
    )


def _unit_name(plan: Plan, unit: str) -> str:
    return next((u.name for u in plan.file.catalogue.units if u.slug == unit), unit)


def _citizen(c: ListCitizen, erased: bool, disclosure: Disclosure) -> KitCitizen:
    identity = msgspec.to_builtins(c.citizen) if c.citizen is not None and not erased else {}
    personal = {k: v for k, v in {**identity, "vital_needs": c.vital_needs}.items() if v}
    kinds = {i.kind for i in c.items}
    if not personal and not erased and ItemKind.MEDICATION in kinds:
        personal = {"items": True}  # what the medication is: personal too (the list's rule)
    shown = disclosure.citizen(c.citizen_ref, personal)
    return KitCitizen(
        citizen_ref=c.citizen_ref,
        name=shown.get("name"),
        cpr=shown.get("cpr"),
        vital_needs=shown.get("vital_needs"),
        has_medication=ItemKind.MEDICATION in kinds,
        has_care=ItemKind.CARE in kinds or not kinds,
    )


def _line(o: Occurrence, shown: bool, unit: str, incident: Incident | None, base: str) -> KitLine:
    what = (
        o.summary
        if shown or not o.summary_is_personal
        else "Medicin (navn og dosis kun med formål)"
    )
    url = None
    if incident is not None:
        query = urlencode({"unit": unit, "incident": incident.id, "occurrence": o.occurrence_id})
        url = f"{base}/dashboard/#/runde?{query}"
    return KitLine(
        occurrence_id=o.occurrence_id,
        citizen_ref=o.citizen_ref,
        due_at=o.due_at,
        due_from=o.due_from,
        due_until=o.due_until,
        what=what,
        vital=o.vital,
        url=url,
    )
