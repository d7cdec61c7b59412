"""Runderne: during an outage, minute by minute, what is due, what is overdue and what was given."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import FromPath, Parameter

from domain.occurrences import Occurrence
from service.api.guards import principal_of, require_unit
from service.api.list_schemas import OccurrenceView, RoundsView
from service.api.problems import ApiProblem, FieldBeyondRange, InvalidField
from service.api.reading import Purpose, pool_of
from service.api.schemas import SLUG_PATTERN, Counts
from service.disclosure import Disclosure, Reader
from service.rounds import RoundsService

# No outage this log records lies past 2100; `at` beyond it is a mistake (and past 9999 the
# rounds' look ahead would not fit in a datetime).
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


class RoundsController(Controller):
    """Runden: a unit's occurrences during an incident, vital overdue first."""

    path = "/v1"
    tags = ["rounds"]

    @get("/incidents/{incident_id:uuid}/rounds", operation_id="getRounds")
    async def rounds(
        self,
        request: Request[Any, Any, Any],
        incident_id: FromPath[UUID],
        unit: Annotated[str, Parameter(pattern=SLUG_PATTERN, max_length=100)],
        at: Annotated[
            datetime | None, Parameter(required=False, description="the moment (default now)")
        ] = None,
        purpose: Purpose = None,
    ) -> RoundsView:
        """The unit's rounds during the incident; citizens' names and what a medication is
        only with a `purpose` the key's role may have (else a medication shows as its kind),
        each citizen shown written to the access log."""
        principal = principal_of(request)
        service: RoundsService = request.app.state.rounds
        disclosure = Disclosure(
            Reader.of(principal, purpose),
            service.streams.codec,
            "GET /v1/incidents/{incident_id}/rounds",
        )
        if at is not None and at.tzinfo is None:
            raise InvalidField("at", "needs an offset")
        if at is not None and at > LATEST:  # the rounds look ahead of it: past 9999, a 500
            raise FieldBeyondRange("at", "lies after 2100; give a moment of the outage")
        incident, records = await service.incident(incident_id)
        if unit not in incident.affected_units:
            raise ApiProblem(
                422,
                "unit-not-affected",
                f"unit {unit!r} is not one of the incident's affected units",
            )
        require_unit(principal, unit)
        now = datetime.now(UTC)
        moment = at or now
        found = await service.for_unit(
            incident, records, unit, moment, happened_by=moment if moment < now else None
        )
        if found is None:
            raise ApiProblem(404, "no-emergency-list", f"unit {unit!r} keeps no emergency list")
        names = {
            c.citizen_ref: c.citizen.name
            for c in found.current.version.citizens
            if c.citizen is not None and c.citizen.name
        }
        lines = [_line(o, names, disclosure) for o in found.rounds.occurrences]
        await disclosure.release(pool_of(request))  # before anything leaves
        r = found.rounds
        return RoundsView(
            incident_id=incident_id,
            unit=unit,
            at=moment.astimezone(UTC),
            list_version=r.list_version,
            counts=Counts(**r.counts.__dict__),
            occurrences=lines,
        )


def _line(o: Occurrence, names: dict[str, str], disclosure: Disclosure) -> OccurrenceView:
    shown = disclosure.citizen(o.citizen_ref, {"name": names.get(o.citizen_ref), "what": o.what})
    return OccurrenceView(
        occurrence_id=o.occurrence_id,
        citizen_ref=o.citizen_ref,
        item_id=o.item_id,
        kind=o.kind.value,
        summary=o.summary if shown or not o.summary_is_personal else o.kind.value,
        vital=o.vital,
        due_at=o.due_at.astimezone(UTC),
        due_from=o.due_from.astimezone(UTC),
        due_until=o.due_until.astimezone(UTC),
        status=o.status.value,
        record_id=o.record_id,
        citizen_name=shown.get("name"),
    )
