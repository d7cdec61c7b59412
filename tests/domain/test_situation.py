"""The projections' folds: the same picture whatever order the facts arrive in (paper arrives
late), and the same reading of an incident as the aggregate that decides on it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import readiness, situation, worklist
from domain.base import Escalation
from domain.facts import WITHHELD, Fact, plain_event
from domain.incident import EVENT_TYPES, Incident
from domain.manual_record import RecordStatus
from domain.plan import Plan
from domain.rules import may_close, outstanding_steps
from service.runtime.plan_file import read_plan
from tests.domain.people import INCIDENT_ID
from tests.domain.scenario import aggregates, facts

PLAN = read_plan()
FACTS = facts(PLAN)


def fold_all(order: list[Fact]) -> dict[str, bytes]:
    """Every projection's states, encoded, after folding `order`."""
    entries: dict[UUID, situation.SituationEntry] = {}
    items: dict[UUID, worklist.BackEntryItem] = {}
    units: dict[UUID, readiness.UnitReadiness] = {}
    for fact in order:
        if (key := situation.incident_of(fact)) is not None:
            entries[key] = situation.evolve(
                entries.get(key) or situation.SituationEntry(incident_id=key), fact
            )
        if (key := worklist.record_of(fact)) is not None:
            items[key] = worklist.evolve(
                items.get(key) or worklist.BackEntryItem(record_id=key), fact
            )
        if (key := readiness.unit_of(fact)) is not None:
            units[key] = readiness.evolve(units.get(key) or readiness.UnitReadiness(), fact)
    states: dict[Any, Any] = {**entries, **items, **units}
    return {str(k): msgspec.json.encode(v, order="sorted") for k, v in states.items()}


IN_ORDER = fold_all(FACTS)


@settings(max_examples=200, deadline=None)
@given(order=st.permutations(FACTS))
def test_any_order_of_an_incidents_facts_gives_the_same_situation_picture(
    order: list[Fact],
) -> None:
    assert fold_all(order) == IN_ORDER


INCIDENT_FACTS = [f for f in FACTS if f.stream_type == "incident"]


@settings(max_examples=50, deadline=None)
@given(again=st.lists(st.sampled_from(INCIDENT_FACTS), max_size=10))
def test_an_incident_step_folded_twice_changes_nothing_in_the_picture(again: list[Fact]) -> None:
    folded = fold_all([*FACTS, *again])
    entry = msgspec.json.decode(folded[str(INCIDENT_ID)])
    assert entry == msgspec.json.decode(IN_ORDER[str(INCIDENT_ID)])


def test_the_picture_reads_the_incident_as_the_aggregate_that_decides_on_it(plan: Plan) -> None:
    incident = aggregates(plan)[0]
    assert isinstance(incident, Incident)
    entry = situation.SituationEntry(incident_id=INCIDENT_ID)
    for fact in FACTS:
        if situation.incident_of(fact) == INCIDENT_ID:
            entry = situation.evolve(entry, fact)
    assert entry.status == incident.status == "partly-restored"
    assert entry.systems_down == incident.systems_down == ["nexus"]
    assert entry.affected_units == incident.affected_units
    assert entry.steps_done == incident.steps_done
    assert outstanding_steps(entry, plan) == outstanding_steps(incident, plan)
    assert may_close(entry, entry.record_statuses()).pending_records == 3
    assert entry.record_statuses().count(RecordStatus.ENTERED) == 1
    assert entry.staffing[str(next(iter(incident.staffing)))].granted == 1


def test_the_worklist_shows_each_paper_record_and_where_it_is() -> None:
    items = [msgspec.json.decode(v) for v in IN_ORDER.values() if b'"first_event_id"' in v]
    assert sorted(i["status"] for i in items) == [
        "entered",
        "pending",
        "pending",
        "pending",
        "voided",
    ]
    assert {i["kind"] for i in items} == {"medication-dispensing", "care-delivery"}
    assert all("cpr" not in str(i) and "Borger" not in str(i) for i in items)


def test_readiness_keeps_the_list_printed_last_whatever_order_prints_arrive_in() -> None:
    prints = [f for f in FACTS if f.stream_type == "unit"]
    unit = readiness.UnitReadiness()
    for fact in reversed(prints):
        unit = readiness.evolve(unit, fact)
    assert unit.unit == "botilbud-solsikken"
    assert unit.list_printed_at == max(f.occurred_at for f in prints)
    assert unit.list_as_of is not None
    assert unit.is_stale(unit.list_as_of + timedelta(days=8), timedelta(days=7))
    assert not unit.is_stale(unit.list_as_of + timedelta(days=6), timedelta(days=7))


def test_the_picture_keeps_each_latest_decision_as_the_step_recorded_it(plan: Plan) -> None:
    """The stored picture holds the latest scope and escalation assessment as their steps'
    plain payloads, which the dashboard's SQL views read; and reads them as the aggregate does."""
    incident = aggregates(plan)[0]
    assert isinstance(incident, Incident)
    entry = situation.SituationEntry(incident_id=INCIDENT_ID)
    for fact in FACTS:
        if situation.incident_of(fact) == INCIDENT_ID:
            entry = situation.evolve(entry, fact)
    last = {f.type: f for f in FACTS if f.stream_type == "incident"}
    assert entry.scope is not None
    assert entry.escalation_assessed is not None
    assert msgspec.to_builtins(entry.scope.value) == last["scope-assessed"].data
    assert msgspec.to_builtins(entry.escalation_assessed.value) == last["escalation-assessed"].data
    assert entry.escalation == incident.escalation
    assert entry.escalation == Escalation(inform_nearest_leader=True, inform_socialchef=False)
    assert entry.involve_communications is incident.involve_communications is True


def test_a_fact_read_as_its_event_replays_into_the_aggregate_without_its_sealed_part(
    plan: Plan,
) -> None:
    incident = aggregates(plan)[0]
    assert isinstance(incident, Incident)
    replayed: Incident | None = None
    for fact in INCIDENT_FACTS:
        event = plain_event(fact, EVENT_TYPES[fact.type], Incident)
        assert isinstance(event, EVENT_TYPES[fact.type])
        replayed = event.mutate(replayed)
    assert replayed is not None
    assert replayed.version == incident.version
    assert replayed.steps_done == incident.steps_done
    assert replayed.affected_systems == incident.affected_systems
    assert replayed.escalation == incident.escalation
    assert replayed.staffing == incident.staffing
    assert replayed.verified == incident.verified
    assessed = next(f for f in INCIDENT_FACTS if f.type == "escalation-assessed")
    event = plain_event(assessed, Incident.EscalationAssessed, Incident)
    assert event.reason == WITHHELD
    assert event.by.name is None  # sealed in the log: a fold never sees it
