"""Runderne: during an outage, minute by minute, what is due, what is overdue and what was given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, MediaType, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter
from msgspec import Struct

from domain.occurrences import Occurrence
from service.access.disclosure import Disclosure, Reader
from service.api.guards import principal_of, require_unit
from service.api.list_schemas import OccurrenceView, RoundsView
from service.api.problems import ApiProblem, FieldBeyondRange
from service.api.reading import Purpose, QueryTime, pool_of, query_time
from service.api.schemas import SLUG_PATTERN, Counts, Instant
from service.write.rounds import RoundsService, UnitRounds

# The rounds are worked out from the outage's detection until `at` and 12 hours past it: an `at`
# far ahead would have every occurrence of years expanded in the one event loop (2050: 7 s and
# 42 MB for a list of two citizens, while every other request waited). A day ahead is as far as
# anyone plans a round; before 2000 no outage was logged here (and before year 1 a time with an
# offset does not fit in a datetime).
AHEAD = timedelta(days=1)
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


class RoundsController(Controller):
    """Runden: a unit's occurrences during an incident, vital overdue first."""

    path = "/v1"
    tags = ["rounds"]

    @get("/incidents/{incident_id:uuid}/rounds", operation_id="getRounds")
    async def rounds(
        self,
        request: Request[Any, Any, Any],
        incident_id: FromPath[UUID],
        rounds_service: NamedDependency[RoundsService],
        unit: Annotated[str, Parameter(pattern=SLUG_PATTERN, max_length=100)],
        at: QueryTime = None,
        purpose: Purpose = None,
    ) -> Response[RoundsView]:
        """The unit's rounds during the incident; citizens' names and what a medication is
        only with a `purpose` the key's role may have (else a medication shows as its kind),
        each citizen shown written to the access log."""
        principal = principal_of(request)
        service = rounds_service
        disclosure = Disclosure(
            Reader.of(principal, purpose),
            service.streams.codec,
            "GET /v1/incidents/{incident_id}/rounds",
        )
        moment_asked = query_time("at", at)
        now = datetime.now(UTC)
        if moment_asked is not None and moment_asked > now + AHEAD:
            raise FieldBeyondRange("at", "lies more than a day ahead; give a moment of the outage")
        if moment_asked is not None and moment_asked < EARLIEST:
            raise FieldBeyondRange("at", "lies before 2000; give a moment of the outage")
        # The incident, its records, the unit's list and their keys asked for at once.
        incident, records, stored, present = await service.read(incident_id, unit)
        if unit not in incident.affected_units:
            raise ApiProblem(
                422,
                "unit-not-affected",
                f"unit {unit!r} is not one of the incident's affected units",
            )
        require_unit(principal, unit)
        if stored is None:
            raise ApiProblem(404, "no-emergency-list", f"unit {unit!r} keeps no emergency list")
        moment = moment_asked or now
        found = await service.for_list(
            incident,
            records,
            stored,
            unit,
            moment,
            happened_by=moment if moment < now else None,
            present=present,
        )
        lines = _lines(found, disclosure)
        await disclosure.release(pool_of(request))  # before anything leaves
        r = found.rounds
        answer = _Answer(
            incident_id=incident_id,
            unit=unit,
            at=moment.astimezone(UTC),
            list_version=r.list_version,
            counts=Counts(**r.counts.__dict__),
            occurrences=lines,
        )
        return Response(msgspec.json.encode(answer), media_type=MediaType.JSON)  # type: ignore[arg-type]


class _Answer(Struct):
    """A `RoundsView` as sent, its lines already encoded."""

    incident_id: UUID
    unit: str
    at: Instant
    list_version: int
    counts: Counts
    occurrences: msgspec.Raw


@dataclass(frozen=True)
class _Encoded:
    occurrences: tuple[Occurrence, ...]  # held, so that they are the ones compared with
    lines: msgspec.Raw
    names: dict[str, str | None]  # each citizen on a line, and the name the lines show


def _lines(found: UnitRounds, disclosure: Disclosure) -> msgspec.Raw:
    """The round's lines as this reader may see them, encoded once for as long as every
    occurrence stands as it did: the rounds give the same occurrence (the same object) until
    its status changes, and the kept work, with what was encoded from it, is made anew when a
    record, the list or a citizen's key changes. Whom the lines show is told to the disclosure
    on every read, so every read with a purpose is written to the access log."""
    occurrences = found.rounds.occurrences
    encoded: _Encoded | None = found.memo.get(("lines", disclosure.unseals))
    if (
        encoded is not None
        and len(encoded.occurrences) == len(occurrences)
        and all(a is b for a, b in zip(encoded.occurrences, occurrences, strict=True))
    ):
        for citizen_ref, name in encoded.names.items():
            disclosure.citizen(citizen_ref, {"name": name})
        return encoded.lines
    names = {
        c.citizen_ref: c.citizen.name
        for c in found.current.version.citizens
        if c.citizen is not None and c.citizen.name
    }
    lines = [_line(o, names, disclosure) for o in occurrences]
    shown = {o.citizen_ref: names.get(o.citizen_ref) for o in occurrences}
    encoded = _Encoded(occurrences, msgspec.Raw(msgspec.json.encode(lines)), shown)
    found.memo[("lines", disclosure.unseals)] = encoded
    return encoded.lines


def _line(o: Occurrence, names: dict[str, str], disclosure: Disclosure) -> OccurrenceView:
    shown = disclosure.citizen(o.citizen_ref, {"name": names.get(o.citizen_ref), "what": o.what})
    return OccurrenceView(
        occurrence_id=o.occurrence_id,
        citizen_ref=o.citizen_ref,
        item_id=o.item_id,
        kind=o.kind.value,
        # An erased citizen's medication is gone (""): the kind, as a reader without a purpose sees.
        summary=o.summary if o.summary and (shown or not o.summary_is_personal) else o.kind.value,
        vital=o.vital,
        due_at=o.due_at.astimezone(UTC),
        due_from=o.due_from.astimezone(UTC),
        due_until=o.due_until.astimezone(UTC),
        status=o.status.value,
        record_id=o.record_id,
        citizen_name=shown.get("name"),
    )
