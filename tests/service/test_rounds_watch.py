"""The rounds watch gives the picture its rounds counts, and the picture never fails because of
them: an incident whose sealed data this instance cannot open is left without counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import asyncpg
import msgspec
import pytest

from domain.base import Person
from domain.incident import DetectedVia, Incident
from service.api.rounds_watch import RoundsWatch
from service.api.views import IncidentViews
from service.log.codec import Codec
from service.log.store import EventStore
from service.log.streams import Streams, WriteContext
from service.log.vault import Vault
from service.runtime.plan_file import read_plan
from service.write.emergency_lists import EmergencyListService
from service.write.incidents import IncidentService
from service.write.rounds import RoundsService
from tests.apps import SEALING_KEY
from tests.domain.nodliste import CITIZENS

pytestmark = pytest.mark.anyio
ANNE = Person(id="emp-1042", name="Anne Testesen")


def watch_with(pool: asyncpg.Pool, sealing: bytes) -> tuple[RoundsWatch, Streams]:
    plan = read_plan()
    streams = Streams(EventStore(pool), Codec(), Vault(pool, sealing))
    lists = EmergencyListService(streams)
    return RoundsWatch(
        pool, RoundsService(streams, lists, plan), lists, IncidentViews(plan), 0
    ), streams


async def test_an_incident_whose_sealed_data_cannot_be_opened_has_no_counts_and_no_error(
    pool: asyncpg.Pool,
) -> None:
    unit, now = f"botilbud-{uuid4().hex[:8]}", datetime.now(UTC)
    ours, streams = watch_with(pool, SEALING_KEY)
    tag = uuid4().hex[:8]
    citizens = tuple(
        msgspec.structs.replace(c, citizen_ref=f"{c.citizen_ref}-{tag}") for c in CITIZENS[:2]
    )
    await ours.lists.keep(
        unit, now - timedelta(days=1), citizens, ANNE, now, WriteContext(uuid4(), "t")
    )
    incident = Incident(
        id=uuid4(), title="Nexus nede", description=None, detected_via=DetectedVia.EMPLOYEE,
        reported_by=ANNE, affected_systems=("nexus",), affected_units=(unit,),
        occurred_at=now - timedelta(hours=1),
    )  # fmt: skip
    await IncidentService(streams, read_plan()).declare(incident, WriteContext(uuid4(), "t"))
    listed = await ours.listed_units()
    counts = await ours.counts(incident.id, [unit], listed)
    assert sum(msgspec.structs.asdict(counts[unit]).values()) > 0
    other, _ = watch_with(pool, b"another-instance-sealing-key-01")
    assert await other.counts(incident.id, [unit], listed) == {}
