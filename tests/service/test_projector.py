"""The projector on PostgreSQL: a rebuild equals the live projection row for row, and a projector
whose connection dies mid-batch resumes without skipping or double-applying a fact."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from domain.base import Person
from domain.incident import DetectedVia, Incident
from domain.manual_record import CareStatus, ManualRecord
from service.log.codec import Codec
from service.log.store import EventStore
from service.log.streams import Streams, WriteContext
from service.log.vault import Vault
from service.read.projections import PROJECTIONS
from service.read.projector import Projector, rebuild
from service.runtime.plan_file import read_plan
from service.write.incidents import IncidentService
from service.write.records import ManualRecordService, record_id_for
from service.write.units import UnitService
from tests.apps import SEALING_KEY

pytestmark = pytest.mark.anyio

ANNE = Person(id="emp-1042", name="Anne Testesen")
START = datetime(2026, 3, 5, 13, 30, tzinfo=UTC)


async def rows(conn: asyncpg.Connection | asyncpg.Pool) -> dict[str, list[dict[str, Any]]]:
    return {
        p.name: [dict(r) for r in await conn.fetch(f"SELECT * FROM {p.table} ORDER BY key")]
        for p in PROJECTIONS.values()
    }


def ctx() -> WriteContext:
    return WriteContext(uuid4(), source="test")


async def mixed_outages(store: EventStore, *, incidents: int, steps: int, seed: int) -> int:
    """Several outages written at once: steps, paper records, journal entries, prints."""
    rng = random.Random(seed)
    streams = Streams(store, Codec(), Vault(store.pool, SEALING_KEY))
    service = IncidentService(streams, read_plan())
    records, units = ManualRecordService(streams), UnitService(streams)
    ids: list[UUID] = []
    papers: list[UUID] = []
    for n in range(incidents):
        incident = Incident(
            id=uuid4(),
            title=f"Nedbrud {n}",
            description=None,
            detected_via=DetectedVia.EMPLOYEE,
            reported_by=ANNE,
            affected_systems=("nexus", "fmk"),
            affected_units=(f"botilbud-{n}",),
            occurred_at=START,
        )
        await service.declare(incident, ctx())
        ids.append(incident.id)
    for i in range(steps):
        at = START + timedelta(minutes=rng.randrange(600))
        await one_write(service, records, units, papers, rng, i, rng.choice(ids), at)
    return await store.head()


async def one_write(
    service: IncidentService,
    records: ManualRecordService,
    units: UnitService,
    papers: list[UUID],
    rng: random.Random,
    i: int,
    incident_id: UUID,
    at: datetime,
) -> None:
    """One write of a random kind: a paper record, a journal entry, a note, a print, a restore."""
    roll = rng.random()
    if roll < 0.35:
        context = ctx()
        await records.record(
            incident_id,
            lambda rid: ManualRecord.deliver_care(
                id=rid,
                incident_id=incident_id,
                unit="botilbud-1",
                citizen_ref="cit_" + "a" * 24,
                citizen=None,
                service="besøg",
                status=CareStatus.DELIVERED,
                note=None,
                by=ANNE,
                occurred_at=at,
            ),
            context,
        )
        papers.append(record_id_for(context.event_id))
    elif roll < 0.55 and papers:
        paper = papers.pop(rng.randrange(len(papers)))
        await records.act(
            paper,
            lambda r: r.mark_entered_in_journal("J", ANNE, START + timedelta(days=1)),
            ctx(),
        )
    elif roll < 0.7:
        await service.act(incident_id, lambda inc: inc.add_note("status", ANNE, at), ctx())
    elif roll < 0.8:
        await units.print_medication_list(
            f"botilbud-{i % 3}", at - timedelta(hours=1), ANNE, at, ctx()
        )
    else:
        system = rng.choice(["nexus", "fmk"])
        incident, _ = await service.load(incident_id)
        if system in incident.systems_down:
            await service.act(incident_id, lambda inc: inc.restore(system, ANNE, at), ctx())


async def test_a_rebuilt_projection_equals_the_live_one_row_for_row(
    fresh_database_url: str,
) -> None:
    pool = await asyncpg.create_pool(fresh_database_url, min_size=1, max_size=4)
    store = EventStore(pool)
    try:
        conn = await asyncpg.connect(fresh_database_url)
        live = [Projector(fresh_database_url, p, batch=7) for p in PROJECTIONS.values()]
        for round_ in range(6):  # the live projectors follow while the outages are written
            await mixed_outages(store, incidents=3, steps=60, seed=round_)
            for projector in live:
                while await projector.step(conn):
                    pass
        before = await rows(conn)
        assert sum(len(r) for r in before.values()) > 20
        head = await store.head()
        for projection in PROJECTIONS.values():
            result = await rebuild(fresh_database_url, projection)
            assert result.facts == head
        assert await rows(conn) == before
        # Rows written out of memory mid-rebuild and touched again later fold the same.
        for projection in PROJECTIONS.values():
            await rebuild(fresh_database_url, projection, batch=7, keep=3)
        assert await rows(conn) == before
        await conn.close()
    finally:
        await store.close()
        await pool.close()


SHAPE = """
SELECT 'index' AS what, indexname AS name, indexdef AS definition FROM pg_indexes
 WHERE tablename = $1
