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
from pathlib import Path

# Each pattern ends in `$(?!\n)`: in Python `$` also matches before a final newline, which the
# lookahead refuses; in other regex dialects `$` is already the end and the lookahead is idle.
REF_PATTERN = r"^cit_[a-z2-7]{24}$(?!\n)"
# Ten digits with a real day and month (DDMM; 29 February is a real birthday), then a dash or not.
_DAY_MONTH = r"(?:(?:0[1-9]|[12][0-9])(?:0[1-9]|1[0-2])|30(?:0[13-9]|1[0-2])|31(?:0[13578]|1[02]))"
CPR_PATTERN = rf"^{_DAY_MONTH}[0-9]{{2}}-?[0-9]{{4}}$(?!\n)"
KEY_FILE = "pseudonym.key"


def normalise_cpr(cpr: str) -> str | None:
    """The ten digits of a CPR number with a real day and month, or None."""
    if not re.search(CPR_PATTERN, cpr):
        return None
    return cpr.replace("-", "")


class CitizenRefs:
    """Turns CPR numbers into citizen refs under one secret key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonym key needs at least 16 bytes")
        self._key = key

    def ref_for(self, cpr: str) -> str:
        mac = hmac.new(self._key, cpr.encode(), hashlib.sha256).digest()
        return "cit_" + base64.b32encode(mac[:15]).decode().lower()

    def digest(self, data: bytes) -> bytes:
        """A keyed digest of a request that may name a citizen: kept to recognise the request
        when it comes again, it cannot confirm a guessed CPR number or name, not even after
        the citizen is forgotten."""
        return hmac.new(self._key, b"request\0" + data, hashlib.sha256).digest()


def load_or_create_key(data_dir: Path, name: str = KEY_FILE) -> bytes:
    """A secret in the data directory, made on first start (readable by this user only)."""
    path = data_dir / name
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
