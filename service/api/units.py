"""Unit readiness: each refresh of a botilbud's printed medication list."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter

from domain.plan import Plan
from domain.readiness import UnitReadiness
from service import reads
from service.api.guards import may_act_for, principal_of, require_unit
from service.api.reading import AfterPosition, ModeQuery, caught_up, pool_of
from service.api.record_schemas import MedicationListPrintIn
from service.api.schemas import SLUG_PATTERN, ReadinessView, Receipt
from service.api.steps import person
from service.api.writes import IdempotencyKey, answer_write
from service.events import Receipt as StoreReceipt
from service.projections import READINESS
from service.streams import WriteContext
from service.units import UnitService
from service.views import readiness_view


class UnitController(Controller):
    """Enheder: a botilbud keeps an updated printed medication list."""

    path = "/v1"
    tags = ["readiness"]

    @get("/readiness", operation_id="getReadiness")
    async def readiness(
        self,
        request: Request[Any, Any, Any],
        plan_in_force: NamedDependency[Plan],
        mode: ModeQuery = "actual",
        after_position: AfterPosition = 0,
    ) -> list[ReadinessView]:
        """Each unit's printed medication list and its emergency list in nedbrud, their ages,
        and whether each is older than the plan's limit (a unit with no list says so)."""
        await caught_up(request, READINESS.name, after_position)
        limit = plan_in_force.file.readiness.max_list_age_days
        now = datetime.now(UTC)
        printed = {u.unit: u for u in await reads.readiness(pool_of(request), mode=mode)}
        lists = await request.app.state.lists.heads() if mode == "actual" else {}
        principal = principal_of(request)
        names = sorted(set(printed) | set(lists) | set(principal.units or ()))
        return [
            readiness_view(printed.get(u) or UnitReadiness(unit=u), now, limit, lists.get(u))
            for u in names
            if may_act_for(principal, u)
        ]

    @post(
        "/units/{unit:str}/medication-list-prints",
        operation_id="recordMedicationListPrint",
        status_code=201,
    )
    async def print_list(
        self,
        request: Request[Any, Any, Any],
        unit: Annotated[str, Parameter(pattern=SLUG_PATTERN, max_length=100)],
        data: JSONBody[MedicationListPrintIn],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Receipt]:
        """The unit's medication list was printed and placed at the unit."""
        return await record_list_print(request, unit, data, idempotency_key)


async def record_list_print(
    request: Request[Any, Any, Any],
    unit: str,
    data: MedicationListPrintIn,
    idempotency_key: str | None,
) -> Response[Any]:
    """recordMedicationListPrint, for the REST endpoint and for CloudEvents alike."""
    require_unit(principal_of(request), unit)
    unit_service: UnitService = request.app.state.units
    by = person(data.by)

    async def perform(ctx: WriteContext) -> StoreReceipt:
        return await unit_service.print_medication_list(
            unit, data.list_as_of, by, data.printed_at, ctx
        )

    times = {"printed_at": data.printed_at, "list_as_of": data.list_as_of}
    return await answer_write(request, data, idempotency_key, perform, mode=data.mode, times=times)
