"""The offline outbox: a write is on disk before anyone is told "saved", and reaches the server
exactly once, whenever the network comes back.

Each write is a `Call` with its Idempotency-Key made when it was built. `Outbox.save` stores it in
a local SQLite file (WAL, `synchronous=FULL`: the row is on disk when `save` returns). Delivery
takes the oldest due write first and sends it with its key, so a write sent twice (the reply was
lost, the client was killed mid-sync) is stored once by the server, which answers the second time
with the original receipt. A refusal (4xx) moves the write to the dead letters with the server's
reason and does not hold up the rest; a write the server could not take now (no answer, 429, 5xx)
waits: exponential backoff with full jitter, never earlier than Retry-After, so a hundred clients
coming back at once do not retry in step. A wrong or revoked key (401/403) stops delivery without
dead-lettering anything: it is the key, not the record, that needs fixing. Receipts are kept.

The file holds CPR numbers, names and free text only while they may still be needed: a write's
body is dropped the moment the server has it (the receipt stays), and a dead letter's once it is
dismissed (`dismiss`; until then it is kept to be corrected). SQLite overwrites what it frees
(`secure_delete`), and each sync ends with the write-ahead log folded back and truncated, so the
dropped bodies do not live on in free pages or old log frames. The file and its `-wal`/`-shm`
siblings are readable by their owner only (0600), in a folder made 0700.
"""

from __future__ import annotations

import contextlib
import os
import random
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from nedbrud_client.calls import Call
from nedbrud_client.problems import (
    ClientError,
    Forbidden,
    ProblemError,
    Refused,
    Retryable,
    Unauthorized,
    Unreachable,
)

BASE_DELAY_S = 0.5
MAX_DELAY_S = 15.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    operation       TEXT NOT NULL,
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    headers         TEXT NOT NULL,
    body            BLOB,
    label           TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    last_error      TEXT,
    http_status     INTEGER,
    answer          BLOB,
    settled_at      TEXT,
    dismissed_at    TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, id);
"""
# Files of an earlier version lack the columns added since.
_ADDED_COLUMNS = {"dismissed_at": "ALTER TABLE outbox ADD COLUMN dismissed_at TEXT"}
# What the outbox no longer needs of a settled write: the body (with any personal data in it).
_DROP_SETTLED_BODIES = (
    "UPDATE outbox SET body = NULL WHERE body IS NOT NULL "
    "AND (state = 'delivered' OR (state = 'dead' AND dismissed_at IS NOT NULL))"
)
PRIVATE = 0o600
SIBLINGS = ("", "-wal", "-shm", "-journal")


def _private_file(path: Path) -> None:
    """Create `path` (if new) readable by its owner only, and make it and its siblings so."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE))
    for suffix in SIBLINGS:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(f"{path}{suffix}", PRIVATE)


def _now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Item:
    """One write in the outbox."""

    id: int
    idempotency_key: str
    operation: str
    label: str
    created_at: str
    state: str
    attempts: int
    next_attempt_at: float
    last_error: str | None
    http_status: int | None
    answer: Any
    dismissed_at: str | None = None


@dataclass(frozen=True)
class Status:
    pending: int
    delivered: int
    dead: int
    next_attempt_in_s: float | None
    last_error: str | None


@dataclass
class SyncReport:
    """What one delivery run did."""

    delivered: int = 0
    dead: int = 0
    waiting: int = 0
    stopped_by: str | None = None  # why delivery stopped with writes still due (auth, network)


def backoff_delay(attempts: int, retry_after: float | None, rng: random.Random) -> float:
    """Full jitter: uniform in [0, min(cap, base * 2^attempts)], after Retry-After if given."""
    ceiling = min(MAX_DELAY_S, BASE_DELAY_S * 2**attempts)
    return (retry_after or 0.0) + rng.uniform(0, ceiling)


