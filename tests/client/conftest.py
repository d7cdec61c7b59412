"""A real `nedbrud serve` for the client's tests, and a key for each role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest

from nedbrud_client import Client
from nedbrud_client import types as t
from tests.e2e.conftest import running_server
from tests.e2e.test_server_roundtrip import KEY

AT = datetime.fromisoformat("2026-03-05T14:30:00+01:00")


@dataclass(frozen=True)
class Server:
    url: str
    key: str
    env: dict[str, str]


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[Server]:
    env = {
        "DATABASE_URL": database_url,
        "NEDBRUD_BOOTSTRAP_KEY": KEY,
        "NEDBRUD_RATE_PER_SECOND": "100000",
        "NEDBRUD_RATE_BURST": "100000",
    }
    with running_server(env) as (base, _):
        yield Server(base, KEY, env)


def declared(
    server: Server, unit: str = "botilbud-solsikken", also: tuple[str, ...] = ()
) -> t.IncidentDeclared:
    """An open outage at `unit` (and the units `also`), declared through the client."""
    with Client(server.url, server.key) as client:
        return client.declare_incident(
            t.DeclareIncident(
                title="Nexus nede",
                detected_via="employee",
                reported_by=t.PersonIn(id="emp-1"),
                affected_systems=["nexus", "fmk"],
                affected_units=[unit, *also],
                occurred_at=AT,
            )
        )
