"""Evaluering as a pure function: the same facts give the same report, in any order and however
late they were recorded; the situation report's changes are exactly what moved."""

from __future__ import annotations

import random
from datetime import timedelta

import msgspec

from domain.facts import Fact
from domain.plan import Plan
from domain.report import fold, incident_report
from domain.situation_changes import changes
from tests.domain.people import FRI_09_00, INCIDENT_ID
from tests.domain.scenario import facts


def reordered(original: list[Fact], seed: int) -> list[Fact]:
    """The same facts committed in another order, each recorded a day later."""
    shuffled = list(original)
    random.Random(seed).shuffle(shuffled)
    return [
        msgspec.structs.replace(f, position=n + 1, recorded_at=f.recorded_at + timedelta(days=1))
        for n, f in enumerate(shuffled)
    ]


def test_the_report_is_the_same_whatever_order_the_facts_were_recorded_in(plan: Plan) -> None:
    original = facts(plan)
    first = msgspec.to_builtins(incident_report(plan, INCIDENT_ID, original, {}, FRI_09_00))
    for seed in range(5):
        again = incident_report(plan, INCIDENT_ID, reordered(original, seed), {}, FRI_09_00)
        assert msgspec.to_builtins(again) == first


def test_the_changes_since_a_position_are_what_the_facts_after_it_moved(plan: Plan) -> None:
    original = facts(plan)
    for cut in range(len(original)):
        before = {INCIDENT_ID: fold(original[:cut], INCIDENT_ID)}
        after = {INCIDENT_ID: fold(original, INCIDENT_ID)}
        moved = changes(before, after)
        later = {f.type for f in original[cut:]}
        assert bool(moved.closed) == ("incident-closed" in later)
        assert bool(moved.opened) == ("incident-detected" in later)
        assert {r.system for r in moved.systems_restored} == {
            f.data["system"] for f in original[cut:] if f.type == "system-restored"
        }
    assert changes(
        {INCIDENT_ID: fold(original, INCIDENT_ID)}, {INCIDENT_ID: fold(original, INCIDENT_ID)}
    ).empty
