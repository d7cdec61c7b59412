"""Nødliste: a unit keeps its emergency list ahead of an outage; each version replaces the last."""

from __future__ import annotations

import json
import typing
from datetime import date

import msgspec
import pytest

from domain.base import DataSubject, Sealed
from domain.emergency_list import (
    EVENT_TYPES,
    EmergencyList,
    ItemKind,
    ListCitizen,
    ListItem,
)
from domain.errors import BeforeItHappened
from domain.manual_record import Medication
from domain.rounds_errors import (
    BadDays,
    BadItemId,
    BadTime,
    DuplicateCitizen,
    DuplicateItemId,
    EmptyTimes,
    ItemKindMismatch,
    ListInvalid,
    MedicationMissing,
    ServiceMissing,
    TooManyCitizens,
    TooManyItems,
    WindowOutOfRange,
)
from tests.domain.nodliste import AASE, CITIZENS, UNIT, care, citizen, local, medicine, published
from tests.domain.people import ANNE, LEADER_LIS

PARACETAMOL = Medication(name="Paracetamol", dose="1 tabl.")


def rebuilt(emergency_list: EmergencyList) -> EmergencyList:
    again: EmergencyList | None = None
    for event in emergency_list.collect_events():
        again = event.mutate(again)
    assert again is not None
    return again


def one(*items: ListItem) -> tuple[ListCitizen, ...]:
    return (citizen(AASE, "Aase Testesen", *items),)


def test_a_unit_keeps_its_first_emergency_list_as_version_1() -> None:
    kept = rebuilt(published())
    assert (kept.unit, kept.list_version, kept.current.list_version) == (UNIT, 1, 1)
    assert kept.current.citizens == CITIZENS
    assert kept.list_as_of == local(date(2026, 3, 1), 6)


def test_each_new_version_replaces_the_whole_list() -> None:
    emergency_list = published()
    shorter = CITIZENS[:2]
    emergency_list.replace(
        local(date(2026, 3, 8), 6), shorter, LEADER_LIS, local(date(2026, 3, 9), 9)
    )
    emergency_list.replace(
        local(date(2026, 3, 15), 6), CITIZENS[:1], ANNE, local(date(2026, 3, 16), 9)
    )
    kept = rebuilt(emergency_list)
    assert kept.list_version == 3 == kept.version
    assert kept.current.citizens == CITIZENS[:1]
    assert kept.list_as_of == local(date(2026, 3, 15), 6)


def test_a_list_dated_after_it_was_kept_is_refused() -> None:
    with pytest.raises(BeforeItHappened):
        EmergencyList.publish(
            id=published().id,
            unit=UNIT,
            list_as_of=local(date(2026, 3, 3), 6),
            citizens=CITIZENS,
            by=ANNE,
            occurred_at=local(date(2026, 3, 2), 9),
        )


def test_items_default_to_every_day_a_60_minute_window_and_not_vital() -> None:
    item = msgspec.convert(
        {"item_id": "x", "kind": "care", "service": "Tilsyn", "times": ["13:00"]}, ListItem
    )
    assert item.days == ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    assert (item.window_minutes, item.vital) == (60, False)


ITEM = "citizens[0].items[0]"
INSULIN = medicine("insulin", "NovoRapid", "8 IE", "08:00", vital=True)
BROKEN = [
    ("item-id-twice", one(INSULIN, INSULIN), DuplicateItemId, "citizens[0].items[1].item_id"),
    ("no-item-id", one(msgspec.structs.replace(INSULIN, item_id="")), BadItemId, f"{ITEM}.item_id"),
    ("24:00", one(medicine("m", "X", "1", "24:00")), BadTime, f"{ITEM}.times[0]"),
    ("8:00", one(medicine("m", "X", "1", "07:00", "8:00")), BadTime, f"{ITEM}.times[1]"),
    ("time-twice", one(medicine("m", "X", "1", "08:00", "08:00")), BadTime, f"{ITEM}.times[1]"),
    ("no-times", one(medicine("m", "X", "1")), EmptyTimes, f"{ITEM}.times"),
    ("no-days", one(care("c", "Bad", "10:00", days=())), BadDays, f"{ITEM}.days"),
    ("window-0", one(medicine("m", "X", "1", "08:00", window=0)), WindowOutOfRange,
     f"{ITEM}.window_minutes"),
    ("window-day", one(medicine("m", "X", "1", "08:00", window=24 * 60)), WindowOutOfRange,
     f"{ITEM}.window_minutes"),
    ("no-medication", one(ListItem(item_id="m", kind=ItemKind.MEDICATION, times=("08:00",))),
     MedicationMissing, f"{ITEM}.medication"),
    ("no-service", one(ListItem(item_id="c", kind=ItemKind.CARE, times=("08:00",))),
     ServiceMissing, f"{ITEM}.service"),
    ("care-with-medication", one(ListItem(item_id="c", kind=ItemKind.CARE, service="Bad",
     medication=PARACETAMOL, times=("08:00",))), ItemKindMismatch, f"{ITEM}.medication"),
    ("citizen-twice", (CITIZENS[0], CITIZENS[1], CITIZENS[0]), DuplicateCitizen, "citizens[2]"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("citizens", "error", "field"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_a_list_that_breaks_a_rule_is_refused_naming_the_field(
    citizens: tuple[ListCitizen, ...], error: type[ListInvalid], field: str
) -> None:
    with pytest.raises(error) as refused:
        published(citizens)
    assert refused.value.field == field
    assert refused.value.slug != ListInvalid.slug


def test_a_replacement_is_checked_like_the_first_list() -> None:
    emergency_list = published()
    with pytest.raises(BadTime):
        emergency_list.replace(
            local(date(2026, 3, 8), 6),
            one(medicine("m", "X", "1", "8.00")),
            ANNE,
            local(date(2026, 3, 9), 9),
        )
    assert emergency_list.list_version == 1


def test_up_to_500_citizens_and_5000_items_are_kept_and_no_more() -> None:
    items = tuple(medicine(f"m{n}", "X", "1", "08:00") for n in range(10))
    full = tuple(citizen(f"cit_{n}", "Borger", *items) for n in range(500))
    assert published(full).list_version == 1
    with pytest.raises(TooManyCitizens):
        published((*full, citizen("cit_x", "Borger")))
    with pytest.raises(TooManyItems):
        published(
            (*full[:-1], citizen("cit_x", "Borger", *items, medicine("m", "X", "1", "09:00")))
        )


def test_cpr_names_vital_needs_and_medication_are_declared_personal_on_every_version() -> None:
    # The codec derives the sealed paths from these marks (tests/service/test_sealing.py); each
    # citizen's are sealed under the key its `DataSubject` names.
    assert set(EVENT_TYPES) == {"emergency-list-published", "emergency-list-replaced"}
    citizen = typing.get_type_hints(ListCitizen, include_extras=True)
    item = typing.get_type_hints(ListItem, include_extras=True)
    for name in ("citizen", "vital_needs"):
        assert Sealed in typing.get_args(citizen[name])
    assert Sealed in typing.get_args(item["medication"])
    assert DataSubject in typing.get_args(citizen["citizen_ref"])
    assert Sealed not in typing.get_args(citizen["citizen_ref"])


def test_the_list_reads_back_the_same_from_the_json_an_auditor_sees() -> None:
    raw = json.loads(json.dumps(msgspec.to_builtins(CITIZENS)))
    assert raw[1]["items"][1]["days"] == ["mon", "tue", "wed", "thu", "fri"]
    assert msgspec.convert(raw, tuple[ListCitizen, ...], strict=False) == CITIZENS
