"""An outage at a botilbud whose emergency list (nødliste) is imported as CSV, for the round
view's tests: times relative to now, so the round has something overdue, due and upcoming."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from nedbrud_client import Client
from nedbrud_client import types as t
from tests.client.conftest import Server

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
HEADER = (
    "cpr;name;vital_needs;item_id;kind;medication;strength;dose;route;service;times;"
    "window_minutes;vital"
)


def hhmm(delta: timedelta) -> str:
    return (datetime.now(COPENHAGEN) + delta).strftime("%H:%M")


@dataclass(frozen=True)
class Round:
    unit: str
    incident: UUID

    def url(self, server: Server, occurrence: UUID | None = None) -> str:
        """The round view's URL, as the paper kit's QR codes give it."""
        q = f"unit={self.unit}&incident={self.incident}"
        return f"{server.url}/dashboard/#/runde?{q}" + (
            f"&occurrence={occurrence}" if occurrence else ""
        )

    def rounds(self, server: Server) -> t.RoundsView:
        with Client(server.url, server.key) as client:
            return client.get_rounds(self.incident, unit=self.unit)

    def occurrence(self, server: Server, item_id: str) -> t.OccurrenceView:
        return next(o for o in self.rounds(server).occurrences if o.item_id == item_id)


def list_csv() -> bytes:
    """Aase's vital insulin two hours ago (overdue), Bent's paracetamol and morning help now (due),
    Carl's evening medicine in three hours (upcoming), Dorte's visit due for a minute more.
    Synthetic CPR numbers."""
    now, before, later = hhmm(timedelta()), hhmm(timedelta(hours=-2)), hhmm(timedelta(hours=3))
    aase = "0101901234;Aase Testesen;Insulinkrævende diabetes"
    bent = "0202801234;Bent Prøvesen;"
    rows = [
        HEADER,
        f"{aase};insulin;medication;NovoRapid;100 IE/ml;8 IE;s.c.;;{before};60;ja",
        f"{bent};panodil;medication;Panodil;500 mg;2 tabl.;oral;;{now};120;",
        f"{bent};morgenhjaelp;care;;;;;Morgenhjælp;{now};120;",
        f"0303701234;Carl Eksempel;;aften;medication;Zopiclon;7,5 mg;1 tabl.;oral;;{later};60;",
        # Due for one or two more minutes: overdue then, with no event to say so.
        f"0404601234;Dorte Eksempel;;tilsyn;care;;;;;Tilsyn;{hhmm(timedelta(minutes=-28))};60;",
    ]
    return ("\n".join(rows) + "\n").encode()


def import_with_cli(server: Server, unit: str, folder: Path) -> None:
    """`nedbrud-client list import`, as a unit leader would run it on the care system's export."""
    csv = folder / "nodliste.csv"
    csv.write_bytes(list_csv())
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEDBRUD_")}
    command = ["list", "import", str(csv), "--unit", unit, "--by", "emp-1042"]
    done = subprocess.run(
        [sys.executable, "-m", "nedbrud_client.cli", *command],
        env=env | {"NEDBRUD_URL": server.url, "NEDBRUD_KEY": server.key},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "version 1" in done.stdout


def round_outage(server: Server, unit: str | None = None, cli_in: Path | None = None) -> Round:
    """A new unit with its list imported from CSV (over the API, or with the command line from
    the folder `cli_in`), and an outage there since three hours ago."""
    unit = unit or f"botilbud-runde-{uuid4().hex[:8]}"
    if cli_in is not None:
        import_with_cli(server, unit, cli_in)
    with Client(server.url, server.key) as client:
        if cli_in is None:
            client.put_emergency_list_csv(unit, list_csv(), by="emp-1042")
        declared = client.declare_incident(
            t.DeclareIncident(
                title="Nexus nede på botilbuddet",
                detected_via="employee",
                reported_by=t.PersonIn(id="emp-1"),
                affected_systems=["nexus", "fmk"],
                affected_units=[unit],
                occurred_at=datetime.now(UTC) - timedelta(hours=3),
            )
        )
    return Round(unit, declared.incident_id)


def staff_key(server: Server, unit: str, label: str) -> str:
    """A carer's key for the unit alone."""
    with Client(server.url, server.key) as client:
        return client.create_key(t.KeyIn(role="staff", label=label, units=[unit])).key
