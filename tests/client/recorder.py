"""A carer's laptop in a test: records dispensings into its outbox and syncs, until killed.

`python -m tests.client.recorder URL KEY OUTBOX INCIDENT TARGET CONFIRMED` saves dispensings until
CONFIRMED (one Idempotency-Key a line, each written after `Outbox.save` returned: what the carer
was told was saved) has TARGET lines, syncing every few records; `TARGET` 0 only syncs until the
outbox is empty. The test SIGKILLs it at random moments and starts it again.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

from nedbrud_client import Client, Outbox, calls
from nedbrud_client import types as t

AT = datetime.fromisoformat("2026-03-05T08:00:00+01:00")


def dispensing(n: int) -> t.RecordMedicationDispensing:
    return t.RecordMedicationDispensing(
        medication=t.MedicationIn(name="Paracetamol", dose="1 tabl."),
        dispensed_at=AT + timedelta(seconds=n),
        citizen=t.CitizenIn(ref="cit_" + "b" * 24),
        unit="botilbud-kill",
        by=t.PersonIn(id="emp-kill"),
    )


def main(url: str, key: str, path: str, incident: str, target: int, confirmed: str) -> None:
    outbox = Outbox(Path(path))
    with Client(url, key) as client, open(confirmed, "a+", encoding="utf-8") as said:
        said.seek(0)
        done = len(said.read().splitlines())
        while done < target:
            call = calls.record_medication_dispensing(UUID(incident), dispensing(done))
            outbox.save(call)
            said.write(f"{call.idempotency_key}\n")  # told "saved" only now
            said.flush()
            os.fsync(said.fileno())
            done += 1
            if done % 5 == 0:
                outbox.sync(client.send)
        while (status := outbox.status()).pending:
            time.sleep(status.next_attempt_in_s or 0)
            outbox.sync(client.send)


if __name__ == "__main__":
    url, key, path, incident, target, confirmed = sys.argv[1:7]
    main(url, key, path, incident, int(target), confirmed)
