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
from typing import Generic, TypeVar
from uuid import UUID

import msgspec

from domain.base import (
    Audience,
    DetectedVia,
    Escalation,
    EscalationRole,
    Person,
    PlanAggregate,
    Severity,
    StaffingRequest,
)
from domain.facts import Fact, plain_event
from domain.incident import EVENT_TYPES, Incident, affected_after, in_order, in_plan_order
from domain.incident import STREAM_TYPE as INCIDENT
from domain.manual_record import EVENT_TYPES as RECORD_EVENT_TYPES
from domain.manual_record import STREAM_TYPE as MANUAL_RECORD
from domain.manual_record import RecordStatus
from domain.rules import status_of

ALL_SYSTEMS = "*"


T = TypeVar("T")


class Versioned(msgspec.Struct, Generic[T]):
    """A value set by the incident's step with the highest version (the latest decision)."""

    version: int
    value: T


class Actor(msgspec.Struct, frozen=True):
    """Who took a step, as the step's plain payload names them (their name is sealed)."""

    id: str
    role: str | None

    @classmethod
    def of(cls, person: Person) -> Actor:
        return cls(person.id, person.role)


class Scope(msgspec.Struct, kw_only=True):
    """The scope a scope-assessed step gave, kept as the step's plain payload (the dashboard's
    SQL views read it there)."""

    affected_systems: list[str]
    affected_units: list[str]
    isolated_to_single_unit: bool
    severity: Severity | None = None
    expected_restoration_at: datetime | None = None
    by: Actor

    @classmethod
    def of(cls, event: Incident.ScopeAssessed) -> Scope:
        return cls(
            affected_systems=list(event.affected_systems),
            affected_units=list(event.affected_units),
            isolated_to_single_unit=event.isolated_to_single_unit,
            severity=event.severity,
            expected_restoration_at=event.expected_restoration_at,
            by=Actor.of(event.by),
        )


class EscalationAssessment(msgspec.Struct, kw_only=True):
    """An escalation-assessed step, kept as its plain payload (the reason is sealed)."""

    inform_nearest_leader: bool
    inform_socialchef: bool
    by: Actor

    @classmethod
    def of(cls, event: Incident.EscalationAssessed) -> EscalationAssessment:
        return cls(
            inform_nearest_leader=event.inform_nearest_leader,
            inform_socialchef=event.inform_socialchef,
            by=Actor.of(event.by),
        )

    @property
    def escalation(self) -> Escalation:
        return Escalation(self.inform_nearest_leader, self.inform_socialchef)


class Communications(msgspec.Struct):
    """Whether Kommunikationsafdelingen is involved."""

    involve: bool


class SituationEntry(msgspec.Struct, kw_only=True):
    """One incident as the situation picture shows it."""

    incident_id: UUID
    mode: str = "actual"
    title: str = ""
    detected_at: datetime | None = None
    detected_via: DetectedVia = DetectedVia.EMPLOYEE
    declared_systems: list[str] = msgspec.field(default_factory=list)
    declared_units: list[str] = msgspec.field(default_factory=list)
    scope: Versioned[Scope] | None = None
    escalation_assessed: Versioned[EscalationAssessment] | None = None
    communications: Versioned[Communications] | None = None
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
        scoped = self.scope.value.affected_systems if self.scope else self.declared_systems
        return affected_after(sorted(self.restored), scoped)

    @property
    def affected_units(self) -> list[str]:
        return list(self.scope.value.affected_units if self.scope else self.declared_units)

    @property
    def isolated_to_single_unit(self) -> bool | None:
        return self.scope.value.isolated_to_single_unit if self.scope else None

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
    def escalation(self) -> Escalation | None:
        assessed = self.escalation_assessed
        return None if assessed is None else assessed.value.escalation

    @property
    def escalated_to(self) -> list[EscalationRole]:
        return [EscalationRole(r) for r in self.escalations]

    @property
    def involve_communications(self) -> bool | None:
        return None if self.communications is None else self.communications.value.involve

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


def _later(current: Versioned[T] | None, version: int, value: T) -> Versioned[T]:
    return (
        current if current is not None and current.version >= version else Versioned(version, value)
    )


