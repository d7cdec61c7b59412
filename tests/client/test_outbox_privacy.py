"""The outbox keeps a citizen's CPR number, name and free text only while it may still send them:
once the server has a write (or its refusal has been seen and dismissed) they are gone from the
file, its write-ahead log and its free pages; and the files are the owner's alone."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from nedbrud_client import Call, Outbox, calls
from nedbrud_client import types as t
from nedbrud_client.problems import Unprocessable
from tests.client.conftest import AT

CPR = "010170-0000"
NAME = "Synthetic Borgersen"
NOTE = "faldt i badet, ringede til lægen"


def dispensing() -> Call[Any]:
    return calls.record_medication_dispensing(
        uuid4(),
        t.RecordMedicationDispensing(
            medication=t.MedicationIn(name="Paracetamol", dose="1 tabl."),
            dispensed_at=AT,
            citizen=t.CitizenIn(cpr=CPR, name=NAME),
            unit="botilbud-solsikken",
            by=t.PersonIn(id="emp-1042"),
            note=NOTE,
        ),
    )


def receipt(call: Call[Any]) -> dict[str, Any]:
    return {"event_id": str(uuid4()), "position": 7, "hash": "ab" * 32, "record_id": str(uuid4())}


def refused(call: Call[Any]) -> dict[str, Any]:
    raise Unprocessable(
        t.Problem(type="/problems/before-it-happened", title="Before it happened", status=422)
    )


def on_disk(path: Path) -> bytes:
    """Every byte of the outbox and its siblings."""
    return b"".join(
        Path(f"{path}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm", "-journal")
        if Path(f"{path}{suffix}").exists()
    )


def personal(data: bytes) -> list[str]:
    return [s for s in (CPR, NAME, NOTE) if s.encode() in data]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "outbox" / "outbox.sqlite3"


def test_the_outbox_and_its_siblings_are_readable_by_their_owner_only(path: Path) -> None:
    usual = os.umask(0o022)  # the usual umask, under which a new file is 0644
    try:
        outbox = Outbox(path)
        outbox.save(dispensing())
    finally:
        os.umask(usual)
    for suffix in ("", "-wal", "-shm"):
        mode = stat.S_IMODE(Path(f"{path}{suffix}").stat().st_mode)
        assert mode == 0o600, (suffix, oct(mode))
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    outbox.close()


def test_an_existing_world_readable_outbox_is_made_private_when_opened(path: Path) -> None:
    Outbox(path).close()
    path.chmod(0o644)
    Outbox(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_delivered_write_keeps_its_receipt_but_not_the_citizen(path: Path) -> None:
    outbox = Outbox(path)
    call = dispensing()
    item = outbox.save(call)
    assert personal(on_disk(path)) == [CPR, NAME, NOTE]  # kept until the server has it
    report = outbox.sync(receipt)
    assert report.delivered == 1
    assert outbox.body(item) is None
    assert personal(on_disk(path)) == []
    (kept,) = outbox.receipts()
    assert kept["position"] == 7
    assert outbox.items("delivered")[0].idempotency_key == call.idempotency_key
    outbox.close()
    assert personal(on_disk(path)) == []


def test_a_dead_letter_keeps_the_record_until_it_is_dismissed(path: Path) -> None:
    outbox = Outbox(path)
    item = outbox.save(dispensing(), "medicinudlevering botilbud-solsikken 14:30")
    outbox.sync(refused)
    (dead,) = outbox.items("dead")
    assert "Before it happened" in (dead.last_error or "")
    assert personal(outbox.body(item) or b"") == [CPR, NAME, NOTE]  # to be corrected
    assert outbox.dismiss(item)
    assert not outbox.dismiss(item)
    assert outbox.body(item) is None
    assert personal(on_disk(path)) == []
    (dismissed,) = outbox.items("dead")
    assert dismissed.label == "medicinudlevering botilbud-solsikken 14:30"
    assert dismissed.dismissed_at is not None
    outbox.close()


def test_an_outbox_of_an_earlier_version_is_cleared_of_delivered_bodies_when_opened(
    path: Path,
) -> None:
    outbox = Outbox(path)
    item = outbox.save(dispensing())
    outbox.close()
    old = sqlite3.connect(path)  # delivered as an earlier version did: the body left in
    old.execute("ALTER TABLE outbox DROP COLUMN dismissed_at")
    old.execute("UPDATE outbox SET state = 'delivered', answer = '{}' WHERE id = ?", (item,))
    old.commit()
    old.close()
    assert personal(on_disk(path)) != []
    reopened = Outbox(path)
    assert reopened.body(item) is None
    reopened.close()
    assert personal(on_disk(path)) == []
