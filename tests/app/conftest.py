"""The write side's use cases over the in-memory log: the plan's steps in milliseconds, no
database, no server. Each test gets a house of its own (an empty log, an empty key table, an
empty answer book) and calls the use cases as the HTTP handlers and CloudEvents do: a command
and a context (a key of a role and its units, an Idempotency-Key, a fixed clock). The domain's
fixed, named people, times and ids (`tests/domain/people.py`) serve here too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from uuid import UUID

import msgspec
import pytest

from domain.incident import Incident
from domain.plan import Plan
from service.access.auth import Principal, Role
from service.log.codec import Codec
from service.log.events import Receipt
from service.log.memory import MemoryAnswers, MemoryEventStore, MemoryKeys
from service.log.streams import Streams
from service.log.vault import Vault
from service.runtime.plan_file import read_plan
from service.write import commands as c
from service.write.citizens import CitizenRefs
from service.write.emergency_lists import EmergencyListService
from service.write.incidents import IncidentService
from service.write.records import ManualRecordService
from service.write.rounds import RoundsService
from service.write.units import UnitService
from service.write.use_cases import Answer, Context, UseCases
from tests.apps import SEALING_KEY
from tests.domain.nodliste import UNIT
from tests.domain.people import ANNE, THU_14_30

# Thursday 5 March 2026, 23:00 in Copenhagen: after every step the tests record.
NOW = datetime(2026, 3, 5, 22, 0, tzinfo=UTC)

# The keys that ask: one per role the tests need, with the units it acts for (None: all).
LEADER = Principal(UUID("00000000-0000-4000-8000-00000000a001"), Role.LEADER, None)
IT = Principal(UUID("00000000-0000-4000-8000-00000000a002"), Role.IT, None)
STAFF = Principal(UUID("00000000-0000-4000-8000-00000000a003"), Role.STAFF, (UNIT,))
OTHER_UNIT = Principal(
    UUID("00000000-0000-4000-8000-00000000a004"), Role.STAFF, ("botilbud-andet",)
)


@dataclass
class House:
    """One server process's write side, composed as `service/app.py` does, over memory: the use
    cases to write with, the services and the log to look at what they left."""

    store: MemoryEventStore
    keys: MemoryKeys
    streams: Streams
    cases: UseCases

    @property
    def incidents(self) -> IncidentService:
        return self.cases.incidents

    @property
    def records(self) -> ManualRecordService:
        return self.cases.records

    @property
    def units(self) -> UnitService:
        return self.cases.units

    @property
    def lists(self) -> EmergencyListService:
        return self.cases.lists

    @property
    def rounds(self) -> RoundsService:
        return self.cases.rounds


@cache
def plan() -> Plan:
    return read_plan()


def house() -> House:
    store, keys = MemoryEventStore(), MemoryKeys()
    streams = Streams(store, Codec(), Vault(keys, SEALING_KEY))
    refs = CitizenRefs(b"synthetic-test-pseudonym-key-01")
    cases = UseCases.over(streams, plan(), refs, MemoryAnswers(store), store)
    return House(store, keys, streams, cases)


@pytest.fixture
def app() -> House:
    return house()


@pytest.fixture(autouse=True)
def _in_memory_only(request: pytest.FixtureRequest) -> None:
    """The folder stays fast: no test here starts a database (every database fixture asks for
    `server_url`) or a server."""
    assert "server_url" not in request.fixturenames, (
        f"{request.node.name} asks for a database: it belongs in tests/service or tests/api"
    )


def ctx(
    key: Principal = LEADER, idempotency_key: str | None = None, body: object = None
) -> Context:
    """A request's context: who asks, under which Idempotency-Key with which body (what a retry
    must repeat), at the fixed `NOW`."""
    return Context(key, idempotency_key, ("POST", "", body), clock=lambda: NOW)


def receipt(answer: Answer) -> Receipt:
    """The store's receipt the answer's body carries (what the API answers with)."""
    return msgspec.convert(answer.body, Receipt)


def declaring(mode: str | None = None) -> c.DeclareIncident:
    """Nexus and FMK down at botilbud Solsikken (`tests.domain.people.nexus_and_fmk_down`)."""
    return c.DeclareIncident(
        title="Nexus og FMK utilgængelige",
        description=None,
        detected_via="employee",
        reported_by=ANNE,
        affected_systems=("nexus", "fmk"),
        affected_units=(UNIT,),
        occurred_at=THU_14_30,
        mode=mode,
    )


async def declare(app: House, mode: str | None = None) -> UUID:
    """Declare the outage; the id of the incident the answer names."""
    answer = await app.cases.declare_incident(declaring(mode), ctx())
    return UUID(str(answer.body["incident_id"]))


def step(
    incident_id: UUID,
    do: Callable[[Incident], None],
    at: datetime,
    expected_version: int | None = None,
) -> c.RecordStep:
    """A step of the plan on the incident: the incident's command `do`, taken at `at`."""
    return c.RecordStep(incident_id, lambda _: do, at, expected_version=expected_version)
