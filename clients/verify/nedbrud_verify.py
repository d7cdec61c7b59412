#!/usr/bin/env python3
"""An auditor's own check of a nedbrud log, in the Python standard library alone.

It recomputes the hash chain of the `events` table from its rows, checks the latest signed
checkpoint (Ed25519) against the log, and checks receipts that clients kept, without importing
anything of nedbrud: README.md beside this file defines the canonical bytes it hashes. Rows come
from a CSV export of the table (`--csv`) or straight from the database through `psql`
(`--database`). It prints one JSON line, `{"ok", "checked", "first_bad_position", "checkpoint",
"receipts"}`, the same answer as `nedbrud verify`, and exits 0 when everything holds, 1 when not.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

GENESIS = bytes(32)
COLUMNS = (
    "position", "event_id", "stream_id", "stream_type", "version", "type", "payload", "sealed",
    "occurred_at", "recorded_at", "actor", "source", "correlation_id", "causation_id", "mode",
    "content_digest", "hash",
)  # fmt: skip
ROWS = f"SELECT {', '.join(COLUMNS)} FROM events ORDER BY position"
EXPORT = f"COPY ({ROWS}) TO STDOUT CSV HEADER"


# --- The canonical bytes and the chain ------------------------------------------------------


def utc_text(text: str) -> str:
    """A timestamptz as PostgreSQL prints it, as the chain writes it: UTC, microseconds, Z."""
    return datetime.fromisoformat(text).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def bytea(text: str) -> bytes:
    """A bytea in PostgreSQL's hex output (`\\x0a1b…`)."""
    if not text.startswith("\\x"):
        raise ValueError("bytea is not in hex output (set bytea_output = 'hex')")
    return bytes.fromhex(text[2:])


def _no_floats(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError("a payload holds a number with a fraction, which no event type has")
    return value


def canonical_bytes(row: dict[str, str | None]) -> bytes:
    """The bytes a row's hash covers: a JSON array of its columns, keys sorted at every level,
    no spaces, UTF-8 unescaped; NULL is null, sealed is base64, content_digest is hex."""

    def text(name: str) -> str | None:
        return row[name] if row[name] not in (None, "") else None

    sealed = text("sealed")
    payload = json.loads(row["payload"] or "null", parse_float=_no_floats)
    values = [
        int(row["position"] or 0),
        row["event_id"],
        row["stream_id"],
        row["stream_type"],
        int(row["version"] or 0),
        row["type"],
        payload,
        None if sealed is None else base64.b64encode(bytea(sealed)).decode(),
        utc_text(row["occurred_at"] or ""),
        utc_text(row["recorded_at"] or ""),
        text("actor"),
        text("source"),
        text("correlation_id"),
        text("causation_id"),
        row["mode"],
        bytea(row["content_digest"] or "").hex(),
    ]
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def verify_chain(rows: Iterable[dict[str, str | None]]) -> dict[str, Any]:
    """Walk the rows in position order; name the first whose position, content or hash is off."""
    previous, expected, checked = GENESIS, 1, 0
    for row in rows:
        position = int(row["position"] or 0)
        if position != expected:
            return {"ok": False, "checked": checked, "first_bad_position": expected}
        computed = hashlib.sha256(previous + canonical_bytes(row)).digest()
        if computed != bytea(row["hash"] or ""):
            return {"ok": False, "checked": checked, "first_bad_position": position}
        previous, expected, checked = computed, expected + 1, checked + 1
    return {"ok": True, "checked": checked, "first_bad_position": None}


# --- Ed25519 signature verification (RFC 8032, section 5.1.7) -----------------------------------

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)
Point = tuple[int, int, int, int]  # extended coordinates (X, Y, Z, T)


def _x_of(y: int, sign: int) -> int | None:
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P:
        return None
    return _P - x if (x & 1) != sign else x


def _add(a: Point, b: Point) -> Point:
    k = (a[1] - a[0]) * (b[1] - b[0]) % _P
    m = (a[1] + a[0]) * (b[1] + b[0]) % _P
    c = 2 * a[3] * b[3] * _D % _P
    z = 2 * a[2] * b[2] % _P
    e, f, g, h = m - k, z - c, z + c, m + k
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _times(scalar: int, point: Point) -> Point:
    result: Point = (0, 1, 1, 0)
    while scalar:
        if scalar & 1:
            result = _add(result, point)
        point, scalar = _add(point, point), scalar >> 1
    return result


