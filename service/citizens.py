"""Citizens are named in events by an opaque `citizen_ref`, never by CPR number.

The ref is an HMAC of the CPR number under a key kept outside the database, so the same citizen
gets the same ref on every record (the back-entry worklist groups by it), and a copy of the log
cannot be turned back into CPR numbers by trying all ten-digit numbers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from datetime import date
from pathlib import Path

REF_PATTERN = r"^cit_[a-z2-7]{24}$"
CPR_PATTERN = r"^[0-9]{6}-?[0-9]{4}$"
KEY_FILE = "pseudonym.key"


def normalise_cpr(cpr: str) -> str | None:
    """The ten digits of a CPR number with a real day and month, or None."""
    digits = cpr.replace("-", "")
    if not re.fullmatch(r"[0-9]{10}", digits):
        return None
    day, month = int(digits[0:2]), int(digits[2:4])
    try:
        date(2000, month, day)  # a leap year: 29 February is a real birthday
    except ValueError:
        return None
    return digits


class CitizenRefs:
    """Turns CPR numbers into citizen refs under one secret key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonym key needs at least 16 bytes")
        self._key = key

    def ref_for(self, cpr: str) -> str:
        mac = hmac.new(self._key, cpr.encode(), hashlib.sha256).digest()
        return "cit_" + base64.b32encode(mac[:15]).decode().lower()


def load_or_create_key(data_dir: Path) -> bytes:
    """The key in the data directory, made on first start (readable by this user only)."""
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
    return path.read_bytes().strip()
