"""Situationsbillede: the situation picture of one incident, folded from its facts in any order.

Paper records arrive late and replicas deliver out of order, so the fold is commutative: every
part of the state is a set, a maximum, a value that the highest stream version wins, or a count.
Folding the same facts in any order gives the same entry; folding an incident's own fact twice
changes nothing. Paper records are counted (made, entered, voided), not listed, so an incident
with thousands of them folds as fast as one with none; counting relies on each fact being folded
once, which the projector guarantees.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from domain.base import Audience, DetectedVia, EscalationRole, StaffingRequest
from domain.facts import Fact
from domain.incident import STEP_ORDER
from domain.incident import STREAM_TYPE as INCIDENT
from domain.manual_record import STREAM_TYPE as MANUAL_RECORD
from domain.manual_record import RecordStatus
from domain.rules import status_of

ALL_SYSTEMS = "*"


class Versioned(msgspec.Struct):
    """A value set by the incident's step with the highest version (the latest decision)."""

    version: int
    value: dict[str, Any]


class SituationEntry(msgspec.Struct, kw_only=True):
    """One incident as the situation picture shows it."""

    incident_id: UUID
    mode: str = "actual"
    title: str = ""
    detected_at: datetime | None = None
    detected_via: DetectedVia = DetectedVia.EMPLOYEE
    declared_systems: list[str] = msgspec.field(default_factory=list)
    declared_units: list[str] = msgspec.field(default_factory=list)
    scope: Versioned | None = None
    escalation_assessed: Versioned | None = None
    communications: Versioned | None = None
    restored: dict[str, datetime] = msgspec.field(default_factory=dict)
    steps: list[str] = msgspec.field(default_factory=list)
    notified: list[str] = msgspec.field(default_factory=list)
    escalations: list[str] = msgspec.field(default_factory=list)
    audiences: list[str] = msgspec.field(default_factory=list)
    staffing: dict[str, StaffingRequest] = msgspec.field(default_factory=dict)
    verified: dict[str, list[str]] = msgspec.field(default_factory=dict)
    records_made: int = 0
    records_entered: int = 0
    records_voided: int = 0
    closed_at: datetime | None = None
    version: int = 0
    position: int = 0
    last_change_at: datetime | None = None

    # -- the same reading as the Incident aggregate gives, for the plan's rules ----------------

    @property
    def affected_systems(self) -> list[str]:
        scoped = self.scope.value["affected_systems"] if self.scope else self.declared_systems
        return list(dict.fromkeys([*sorted(self.restored), *scoped]))

    @property
    def affected_units(self) -> list[str]:
        return list(self.scope.value["affected_units"] if self.scope else self.declared_units)

    @property
    def isolated_to_single_unit(self) -> bool | None:
        return self.scope.value.get("isolated_to_single_unit") if self.scope else None

    @property
    def systems_restored(self) -> list[str]:
        return sorted(self.restored, key=lambda s: (self.restored[s], s))

    @property
    def systems_down(self) -> list[str]:
        return [s for s in self.affected_systems if s not in self.restored]

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def status(self) -> str:
        return status_of(self)

    @property
    def steps_done(self) -> list[str]:
        return list(self.steps)

    @property
    def units_notified(self) -> set[str]:
        return set(self.notified)

    @property
    def escalation(self) -> tuple[bool, bool] | None:
        if self.escalation_assessed is None:
            return None
        value = self.escalation_assessed.value
        return bool(value["inform_nearest_leader"]), bool(value["inform_socialchef"])

    @property
    def escalated_to(self) -> list[EscalationRole]:
        return [EscalationRole(r) for r in self.escalations]

    @property
    def involve_communications(self) -> bool | None:
        return None if self.communications is None else bool(self.communications.value["involve"])

    @property
    def audiences_reached(self) -> set[Audience]:
        return {Audience(a) for a in self.audiences}

    def is_verified(self, unit: str, system: str) -> bool:
        verified = self.verified.get(unit, [])
        return system in verified or ALL_SYSTEMS in verified

    @property
    def records_pending(self) -> int:
        return self.records_made - self.records_entered - self.records_voided

    def record_statuses(self) -> list[RecordStatus]:
        """One status per paper record, as `may_close` reads them."""
        return (
            [RecordStatus.PENDING] * max(0, self.records_pending)
            + [RecordStatus.ENTERED] * self.records_entered
            + [RecordStatus.VOIDED] * self.records_voided
        )


