"""`nedbrud-client` and the rounds: a unit imports its emergency list as CSV, a carer reads the
round in Danish with vital overdue first, and records the dose for its occurrence."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

import pytest

from nedbrud_client import types as t
from nedbrud_client.client import Client
from tests.client.conftest import Server
from tests.client.test_cli import Cli

HEADER = (
    "cpr;name;vital_needs;item_id;kind;medication;strength;dose;route;service;times;days;"
    "window_minutes;vital"
)


@pytest.fixture
def cli(server: Server, tmp_path: Path) -> Cli:
    return Cli(server, tmp_path / "outbox.sqlite3")


def test_a_list_imported_as_csv_gives_the_round_and_a_dose_is_recorded_for_it(
    cli: Cli, server: Server, tmp_path: Path
) -> None:
    unit = f"botilbud-cli-{uuid.uuid4().hex[:8]}"
    csv = tmp_path / "nodliste.csv"
    csv.write_bytes(
        "\ufeff".encode()
        + (
            f"{HEADER}\n"
            "0101700000;Aase Testesen;Diabetes;insulin-morgen;medication;NovoRapid;;8 IE;s.c.;;"
            "08:00;;60;ja\n"
            "0202700000;Bent Prøvesen;;morgenhjaelp;care;;;;;Morgenhjælp;07:30;;90;\n"
        ).encode()
    )
    kept = cli("list", "import", str(csv), "--unit", unit, "--by", "emp-1042",
               "--as-of", "2026-03-01T06:00:00+01:00")  # fmt: skip
    assert kept.returncode == 0, kept.stderr
    assert "version 1" in kept.stdout
    with Client(server.url, server.key) as client:
        incident = client.declare_incident(
            t.DeclareIncident(
                title="Nexus nede",
                detected_via="employee",
                reported_by=t.PersonIn(id="emp-1"),
                affected_systems=["nexus"],
                affected_units=[unit],
                occurred_at=datetime.fromisoformat("2026-03-05T07:00:00+01:00"),
            )
        ).incident_id
    at = ("--at", "2026-03-05T09:00:00+01:00")
    shown = cli("rounds", str(incident), "--unit", unit, *at)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert "overskredet 2 (livsvigtige 1)" in lines[0]
    first = next(line for line in lines if "LIVSVIGTIG" in line)
    assert "overskredet" in first
    assert lines.index(first) == 4  # the first row of the table: vital overdue first
    round_ = cli.json("rounds", str(incident), "--unit", unit, *at)
    occurrence = round_["occurrences"][0]["occurrence_id"]
    given = cli("dispense", str(incident), "--unit", unit, "--ref",
                round_["occurrences"][0]["citizen_ref"], "--medication", "NovoRapid",
                "--dose", "8 IE", "--by", "emp-1042", "--at", "2026-03-05T08:05:00+01:00",
                "--occurrence", occurrence)  # fmt: skip
    assert given.returncode == 0, given.stderr
    after = cli.json("rounds", str(incident), "--unit", unit, *at)
    assert after["counts"]["given"] == 1
    assert after["counts"]["overdue_vital"] == 0
