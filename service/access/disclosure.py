"""Who sees what (API.md Part 2): one policy that every read path asks, by the key's role, its
units and the purpose given.

- An incident's own events, plain payload: every role that may read incidents.
- A paper record (its events anywhere, and a correction about one): keys for the record's unit (a
  key with no units: every unit); never `reporter`; `it` sees counts only, not records.
- A paper record's one-line summary: as the record.
- Sealed fields (CPR, names, free text, doctor, a correction's contents): only with a purpose the
  role may have (sundhedsloven § 42 a), and each citizen whose data are shown is written to the
  access log before anything leaves; if that cannot be written, nothing is shown.

A read path makes a `Disclosure` for its request (`Reader.of(principal, purpose)`: a purpose the
role may not have is refused), asks it about each event (`event`), record (`may_see`) or citizen
(`citizen`) it would show, and calls `release` before it answers. The timeline, its CSV, the
feed, the worklist, a manual record and the live stream do; the emergency list, rounds, paper kit,
reports and FHIR ask the same three questions, and a webhook is a `Reader` with the webhook's
units and no purpose (plain payloads only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg

from domain.manual_record import STREAM_TYPE as MANUAL_RECORD
from service.access.access_log import record_access
from service.access.auth import Principal, Role
from service.access.matrix import PURPOSES, RECORD_READERS
from service.log.codec import Codec
from service.log.events import RecordedEvent

CORRECTION = "event-corrected"


class PurposeNotAllowed(Exception):
    """The key's role may not see citizens' data for this purpose."""

    def __init__(self, role: Role, purpose: str) -> None:
        super().__init__(f"the role {role} may not see citizens' names for {purpose!r}")


@dataclass(frozen=True)
class Reader:
    """Who reads, for which units, and why: a purpose is set only if the role may have it."""

    key_id: UUID
    role: Role
    units: tuple[str, ...] | None
    purpose: str | None = None

    @classmethod
    def of(cls, principal: Principal, purpose: str | None = None) -> Reader:
        if purpose is not None and purpose not in PURPOSES.get(principal.role, frozenset()):
            raise PurposeNotAllowed(principal.role, purpose)
        return cls(principal.key_id, principal.role, principal.units, purpose)


@dataclass(frozen=True)
class RecordRef:
    """A paper record as the policy needs it: whose unit it is, and whose data."""

    record_id: UUID
    unit: str | None
    citizen_ref: str | None


def record_units(reader: Reader) -> tuple[str, ...] | None:
    """The units whose paper records the reader sees: None for every unit, () for none."""
    return reader.units if reader.role in RECORD_READERS else ()


def may_see_record(reader: Reader, unit: str | None) -> bool:
    scope = record_units(reader)
    return scope is None or unit in scope


def record_heads(events: Iterable[RecordedEvent]) -> dict[UUID, RecordRef]:
    """The paper records among these events, from their first events."""
    return {
        e.stream_id: RecordRef(e.stream_id, e.payload.get("unit"), e.payload.get("citizen_ref"))
        for e in events
        if e.stream_type == MANUAL_RECORD and e.version == 1
    }


def record_of(
    event: RecordedEvent,
    heads: Mapping[UUID, RecordRef],
    streams: Mapping[UUID, UUID] | None = None,
) -> RecordRef | None:
    """The paper record an event belongs to, or the one a correction is about (named in its
    payload, or, for a correction written before that, found by the event it corrects in
    `streams`: event id -> stream id). None: the event is the incident's own."""
    if event.stream_type == MANUAL_RECORD:
        return heads.get(event.stream_id, RecordRef(event.stream_id, None, None))
    if event.type != CORRECTION:
        return None
    if (named := event.payload.get("record_id")) is not None:
        ref = UUID(named)
        found = heads.get(ref)
        unit, citizen = event.payload.get("unit"), event.payload.get("citizen_ref")
        return found or RecordRef(ref, unit, citizen)
    target = (streams or {}).get(UUID(event.payload["corrects_event_id"]))
    return None if target is None else heads.get(target)


@dataclass
class Disclosure:
    """One request's disclosures: what each thing shows this reader, and whom it showed."""

    reader: Reader
    codec: Codec
    endpoint: str
    shown: set[str] = field(default_factory=set)

    @property
    def unseals(self) -> bool:
        return self.reader.purpose is not None

    def may_see(self, record: RecordRef | None) -> bool:
        return record is None or may_see_record(self.reader, record.unit)

    def event(self, event: RecordedEvent, record: RecordRef | None) -> dict[str, Any] | None:
        """The event's fields as this reader may see them (None: not at all): the plain payload,
        and the sealed part too for a purpose, noting the citizen whose data that is."""
        if not self.may_see(record):
            return None
        if not self.unseals:
            return self.codec.data(event, unseal=False)
        if record is not None and record.citizen_ref and event.sealed and not event.erased:
            self.shown.add(record.citizen_ref)
        return self.codec.data(event)

    def citizen(self, citizen_ref: str | None, identity: dict[str, Any] | None) -> dict[str, Any]:
        """A citizen's identity (name, CPR number) if this reader may see it, else nothing."""
        if not self.unseals or not identity or not citizen_ref:
            return {}
        self.shown.add(citizen_ref)
        return identity

    async def release(self, pool: asyncpg.Pool) -> None:
        """Write the access log for every citizen shown; call it before the answer leaves."""
        if self.reader.purpose is not None and self.shown:
            await record_access(
                pool,
                self.reader.key_id,
                self.reader.role,
                self.reader.purpose,
                self.shown,
                self.endpoint,
            )
