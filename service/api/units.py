"""Unit readiness: each refresh of a botilbud's printed medication list."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter

from domain.plan import Plan
from domain.readiness import UnitReadiness
from service.api.guards import may_act_for, principal_of
from service.api.reading import AfterPosition, ModeQuery, caught_up, pool_of
from service.api.record_schemas import MedicationListPrintIn
from service.api.schemas import SLUG_PATTERN, ReadinessView, Receipt
from service.api.steps import person
from service.api.views import readiness_view
from service.api.writes import IdempotencyKey, context_of, respond
from service.read import reads
from service.read.projections import READINESS
from service.write import commands
from service.write.emergency_lists import EmergencyListService
from service.write.use_cases import UseCases


class UnitController(Controller):
    """Enheder: a botilbud keeps an updated printed medication list."""

    path = "/v1"
    tags = ["readiness"]

    @get("/readiness", operation_id="getReadiness")
    async def readiness(
        self,
        request: Request[Any, Any, Any],
        plan_in_force: NamedDependency[Plan],
        list_service: NamedDependency[EmergencyListService],
        mode: ModeQuery = "actual",
        after_position: AfterPosition = 0,
    ) -> list[ReadinessView]:
        """Each unit's printed medication list and its emergency list in nedbrud, their ages,
        and whether each is older than the plan's limit (a unit with no list says so)."""
        await caught_up(request, READINESS.name, after_position)
        limit = plan_in_force.file.readiness.max_list_age_days
        now = datetime.now(UTC)
        printed = {u.unit: u for u in await reads.readiness(pool_of(request), mode=mode)}
        lists = await list_service.heads() if mode == "actual" else {}
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
        use_cases: NamedDependency[UseCases],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Receipt]:
        """The unit's medication list was printed and placed at the unit."""
        ctx = context_of(request, idempotency_key, data)
        return respond(await use_cases.record_list_print(print_command(unit, data), ctx))


def print_command(unit: str, data: MedicationListPrintIn) -> commands.PrintMedicationList:
    """recordMedicationListPrint's body as the write side's command."""
    return commands.PrintMedicationList(
        unit, data.list_as_of, person(data.by), data.printed_at, data.mode
    )