UNION ALL
SELECT 'constraint', conname, pg_get_constraintdef(oid) FROM pg_constraint
 WHERE conrelid = $1::regclass
UNION ALL
SELECT 'grant', grantee, privilege_type FROM information_schema.role_table_grants
 WHERE table_name = $1
ORDER BY 1, 2, 3
"""


async def test_a_rebuilt_worklist_keeps_its_indexes_grants_and_its_readers(
    fresh_database_url: str,
) -> None:
    """The back-entry worklist is rebuilt into a new table and swapped in: the service's role
    still reads and writes it, its indexes and keys are the same, and a connection that read it
    before (with its prepared statement) reads the rebuilt rows after."""
    pool = await asyncpg.create_pool(fresh_database_url, min_size=1, max_size=4)
    store = EventStore(pool)
    conn = await asyncpg.connect(fresh_database_url)
    reader = await asyncpg.connect(fresh_database_url)
    try:
        await mixed_outages(store, incidents=3, steps=80, seed=11)
        worklist = PROJECTIONS["back-entry"]
        await rebuild(fresh_database_url, worklist)
        shape = [dict(r) for r in await conn.fetch(SHAPE, worklist.table)]
        assert {r["what"] for r in shape} == {"index", "constraint", "grant"}
        query = f"SELECT key, status, position FROM {worklist.table} ORDER BY key"
        before = [dict(r) for r in await reader.fetch(query)]
        assert len(before) > 10
        await rebuild(fresh_database_url, worklist)
        assert [dict(r) for r in await conn.fetch(SHAPE, worklist.table)] == shape
        assert [dict(r) for r in await reader.fetch(query)] == before
        async with conn.transaction():
            await conn.execute("SET LOCAL ROLE nedbrud_service")
            assert await conn.fetchval(f"SELECT count(*) FROM {worklist.table}") == len(before)
            await conn.execute(f"UPDATE {worklist.table} SET position = position")
        missing = await conn.fetchval("SELECT to_regclass($1)", f"{worklist.table}_rebuild")
        assert missing is None
    finally:
        await reader.close()
        await conn.close()
        await store.close()
        await pool.close()


async def test_a_projector_killed_mid_batch_resumes_without_skipping_or_doubling(
    fresh_database_url: str,
) -> None:
    pool = await asyncpg.create_pool(fresh_database_url, min_size=1, max_size=4)
    store = EventStore(pool)
    kills = 0

    async def die_on_every_third_batch(conn: asyncpg.Connection) -> None:
        nonlocal kills
        if projector.stats.batches % 3 == 2 and kills < 4:
            kills += 1
            conn.terminate()  # the connection dies inside the batch's transaction

    try:
        head = await mixed_outages(store, incidents=4, steps=150, seed=42)
        projector = Projector(
            fresh_database_url,
            PROJECTIONS["situation"],
            batch=25,
            poll_seconds=0.05,
            before_commit=die_on_every_third_batch,
        )
        projector.start()
        for _ in range(400):
            if projector.stats.facts >= head:
                break
            await asyncio.sleep(0.05)
        await projector.close()
        assert kills == 4
        assert projector.stats.facts == head  # every fact applied once: none twice, none skipped
        killed = (await rows(pool))["situation"]
        await rebuild(fresh_database_url, PROJECTIONS["situation"])
        assert (await rows(pool))["situation"] == killed
        position = await pool.fetchval(
            "SELECT position FROM projection_positions WHERE name = 'situation'"
        )
        assert position == head
    finally:
        await store.close()
        await pool.close()