def _add(items: list[str], *new: str) -> list[str]:
    return sorted({*items, *new})


def _later(current: Versioned | None, version: int, value: dict[str, Any]) -> Versioned:
    return (
        current if current is not None and current.version >= version else Versioned(version, value)
    )


def _incident_step(entry: SituationEntry, fact: Fact) -> None:
    d, at = fact.data, fact.occurred_at
    entry.steps = sorted({*entry.steps, fact.type}, key=STEP_ORDER.__getitem__)
    entry.version = max(entry.version, fact.version)
    match fact.type:
        case "incident-detected":
            entry.title, entry.detected_at = d["title"], at
            entry.detected_via = DetectedVia(d["detected_via"])
            entry.declared_systems = list(dict.fromkeys(d["affected_systems"]))
            entry.declared_units = list(dict.fromkeys(d["affected_units"]))
        case "scope-assessed":
            entry.scope = _later(entry.scope, fact.version, d)
        case "units-notified":
            entry.notified = _add(entry.notified, *d["units"])
        case "escalation-assessed":
            entry.escalation_assessed = _later(entry.escalation_assessed, fact.version, d)
        case "escalated":
            entry.escalations = _add(entry.escalations, d["to_role"])
        case "communications-decided":
            value = {"involve": d["involve_communications"]}
            entry.communications = _later(entry.communications, fact.version, value)
        case "communication-sent":
            entry.audiences = _add(entry.audiences, d["audience"])
        case "staffing-requested":
            known = entry.staffing.get(d["request_id"])
            entry.staffing[d["request_id"]] = StaffingRequest(
                unit=d["unit"],
                requested=d["extra_staff"],
                granted=None if known is None else known.granted,
            )
        case "staffing-decided":
            known = entry.staffing.get(d["request_event_id"])
            entry.staffing[d["request_event_id"]] = StaffingRequest(
                unit="" if known is None else known.unit,
                requested=0 if known is None else known.requested,
                granted=d["granted_staff"],
            )
        case "system-restored":
            entry.restored[d["system"]] = at
        case "restoration-verified":
            unit = d["unit"]
            entry.verified[unit] = _add(
                entry.verified.get(unit, []), d.get("system") or ALL_SYSTEMS
            )
        case "incident-closed":
            entry.closed_at = at


def _record_step(entry: SituationEntry, fact: Fact) -> None:
    if fact.type == "entered-in-journal":
        entry.records_entered += 1
    elif fact.type == "record-voided":
        entry.records_voided += 1
    elif fact.version == 1:
        entry.records_made += 1


def incident_of(fact: Fact) -> UUID | None:
    """Which incident's entry a fact changes, if any."""
    if fact.stream_type == INCIDENT:
        return fact.stream_id
    if fact.stream_type == MANUAL_RECORD:
        return fact.correlation_id
    return None


def evolve(entry: SituationEntry, fact: Fact) -> SituationEntry:
    """The entry with one more fact folded in."""
    entry = msgspec.structs.replace(entry)  # the caller's entry stays as it was
    entry.staffing, entry.restored = dict(entry.staffing), dict(entry.restored)
    entry.verified = dict(entry.verified)
    if fact.stream_type == INCIDENT:
        _incident_step(entry, fact)
    elif fact.stream_type == MANUAL_RECORD:
        _record_step(entry, fact)
    entry.mode = fact.mode
    entry.position = max(entry.position, fact.position)
    entry.last_change_at = max(filter(None, (entry.last_change_at, fact.occurred_at)))
    return entry
