"""`nedbrud-client` against a live server: every command, as a person reads it and as JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from nedbrud_client import cli as client_cli
from tests.client.conftest import Server, declared
from tests.e2e.conftest import free_port

CPR = "010170-0000"


class Cli:
    """Runs the command line the way a carer's laptop would, with its own outbox file."""

    def __init__(self, server: Server, outbox: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("NEDBRUD_")} | {
            "NEDBRUD_URL": server.url,
            "NEDBRUD_KEY": server.key,
            "NEDBRUD_OUTBOX": str(outbox),
        }

    def __call__(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "nedbrud_client.cli", *args],
            env=self.env | env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def json(self, *args: str, **env: str) -> Any:
        done = self("--json", *args, **env)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


@pytest.fixture
def cli(server: Server, tmp_path: Path) -> Cli:
    return Cli(server, tmp_path / "outbox.sqlite3")


def dispense_args(incident: str, *extra: str) -> list[str]:
    return [
        "dispense",
        incident,
        "--unit",
        "botilbud-cli",
        "--cpr",
        CPR,
        "--name",
        "Synthetic Borger",
        "--medication",
        "Paracetamol",
        "--dose",
        "2 tabl.",
        "--by",
        "emp-1042",
        "--at",
        "2026-03-05T16:00:00+01:00",
        *extra,
    ]


def test_a_carer_declares_records_and_reads_back_in_human_form(cli: Cli) -> None:
    declare = cli(
        "declare", "--title", "Nexus nede", "--system", "nexus", "--unit", "botilbud-cli",
        "--by", "emp-1042", "--at", "2026-03-05T14:30:00+01:00",
    )  # fmt: skip
    assert declare.returncode == 0, declare.stderr
    assert declare.stdout.startswith("Sendt: nedbrud 'Nexus nede'")
    incident = cli.json("situation")["incidents"]
    mine = next(
        i for i in incident if i["title"] == "Nexus nede" and "botilbud-cli" in i["affected_units"]
    )
    incident_id = mine["incident_id"]

    dispensed = cli(*dispense_args(incident_id))
    assert dispensed.returncode == 0, dispensed.stderr
    assert dispensed.stdout.startswith("Sendt: medicinudlevering botilbud-cli")
    assert CPR not in dispensed.stdout
    cared = cli(
        "care", incident_id, "--unit", "botilbud-cli", "--cpr", CPR, "--service",
        "personlig pleje", "--status", "partly", "--by", "emp-1042", "--at", "17:00",
    )  # fmt: skip
    assert cared.returncode == 0, cared.stderr
    step = cli("step", incident_id, "it-contacted", "method=phone", "--by", "emp-1042")
    assert step.returncode == 0, step.stderr
    assert step.stdout.startswith("Sendt: it-contacted")

    situation = cli("situation")
    assert situation.stdout.startswith("Ring nu til:")
    assert "Nexus nede" in situation.stdout
    call_now = cli("call-now")
    assert call_now.stdout.startswith("Ring nu til ")
    assert "Gælder til" in call_now.stdout
    timeline = cli("timeline", incident_id)
    assert "incident-detected" in timeline.stdout
    assert "medication-dispensed" in timeline.stdout
    worklist = cli("worklist", "--unit", "botilbud-cli")
    assert "Paracetamol" in worklist.stdout
    assert "personlig pleje" in worklist.stdout
    status = cli("outbox", "status")
    assert status.stdout.startswith("Venter: 0  Sendt: 4  Afvist: 0")
    record = cli.json("worklist", "--unit", "botilbud-cli")[0]["record_id"]
    entered = cli("enter", record, "--by", "emp-1042", "--reference", "J-9")
    assert entered.stdout.startswith(f"Sendt: indtastet i journal: {record}")
    assert cli("outbox", "sync").stdout.startswith("Sendt: 0  Afvist: 0  Venter: 0")
    assert cli("outbox", "dead-letters").stdout.splitlines()[0].split() == [
        "nr", "gemt", "hvad", "afvist", "fordi",
    ]  # fmt: skip


