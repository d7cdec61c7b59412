"""Paper records as the carers write them during the outage at botilbud Solsikken, as the
commands the use cases take: the rounds' choice of occurrence for a dose given is the use
case's own (`UseCases.record_dispensing`)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.manual_record import CareStatus, Medication
from service.write import commands as c
from tests.domain.nodliste import AASE, INSULIN, UNIT
from tests.domain.people import ANNE, THU_14_35


def dose(
    incident_id: UUID,
    at: datetime,
    name: str = INSULIN,
    citizen_ref: str = AASE,
    **fields: object,
) -> c.DispenseMedication:
    """A dose given (Aase's insulin, unless named) and written on paper."""
    return c.DispenseMedication(
        incident_id=incident_id,
        unit=UNIT,
        citizen=c.NamedCitizen(
            ref=citizen_ref, name="Aase Testesen" if citizen_ref == AASE else None
        ),
        medication=Medication(name, "8 IE", None, "subkutant"),
        by=ANNE,
        dispensed_at=at,
        **fields,  # type: ignore[arg-type]
    )


def morning_help(
    incident_id: UUID, at: datetime = THU_14_35, mode: str | None = None
) -> c.DeliverCare:
    """Aase's visit, delivered on paper."""
    return c.DeliverCare(
        incident_id=incident_id,
        unit=UNIT,
        citizen=c.NamedCitizen(ref=AASE, name="Aase Testesen"),
        service="Morgenhjælp",
        status=CareStatus.DELIVERED,
        by=ANNE,
        occurred_at=at,
        note="Hjælp givet efter papirlisten",
        mode=mode,
    )
