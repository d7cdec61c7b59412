"""Unit readiness: each refresh of a botilbud's printed medication list."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter

from service.api.incidents import WRITERS
from service.api.record_schemas import MedicationListPrintIn
from service.api.schemas import SLUG_PATTERN, Receipt
from service.api.steps import person
from service.api.writes import IdempotencyKey, answer_write
from service.events import Receipt as StoreReceipt
from service.streams import WriteContext
from service.units import UnitService


class UnitController(Controller):
    """Enheder: a botilbud keeps an updated printed medication list."""

    path = "/v1/units"
    tags = ["readiness"]

    @post(
        "/{unit:str}/medication-list-prints",
        operation_id="recordMedicationListPrint",
        status_code=201,
        opt={"roles": WRITERS},
    )
    async def print_list(
        self,
        request: Request[Any, Any, Any],
        unit: Annotated[str, Parameter(pattern=SLUG_PATTERN, max_length=100)],
        data: JSONBody[MedicationListPrintIn],
        unit_service: NamedDependency[UnitService],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[Receipt]:
        """The unit's medication list was printed and placed at the unit."""
        by = person(data.by)

        async def perform(ctx: WriteContext) -> StoreReceipt:
            return await unit_service.print_medication_list(
                unit, data.list_as_of, by, data.printed_at, ctx
            )

        times = {"printed_at": data.printed_at, "list_as_of": data.list_as_of}
        return await answer_write(
            request, data, idempotency_key, perform, mode=data.mode, times=times
        )