def test_every_command_answers_json_for_scripts(cli: Cli, server: Server, tmp_path: Path) -> None:
    declare = cli.json(
        "declare", "--title", "FMK nede", "--system", "fmk", "--unit", "botilbud-json",
        "--by", "emp-1", "--mode", "exercise",
    )  # fmt: skip
    assert declare["state"] == "delivered"
    assert declare["answer"]["incident_id"]
    incident = str(declared(server, unit="botilbud-json").incident_id)
    cared = cli.json(
        "care", incident, "--unit", "botilbud-json", "--ref", "cit_" + "c" * 24,
        "--service", "bad", "--status", "missed", "--by", "emp-1",
    )  # fmt: skip
    assert cared["state"] == "delivered"
    assert cared["answer"]["citizen_ref"] == "cit_" + "c" * 24
    dispensed = cli.json(*dispense_args(incident, "--unit", "botilbud-json"))
    assert dispensed["state"] == "delivered"
    record = dispensed["answer"]["record_id"]
    assert dispensed["answer"]["citizen_ref"].startswith("cit_")
    stepped = cli.json("step", incident, "note-added", "text=Papir udleveret", "--by", "emp-1")
    assert stepped["state"] == "delivered"

    assert any(i["incident_id"] == incident for i in cli.json("situation")["incidents"])
    assert cli.json("call-now")["channel"] in ("service-desk", "it-vagt", "beredskab")
    timeline = cli.json("timeline", incident)
    assert [e["type"] for e in timeline][:1] == ["incident-detected"]
    csv_file = tmp_path / "tidslinje.csv"
    exported = cli("timeline", incident, "--csv", str(csv_file))
    assert exported.returncode == 0
    assert csv_file.read_text(encoding="utf-8").count("\n") == len(timeline) + 1

    pending = cli.json("worklist", "--unit", "botilbud-json")
    assert {i["record_id"] for i in pending} == {record, cared["answer"]["record_id"]}
    entered = cli.json("enter", record, "--by", "emp-1", "--reference", "J-1")
    assert entered["state"] == "delivered"
    assert [i["record_id"] for i in cli.json("worklist", "--unit", "botilbud-json")] == [
        cared["answer"]["record_id"]
    ]
    assert [
        i["record_id"]
        for i in cli.json("worklist", "--unit", "botilbud-json", "--status", "entered")
    ] == [record]

    assert cli.json("outbox", "status")["pending"] == 0
    assert cli.json("outbox", "sync")["delivered"] == 0
    assert cli.json("outbox", "dead-letters") == []
    receipts = [json.loads(line) for line in cli("outbox", "receipts").stdout.splitlines()]
    assert {r["event_id"] for r in receipts} >= {dispensed["answer"]["event_id"]}


def test_offline_the_record_is_kept_and_sent_when_the_network_is_back(
    cli: Cli, server: Server
) -> None:
    incident = str(declared(server, unit="botilbud-offline").incident_id)
    nowhere = f"http://127.0.0.1:{free_port()}"
    saved = cli(*dispense_args(incident, "--unit", "botilbud-offline"), NEDBRUD_URL=nowhere)
    assert saved.returncode == 0, saved.stderr
    assert saved.stdout.startswith("Gemt lokalt: medicinudlevering botilbud-offline")
    assert cli.json("outbox", "status", NEDBRUD_URL=nowhere)["pending"] == 1
    unreachable = cli("situation", NEDBRUD_URL=nowhere)
    assert unreachable.returncode == 4
    assert "Serveren kan ikke nås" in unreachable.stderr

    synced = cli.json("outbox", "sync", "--wait", "30")
    assert (synced["delivered"], synced["waiting"]) == (1, 0)
    assert len(cli.json("worklist", "--unit", "botilbud-offline")) == 1


def test_refusals_have_their_own_exit_codes_and_change_nothing(cli: Cli, server: Server) -> None:
    incident = str(declared(server, unit="botilbud-refused").incident_id)
    invalid = cli(*dispense_args(incident, "--cpr", "320170-0000"))
    assert invalid.returncode == 2
    assert "Ugyldigt input, intet er gemt" in invalid.stderr
    assert "cpr" in invalid.stderr
    assert "320170" not in invalid.stderr
    assert cli.json("outbox", "status") == {
        "pending": 0, "delivered": 0, "dead": 0, "next_attempt_in_s": None, "last_error": None,
    }  # fmt: skip

    unknown = "00000000-0000-4000-8000-000000000000"
    refused = cli(*dispense_args(unknown))
    assert refused.returncode == 3
    assert "Afvist af serveren" in refused.stderr
    dead = cli.json("outbox", "dead-letters")
    assert len(dead) == 1
    assert dead[0]["reason"].startswith("404")

    wrong_key = cli("situation", NEDBRUD_KEY="nbd_not-a-key")
    assert wrong_key.returncode == 5
    assert "Nøglen blev afvist" in wrong_key.stderr


@pytest.mark.parametrize(
    ("typed_at", "typed", "meant"),
    [
        ("2026-03-05T18:30:00+01:00", "17:00", "2026-03-05T17:00:00+01:00"),
        ("2026-03-06T01:00:00+01:00", "17:00", "2026-03-05T17:00:00+01:00"),  # last evening
        ("2026-03-05T17:00:00+01:00", "17:00", "2026-03-05T17:00:00+01:00"),
        ("2026-03-05T16:59:00+01:00", "17:00", "2026-03-04T17:00:00+01:00"),
    ],
)
def test_a_time_of_day_means_the_last_time_the_clock_showed_it(
    monkeypatch: pytest.MonkeyPatch, typed_at: str, typed: str, meant: str
) -> None:
    """A carer typing --at 17:00 after midnight means the evening before, not a time to come
    (which the server would refuse as lying in the future)."""
    monkeypatch.setenv("TZ", "Europe/Copenhagen")
    time.tzset()
    try:
        monkeypatch.setattr(client_cli, "now", lambda: datetime.fromisoformat(typed_at))
        assert client_cli.when(typed) == datetime.fromisoformat(meant)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_table_shows_times_as_the_clock_on_the_wall_in_copenhagen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time as clock
    from datetime import UTC
    from datetime import datetime as moment

    from nedbrud_client.cli import table

    monkeypatch.setenv("TZ", "Europe/Copenhagen")
    clock.tzset()
    try:
        shown = table([(moment(2026, 3, 5, 13, 30, tzinfo=UTC), None)], ["tid", "note"])
    finally:
        monkeypatch.delenv("TZ")
        clock.tzset()
    assert shown.splitlines()[2].startswith("05.03.2026 14:30")