def _point(encoded: bytes) -> Point | None:
    y = int.from_bytes(encoded, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    x = _x_of(y, sign)
    return None if x is None else (x, y, 1, x * y % _P)


_BASE_Y = 4 * pow(5, _P - 2, _P) % _P
_BASE = _point(_BASE_Y.to_bytes(32, "little"))


def ed25519_verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """Is `signature` the signature of `message` by the holder of `public_key`?"""
    if len(public_key) != 32 or len(signature) != 64 or _BASE is None:
        return False
    a, r = _point(public_key), _point(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= _L:
        return False
    digest = hashlib.sha512(signature[:32] + public_key + message).digest()
    h = int.from_bytes(digest, "little") % _L
    left, right = _times(s, _BASE), _add(r, _times(h, a))
    return (left[0] * right[2] - right[0] * left[2]) % _P == 0 and (
        left[1] * right[2] - right[1] * left[2]
    ) % _P == 0


# --- Checkpoints and receipts ---------------------------------------------------------------


def latest_checkpoint(directory: Path) -> dict[str, Any] | None:
    files = sorted(directory.glob("checkpoint-*.json")) if directory.is_dir() else []
    return json.loads(files[-1].read_text(encoding="utf-8")) if files else None


def check_checkpoint(
    checkpoint: dict[str, Any], trusted: bytes, hashes: dict[int, bytes]
) -> dict[str, Any]:
    """Signed by the trusted key, and the log still holds the signed hash at its position."""
    position = int(checkpoint["position"])
    signed = {k: v for k, v in checkpoint.items() if k != "signature"}
    message = json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        signature = base64.b64decode(checkpoint.get("signature", ""), validate=True)
    except ValueError:
        signature = b""
    if checkpoint.get("public_key") != trusted.hex() or not ed25519_verify(
        trusted, message.encode(), signature
    ):
        return _check(False, position, "the checkpoint's signature does not verify", None)
    last = max(hashes, default=0)
    if last < position:
        why = f"the log ends at position {last}, before the checkpoint's {position}"
        return _check(False, position, why + ": its tail was removed", last + 1)
    if hashes.get(position, b"").hex() != checkpoint["hash"]:
        why = f"the hash at position {position} is not the one signed: the chain was rewritten"
        return _check(False, position, why, position)
    return _check(True, position, None, None)


def _check(ok: bool, position: int, problem: str | None, bad: int | None) -> dict[str, Any]:
    return {"ok": ok, "position": position, "problem": problem, "first_bad_position": bad}


def check_receipts(receipts: list[dict[str, Any]], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Each receipt's event must be in the log where the receipt says, with the same hash."""
    stored = {row["event_id"]: row for row in rows}

    def holds(receipt: dict[str, Any]) -> bool:
        row = stored.get(str(receipt["event_id"]).lower())
        if row is None:
            return False
        held = (row["stream_id"], int(row["version"]), int(row["position"]), row["hash"][2:])
        said = (str(receipt["stream_id"]).lower(), int(receipt["version"]),
                int(receipt["position"]), str(receipt["hash"]).lower())  # fmt: skip
        return held == said

    return {"checked": len(receipts), "bad": [str(r["event_id"]) for r in receipts if not holds(r)]}


# --- Reading the rows -----------------------------------------------------------------------


def rows_from_csv(stream: Iterable[str]) -> Iterator[dict[str, str | None]]:
    """Rows of a CSV export with a header (`\\copy (SELECT …) TO 'f.csv' CSV HEADER`); an
    unquoted empty field is NULL, as PostgreSQL writes it."""
    reader = csv.reader(stream)
    header = next(reader, None)
    if header is None:
        return
    missing = set(COLUMNS) - set(header)
    if missing:
        raise ValueError(f"the export lacks the columns {sorted(missing)}")
    for values in reader:
        pairs = zip(header, values, strict=True)
        yield {name: (value if value != "" else None) for name, value in pairs}


def rows_from_database(url: str, psql: str) -> list[dict[str, str | None]]:
    """The whole table, exported through psql in one repeatable-read snapshot, times in UTC."""
    done = subprocess.run(
        [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", EXPORT],
        env=os.environ | {"PGTZ": "UTC", "PGOPTIONS": "-c bytea_output=hex"},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"nedbrud_verify: psql failed: {done.stderr.strip()}")
    return list(rows_from_csv(io.StringIO(done.stdout)))


def verify(
    rows: list[dict[str, str | None]],
    checkpoints: Path | None,
    trusted: bytes | None,
    receipts: list[dict[str, Any]] | None,
) -> dict[str, Any]:
    result = verify_chain(sorted(rows, key=lambda row: int(row["position"] or 0)))
    checkpoint = latest_checkpoint(checkpoints) if checkpoints is not None else None
    if checkpoint is not None and trusted is not None:
        hashes = {int(row["position"] or 0): bytea(row["hash"] or "") for row in rows}
        result["checkpoint"] = check_checkpoint(checkpoint, trusted, hashes)
        result["ok"] = result["ok"] and result["checkpoint"]["ok"]
    else:
        result["checkpoint"] = None
        print(
            "warning: no checkpoint or no key: a removed tail or a rewritten chain cannot be "
            "detected",
            file=sys.stderr,
        )
    if receipts is not None:
        result["receipts"] = check_receipts(receipts, rows)
        result["ok"] = result["ok"] and not result["receipts"]["bad"]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--csv", type=Path, help="a CSV export of the events table, with header")
    source.add_argument("--database", help="a PostgreSQL URL, read through psql")
    parser.add_argument("--psql", default="psql", help="the psql to use with --database")
    parser.add_argument("--checkpoints", type=Path, help="the folder of checkpoint-*.json files")
    parser.add_argument("--public-key", help="the trusted Ed25519 public key, in hex")
    parser.add_argument("--receipts", type=Path, help="receipts, one JSON object per line")
    args = parser.parse_args(argv)
    if args.csv is not None:
        with args.csv.open(encoding="utf-8", newline="") as stream:
            rows = list(rows_from_csv(stream))
    else:
        rows = rows_from_database(args.database, args.psql)
    receipts = None
    if args.receipts is not None:
        lines = args.receipts.read_text(encoding="utf-8").splitlines()
        receipts = [json.loads(line) for line in lines if line.strip()]
    trusted = bytes.fromhex(args.public_key) if args.public_key else None
    result = verify(rows, args.checkpoints, trusted, receipts)
    print(json.dumps(result))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