class Outbox:
    """A local SQLite outbox. One per device (or per test client); safe across processes."""

    def __init__(self, path: Path, *, rng: random.Random | None = None) -> None:
        self.path = path
        _private_file(path)
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA secure_delete=ON")
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)
        have = {row["name"] for row in self.db.execute("PRAGMA table_info(outbox)")}
        for column, statement in _ADDED_COLUMNS.items():
            if column not in have:
                self.db.execute(statement)
        _private_file(path)  # the -wal and -shm SQLite has just made
        self.lock = threading.Lock()
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
        # A file of an earlier version may hold delivered bodies: drop them, and rewrite the
        # file so that no free page keeps them.
        if self.db.execute(_DROP_SETTLED_BODIES).rowcount:
            self.db.execute("VACUUM")
            self.fold_log()

    def fold_log(self) -> None:
        """Fold the write-ahead log back into the file and truncate it: the old copies of the
        pages whose bodies were dropped go with it."""
        with self.lock:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self.db.close()

    def save(self, call: Call[Any], label: str = "") -> int:
        """Store the write durably; from here on it will reach the server. Returns its id."""
        key = call.idempotency_key
        if key is None:
            raise ValueError("only writes with an Idempotency-Key go through the outbox")
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                cursor = self.db.execute(
                    "INSERT INTO outbox (idempotency_key, operation, method, path, content_type, "
                    "headers, body, label, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (idempotency_key) DO NOTHING",
                    (
                        key,
                        call.operation,
                        call.method,
                        call.path,
                        call.content_type,
                        msgspec.json.encode(call.headers).decode(),
                        call.body,
                        label or call.operation,
                        _now_text(),
                    ),
                )
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        if cursor.rowcount == 0:  # saved before: the same write, not a second one
            found = self.db.execute(
                "SELECT id FROM outbox WHERE idempotency_key = ?", (key,)
            ).fetchone()
            return int(found["id"])
        return int(cursor.lastrowid or 0)

    def _item(self, row: sqlite3.Row) -> Item:
        return Item(
            id=row["id"],
            idempotency_key=row["idempotency_key"],
            operation=row["operation"],
            label=row["label"],
            created_at=row["created_at"],
            state=row["state"],
            attempts=row["attempts"],
            next_attempt_at=row["next_attempt_at"],
            last_error=row["last_error"],
            http_status=row["http_status"],
            answer=msgspec.json.decode(row["answer"]) if row["answer"] else None,
            dismissed_at=row["dismissed_at"],
        )

    def items(self, state: str | None = None) -> list[Item]:
        rows = self.db.execute(
            "SELECT * FROM outbox WHERE ? IS NULL OR state = ? ORDER BY id", (state, state)
        ).fetchall()
        return [self._item(r) for r in rows]

    def receipts(self) -> list[Any]:
        """The server's answers to every delivered write: receipts an auditor can check with
        `nedbrud verify --receipts`."""
        return [item.answer for item in self.items("delivered")]

    def status(self) -> Status:
        counts = dict(
            self.db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
        )
        head = self.db.execute(
            "SELECT next_attempt_at, last_error FROM outbox WHERE state = 'pending' "
            "ORDER BY id LIMIT 1"
        ).fetchone()
        wait = None if head is None else max(0.0, head["next_attempt_at"] - time.time())
        return Status(
            counts.get("pending", 0),
            counts.get("delivered", 0),
            counts.get("dead", 0),
            wait,
            None if head is None else head["last_error"],
        )

    def due(self) -> tuple[sqlite3.Row, Call[Any]] | None:
        """The oldest pending write if it is due now, as the call to send."""
        row = self.db.execute(
            "SELECT * FROM outbox WHERE state = 'pending' ORDER BY id LIMIT 1"
        ).fetchone()
        if row is None or row["next_attempt_at"] > time.time():
            return None
        call: Call[Any] = Call(
            row["operation"],
            row["method"],
            row["path"],
            dict,
            body=row["body"],
            content_type=row["content_type"],
            headers=msgspec.json.decode(row["headers"]),
        )
        return row, call

    def _settle(self, row: sqlite3.Row, state: str, status: int, answer: bytes) -> None:
        """Book the answer; a delivered write's body goes at once (the receipt stays)."""
        error = None
        if state == "dead":
            problem = msgspec.json.decode(answer) if answer else {}
            error = f"{status} {problem.get('title', '')}: {problem.get('detail') or ''}".strip()
        with self.lock:
            self.db.execute(
                "UPDATE outbox SET state = ?, http_status = ?, answer = ?, last_error = ?, "
                "attempts = attempts + 1, settled_at = ?, "
                "body = CASE WHEN ? = 'delivered' THEN NULL ELSE body END "
                "WHERE id = ? AND state = 'pending'",
                (state, status, answer, error, _now_text(), state, row["id"]),
            )

    def dismiss(self, item_id: int) -> bool:
        """A dead letter someone has seen (and corrected, or given up on): its body, with the
        personal data in it, is dropped; its label and the server's reason stay. False when
        there is no such dead letter."""
        with self.lock:
            cursor = self.db.execute(
                "UPDATE outbox SET dismissed_at = ?, body = NULL "
                "WHERE id = ? AND state = 'dead' AND dismissed_at IS NULL",
                (_now_text(), item_id),
            )
        self.fold_log()
        return cursor.rowcount == 1

    def body(self, item_id: int) -> bytes | None:
        """What a write sends, while the outbox still keeps it (pending, or dead and not yet
        dismissed)."""
        row = self.db.execute("SELECT body FROM outbox WHERE id = ?", (item_id,)).fetchone()
        return None if row is None or row["body"] is None else bytes(row["body"])

    def _postpone(self, row: sqlite3.Row, error: str, retry_after: float | None) -> None:
        delay = backoff_delay(row["attempts"], retry_after, self.rng)
        with self.lock:
            self.db.execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? "
                "WHERE id = ? AND state = 'pending'",
                (time.time() + delay, error, row["id"]),
            )

    def book(self, report: SyncReport, row: sqlite3.Row, outcome: object) -> bool:
        """Book one attempt's outcome: the answer (delivered), a refusal (dead letter), or a
        failure to try again later. True when delivery must stop here."""
        if isinstance(outcome, (Unauthorized, Forbidden)):
            self._postpone(row, str(outcome), None)
            report.stopped_by = f"the key was refused: {outcome}"
        elif isinstance(outcome, Refused):
            self._settle(row, "dead", outcome.status, msgspec.json.encode(outcome.problem))
            report.dead += 1
        elif isinstance(outcome, (Retryable, Unreachable)):
            retry_after = outcome.retry_after if isinstance(outcome, ProblemError) else None
            self._postpone(row, str(outcome), retry_after)
            report.stopped_by = str(outcome)
        elif isinstance(outcome, ClientError):
            raise outcome
        else:
            self._settle(row, "delivered", 200, msgspec.json.encode(outcome))
            report.delivered += 1
        report.waiting = self.status().pending
        return report.stopped_by is not None

    def sync(
        self,
        send: Callable[[Call[Any]], Any],
        *,
        progress: Callable[[SyncReport], None] | None = None,
    ) -> SyncReport:
        """Deliver every due write, oldest first, until none is due or one must wait."""
        report = SyncReport(waiting=self.status().pending)
        while (due := self.due()) is not None:
            row, call = due
            try:
                outcome: object = send(call)
            except ClientError as exc:
                outcome = exc
            stopped = self.book(report, row, outcome)
            if progress is not None:
                progress(report)
            if stopped:
                break
        if report.delivered:
            self.fold_log()
        return report

    async def sync_async(self, send: Callable[[Call[Any]], Awaitable[Any]]) -> SyncReport:
        """`sync` for an `AsyncClient`."""
        report = SyncReport(waiting=self.status().pending)
        while (due := self.due()) is not None:
            row, call = due
            try:
                outcome: object = await send(call)
            except ClientError as exc:
                outcome = exc
            if self.book(report, row, outcome):
                break
        if report.delivered:
            self.fold_log()
        return report
