"""Rapporter: an outage's evaluation, the figures across outages, and the situation report."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, Parameter, QueryParameter

from domain.plan import Plan
from domain.report import IncidentReport
from domain.report_summary import ReportSummary
from service.access.disclosure import Reader
from service.api.contacts import contact_answer
from service.api.guards import principal_of
from service.api.problems import ApiProblem
from service.api.reading import (
    MAX_POSITION,
    AfterPosition,
    ModeQuery,
    QueryTime,
    caught_up,
    pool_of,
    query_time,
)
from service.api.report_pdf import incident_pdf, situation_pdf
from service.api.report_schemas import SituationReport
from service.api.rounds_watch import RoundsWatch
from service.api.schemas import FieldError
from service.api.views import IncidentViews
from service.read import reads
from service.read.projections import SITUATION
from service.read.reports import ReportService

PDF = "application/pdf"
Format = FromQuery[Literal["json", "pdf"] | None]
SincePosition = Annotated[
    int,
    Parameter(
        ge=0,
        le=MAX_POSITION,
        required=False,
        description="the position of the situation report sent before (its `position`): the "
        "changes after it are listed (0: since the start of the log)",
    ),
]

FromTime = Annotated[
    str | None,
    QueryParameter(
        name="from",
        required=False,
        schema_extra={"format": "date-time"},
        description="outages detected at or after this time (RFC 3339 with an offset)",
    ),
]


def wants_pdf(request: Request[Any, Any, Any], format: str | None) -> bool:
    return format == "pdf" or (format is None and PDF in request.headers.get("accept", ""))


def pdf_answer(body: bytes, filename: str) -> Response[Any]:
    return Response(
        body,
        media_type=PDF,
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


class ReportController(Controller):
    """Evaluering and situationsrapport, as JSON or PDF."""

    path = "/v1"
    tags = ["reports"]

    @get("/incidents/{incident_id:uuid}/report", operation_id="getIncidentReport")
    async def incident(
        self,
        request: Request[Any, Any, Any],
        incident_id: FromPath[UUID],
        plan_in_force: NamedDependency[Plan],
        report_service: NamedDependency[ReportService],
        format: Format = None,
    ) -> Response[IncidentReport]:
        """The outage's evaluation: each line of the plan with when it was done (minutes after
        the detection, by whom, late against its target), each system down from-to, paper
        records by unit and hour, the back-entry burn-down and the rounds per unit;
        `Accept: application/pdf` (or `format=pdf`) for the PDF with charts. A key for some
        units sees the paper and rounds of its units only; no names, never sealed data."""
        now = datetime.now(UTC)
        report = await report_service.incident(incident_id, Reader.of(principal_of(request)), now)
        if wants_pdf(request, format):
            body = await asyncio.to_thread(incident_pdf, report, plan_in_force, now)
            return pdf_answer(body, f"evaluering-{incident_id}.pdf")
        return Response(report)

    @get("/reports/summary", operation_id="getReportSummary")
    async def summary(
        self,
        request: Request[Any, Any, Any],
        report_service: NamedDependency[ReportService],
        from_: FromTime = None,
        to: QueryTime = None,
        mode: ModeQuery = "actual",
    ) -> ReportSummary:
        """The same figures across the outages detected in [`from`, `to`): per plan line the
        median and the worst minutes and how often late, the systems' down-times, the back-entry
        and the vital occurrences missed; drills (`mode=exercise`) apart from real outages."""
        since, until = query_time("from", from_), query_time("to", to)
        if since is not None and until is not None and until <= since:
            refusal = ApiProblem(422, "period-reversed", "to must be later than from")
            refusal.errors = [FieldError(field="to", message="must be later than from")]
            raise refusal
        reader = Reader.of(principal_of(request))
        return await report_service.summary(reader, mode, since, until, datetime.now(UTC))

    @get("/situation/report", operation_id="getSituationReport")
    async def situation(
        self,
        request: Request[Any, Any, Any],
        plan_in_force: NamedDependency[Plan],
        report_service: NamedDependency[ReportService],
        incident_views: NamedDependency[IncidentViews],
        rounds_watch: NamedDependency[RoundsWatch],
        since_position: SincePosition = 0,
        mode: ModeQuery = "actual",
        format: Format = None,
        after_position: AfterPosition = 0,
    ) -> Response[SituationReport]:
        """The situation picture (open incidents) and what changed since `since_position`
        (opened, closed, systems restored, escalations, statuses and counts that moved): the
        situation report a crisis staff sends. `Accept: application/pdf` for the PDF."""
        if after_position:  # read your own write: wait until the picture has it
            await caught_up(request, SITUATION.name, after_position)
        position, states = await reads.situation_as_of(pool_of(request), mode=mode, which="all")
        watch = rounds_watch
        every = [incident_views.view(state) for state in states]
        since = min(since_position, position)
        found = await report_service.changes_since(since, position, mode)
        now = datetime.now(UTC)
        report = SituationReport(
            generated_at=now,
            position=position,
            since_position=since,
            contact_now=contact_answer(now, plan_in_force),
            incidents=await watch.with_rounds([v for v in every if v.status != "closed"]),
            changes=found,
        )
        if wants_pdf(request, format):
            body = await asyncio.to_thread(situation_pdf, report, plan_in_force)
            return pdf_answer(body, f"situationsrapport-{position}.pdf")
        return Response(report)