# The incident's steps whose fields the picture reads; the others add only their step.
_READ = frozenset(
    {
        Incident.Detected,
        Incident.ScopeAssessed,
        Incident.UnitsNotified,
        Incident.EscalationAssessed,
        Incident.Escalated,
        Incident.CommunicationsDecided,
        Incident.CommunicationSent,
        Incident.StaffingRequested,
        Incident.StaffingDecided,
        Incident.SystemRestored,
        Incident.RestorationVerified,
        Incident.Closed,
    }
)


def _incident_step(entry: SituationEntry, fact: Fact) -> None:
    if fact.type not in entry.steps:
        entry.steps = in_plan_order([*entry.steps, fact.type])
    entry.version = max(entry.version, fact.version)
    cls = EVENT_TYPES[fact.type]
    if cls not in _READ:
        return
    at = fact.occurred_at
    match plain_event(fact, cls, Incident):
        case Incident.Detected() as e:
            entry.title, entry.detected_at, entry.detected_via = e.title, at, e.detected_via
            entry.declared_systems = in_order(e.affected_systems)
            entry.declared_units = in_order(e.affected_units)
        case Incident.ScopeAssessed() as e:
            entry.scope = _later(entry.scope, fact.version, Scope.of(e))
        case Incident.UnitsNotified() as e:
            entry.notified = _add(entry.notified, *e.units)
        case Incident.EscalationAssessed() as e:
            assessed = EscalationAssessment.of(e)
            entry.escalation_assessed = _later(entry.escalation_assessed, fact.version, assessed)
        case Incident.Escalated() as e:
            entry.escalations = _add(entry.escalations, e.to_role.value)
        case Incident.CommunicationsDecided() as e:
            decided = Communications(e.involve_communications)
            entry.communications = _later(entry.communications, fact.version, decided)
        case Incident.CommunicationSent() as e:
            entry.audiences = _add(entry.audiences, e.audience.value)
        case Incident.StaffingRequested() as e:
            entry.staffing = dict(entry.staffing)
            key = str(e.request_id)
            entry.staffing[key] = e.requested(entry.staffing.get(key))
        case Incident.StaffingDecided() as e:
            entry.staffing = dict(entry.staffing)
            key = str(e.request_event_id)
            entry.staffing[key] = e.decided(entry.staffing.get(key))
        case Incident.SystemRestored() as e:
            entry.restored = {**entry.restored, e.system: at}
        case Incident.RestorationVerified() as e:
            verified = _add(entry.verified.get(e.unit, []), e.system or ALL_SYSTEMS)
            entry.verified = {**entry.verified, e.unit: verified}
        case Incident.Closed():
            entry.closed_at = at


def _counter(cls: type[PlanAggregate.Event]) -> str:
    if cls is RECORD_EVENT_TYPES["entered-in-journal"]:
        return "records_entered"
    if cls is RECORD_EVENT_TYPES["record-voided"]:
        return "records_voided"
    return "records_made" if issubclass(cls, PlanAggregate.Created) else ""


# Which count each paper record's event moves, by its class: the picture reads no field of one.
_RECORD_COUNTERS = {slug: _counter(cls) for slug, cls in RECORD_EVENT_TYPES.items()}


def _record_step(entry: SituationEntry, fact: Fact) -> None:
    counter = _RECORD_COUNTERS.get(fact.type)
    if counter == "records_entered":
        entry.records_entered += 1
    elif counter == "records_voided":
        entry.records_voided += 1
    elif counter == "records_made":
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
    # The caller's entry stays as it was: a step that changes one of its mappings copies it.
    entry = msgspec.structs.replace(entry)
    if fact.stream_type == INCIDENT:
        _incident_step(entry, fact)
    elif fact.stream_type == MANUAL_RECORD:
        _record_step(entry, fact)
    entry.mode = fact.mode
    entry.position = max(entry.position, fact.position)
    if entry.last_change_at is None or fact.occurred_at > entry.last_change_at:
        entry.last_change_at = fact.occurred_at
    return entry
