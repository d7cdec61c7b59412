"""A unit's printed medication list on the in-memory log: the first print opens the unit's
stream, each later print is its next version, and a drill's prints keep to a stream of their
own."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from service.write.commands import PrintMedicationList
from service.write.errors import UnitNotAllowed
from service.write.units import unit_stream_id
from tests.app.conftest import OTHER_UNIT, STAFF, House, ctx, receipt
from tests.domain.nodliste import UNIT
from tests.domain.people import ANNE, THU_14_30, THU_16_00

pytestmark = pytest.mark.anyio


async def prints(app: House, mode: str = "actual") -> list[str]:
    return [e.type for e in await app.store.read_stream(unit_stream_id(UNIT, mode))]


def printed(list_as_of: datetime, at: datetime, mode: str | None = None) -> PrintMedicationList:
    return PrintMedicationList(UNIT, list_as_of, ANNE, at, mode)


async def test_each_print_of_the_medication_list_is_the_units_next_version(app: House) -> None:
    first = receipt(await app.cases.record_list_print(printed(THU_14_30, THU_14_30), ctx(STAFF)))
    second = receipt(await app.cases.record_list_print(printed(THU_16_00, THU_16_00), ctx(STAFF)))
    assert first.stream_id == unit_stream_id(UNIT, "actual")
    assert (second.stream_id, second.version) == (first.stream_id, first.version + 1)
    assert (await prints(app))[-2:] == ["medication-list-printed"] * 2


async def test_a_drills_print_never_makes_the_real_list_look_fresh(app: House) -> None:
    real = receipt(await app.cases.record_list_print(printed(THU_14_30, THU_14_30), ctx()))
    drill = receipt(
        await app.cases.record_list_print(printed(THU_16_00, THU_16_00, "exercise"), ctx())
    )
    assert drill.stream_id == unit_stream_id(UNIT, "exercise")
    assert drill.version == real.version
    newest = await app.store.read_last(unit_stream_id(UNIT, "actual"))
    assert newest is not None
    assert newest.occurred_at == THU_14_30


async def test_prints_at_the_same_moment_all_land(app: House) -> None:
    answers = await asyncio.gather(
        *(app.cases.record_list_print(printed(THU_14_30, at), ctx(STAFF)) for at in [THU_16_00] * 3)
    )
    assert len({receipt(a).version for a in answers}) == 3
    assert (await prints(app)).count("medication-list-printed") == 3


async def test_a_key_of_another_unit_may_not_print_its_list(app: House) -> None:
    with pytest.raises(UnitNotAllowed) as refused:
        await app.cases.record_list_print(printed(THU_14_30, THU_14_30), ctx(OTHER_UNIT))
    assert refused.value.unit == UNIT
    assert await prints(app) == []
