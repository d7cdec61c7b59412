"""The emergency list (nødliste) is one event per version, sealed per citizen: each citizen's
identity, needs and medication under that citizen's own key, so forgetting one citizen erases
them from every version while the others stay readable and the chain still verifies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import asyncpg
import msgspec
import pytest

from domain.base import Person
from domain.emergency_list import ListCitizen
from service.log.chain import verify_chain
from service.log.codec import Codec
from service.log.store import EventStore
from service.log.streams import Streams, WriteContext
from service.log.vault import FORMAT_MANY, Vault, forget, subject_of, unpack_many
from service.write.emergency_lists import EmergencyListService, list_stream_id
from tests.apps import SEALING_KEY
from tests.domain.nodliste import CITIZENS

pytestmark = pytest.mark.anyio

ANNE = Person(id="emp-1042", name="Anne Testesen")
AS_OF = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)


def service(pool: asyncpg.Pool) -> EmergencyListService:
    return EmergencyListService(Streams(EventStore(pool), Codec(), Vault(pool, SEALING_KEY)))


def fresh(citizens: tuple[ListCitizen, ...]) -> tuple[ListCitizen, ...]:
    """The nødliste's citizens under refs of their own, so tests can share one database."""
    tag = uuid4().hex[:8]
    return tuple(msgspec.structs.replace(c, citizen_ref=f"{c.citizen_ref}-{tag}") for c in citizens)


def ctx() -> WriteContext:
    return WriteContext(uuid4(), source="test")


async def test_each_citizen_on_the_list_is_sealed_under_their_own_key(pool: asyncpg.Pool) -> None:
    lists, unit, citizens = service(pool), f"botilbud-{uuid4().hex[:8]}", fresh(CITIZENS[:3])
    _receipt, version = await lists.keep(unit, AS_OF, citizens, ANNE, AS_OF, ctx())
    assert version == 1
    (row,) = await EventStore(pool).read_stream(list_stream_id(unit))
    assert row.sealed is not None
    assert row.sealed[0] == FORMAT_MANY
    subjects = [subject_of(part) for part in unpack_many(row.sealed)]
    assert subjects == [str(list_stream_id(unit)), *sorted(c.citizen_ref for c in citizens)]
    plain = msgspec.json.encode(row.payload).decode()
    assert "Aase" not in plain
    assert "NovoRapid" not in plain
    assert "Insulin" not in plain
    assert "0101700000" not in plain
    assert "Morgenhjælp" not in plain


async def test_forgetting_a_citizen_erases_them_from_every_version_and_no_one_else(
    pool: asyncpg.Pool,
) -> None:
    lists, unit, citizens = service(pool), f"botilbud-{uuid4().hex[:8]}", fresh(CITIZENS[:3])
    await lists.keep(unit, AS_OF, citizens, ANNE, AS_OF, ctx())
    later = AS_OF + timedelta(days=1)
    _, version = await lists.keep(unit, later, citizens[:2], ANNE, later, ctx())
    assert version == 2
    aase, bent = citizens[0].citizen_ref, citizens[1].citizen_ref

    assert await forget(pool, aase)

    current = await lists.current(unit)
    assert current is not None
    assert current.version.list_version == 2
    by_ref = {c.citizen_ref: c for c in current.version.citizens}
    assert by_ref[aase].citizen is None
    assert by_ref[aase].vital_needs is None
    assert all(i.medication is None for i in by_ref[aase].items)
    assert [i.item_id for i in by_ref[aase].items] == [i.item_id for i in citizens[0].items]
    assert by_ref[bent].citizen == citizens[1].citizen
    assert by_ref[bent].items == citizens[1].items
    assert current.by.name == "Anne Testesen"
    data = lists.streams.codec.data(current.event)
    assert data["citizens"][0]["erased"] is True
    assert "erased" not in data["citizens"][1]

    store = EventStore(pool)
    for row in await lists.streams.open(await store.read_stream(list_stream_id(unit))):
        assert aase in row.erased_subjects
        assert not row.erased
        assert "Aase" not in (row.sealed or b"").decode()
        assert "Bent" in (row.sealed or b"").decode()
    async with pool.acquire() as conn:
        assert (await verify_chain(conn)).ok
