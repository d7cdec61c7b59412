"""Efterregistrering for journal systems: the back-entry worklist as a FHIR R4 Bundle."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, Parameter
from msgspec import Struct

from service.access.disclosure import Disclosure, Reader
from service.api.guards import principal_of, require_unit
from service.api.reading import AfterPosition, ModeQuery, caught_up, pool_of
from service.api.schemas import SLUG_PATTERN, Instant
from service.api.worklist import Limit, Offset, worklist_page
from service.read.fhir import FHIR_JSON, bundle, resource
from service.read.projections import BACK_ENTRY
from service.write.incidents import IncidentService


class FhirBundleEntry(Struct):
    """One resource of the bundle, named by its urn:uuid."""

    fullUrl: str
    resource: dict[str, Any]


class FhirBundle(Struct):
    """A FHIR R4 Bundle of type collection (hl7.org/fhir/R4/bundle.html): a
    MedicationAdministration per medication record and a Procedure per care record."""

    resourceType: Literal["Bundle"]
    type: Literal["collection"]
    timestamp: Instant
    entry: list[FhirBundleEntry]


class FhirController(Controller):
    """The paper records as FHIR resources, for a journal system to take instead of re-typing."""

    path = "/v1/back-entry"
    tags = ["back-entry"]

    @get("/fhir", operation_id="getBackEntryFhir", media_type=FHIR_JSON)
    async def fhir(
        self,
        request: Request[Any, Any, Any],
        incidents: NamedDependency[IncidentService],
        purpose: Annotated[
            Literal["back-entry"],
            Parameter(description="the records carry CPR numbers and names: only for back-entry"),
        ],
        incident: FromQuery[UUID | None] = None,
        unit: Annotated[str | None, Parameter(pattern=SLUG_PATTERN, required=False)] = None,
        status: FromQuery[Literal["pending", "entered", "voided"] | None] = None,
        mode: ModeQuery = "actual",
        limit: Limit = 100,
        offset: Offset = 0,
        after_position: AfterPosition = 0,
    ) -> Response[dict[str, Any]]:
        """A FHIR R4 Bundle (collection): a MedicationAdministration per medication record and a
        Procedure per care record, the citizen by CPR number; the total is in X-Total-Count."""
        await caught_up(request, BACK_ENTRY.name, after_position)
        disclosure = Disclosure(
            Reader.of(principal_of(request), purpose), incidents.codec, "GET /v1/back-entry/fhir"
        )
        if unit is not None:
            require_unit(principal_of(request), unit)
        total, page = await worklist_page(
            request,
            incidents,
            disclosure,
            mode=mode,
            incident=incident,
            unit=unit,
            status=status,
            citizen_ref=None,
            limit=limit,
            offset=offset,
        )
        body = bundle([resource(*entry) for entry in page], datetime.now(UTC))
        await disclosure.release(pool_of(request))  # if it cannot be written, nothing leaves
        return Response(body, media_type=FHIR_JSON, headers={"X-Total-Count": str(total)})
