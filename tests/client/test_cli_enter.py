"""`nedbrud-client enter` with several records: one request for them all, each answered."""

from __future__ import annotations

import uuid

from tests.client.conftest import Server, declared
from tests.client.test_cli import Cli, cli, dispense_args

__all__ = ["cli"]  # the fixture


def test_several_records_are_entered_in_one_request_and_a_refused_one_is_named(
    cli: Cli, server: Server
) -> None:
    incident = str(declared(server, unit="botilbud-cli").incident_id)
    records = [
        cli.json(*dispense_args(incident, "--at", f"2026-03-05T16:0{n}:00+01:00"))["answer"][
            "record_id"
        ]
        for n in range(3)
    ]
    unknown = str(uuid.uuid4())
    entered = cli("enter", *records, unknown, "--by", "emp-1042", "--reference", "J-10")
    assert entered.returncode == 0, entered.stderr
    assert entered.stdout.startswith("Sendt: indtastet i journal: 4 registreringer")
    assert "3 taget imod, 1 afvist" in entered.stdout
    assert f"{unknown}: Not found" in entered.stdout
    shown = cli.json("worklist", "--unit", "botilbud-cli", "--status", "entered")
    assert set(records) <= {i["record_id"] for i in shown}
    again = cli.json("enter", *records, "--by", "emp-1042")
    assert {r["status"] for r in again["answer"]["results"]} == {"refused"}  # entered once
