"""Name-based ids (UUID version 5), as `uuid.uuid5` makes them, at a third of its cost.

Every write derives two or three of them (its event id from the Idempotency-Key, the stream's id
from the event id): `uuid.uuid5` builds its UUID through the checks of `UUID.__init__`, which is
most of its cost. The same SHA-1 and bits, set directly.
"""

from __future__ import annotations

import hashlib
from uuid import UUID, SafeUUID

_VERSION_5 = ~(0xF000 << 64) & ~(0xC000 << 48), (5 << 76) | (0x8000 << 48)


def uuid5(namespace: UUID, name: str) -> UUID:
    """Exactly `uuid.uuid5(namespace, name)`."""
    digest = hashlib.sha1(namespace.bytes + name.encode(), usedforsecurity=False).digest()
    keep, set_ = _VERSION_5
    made = object.__new__(UUID)
    object.__setattr__(made, "int", (int.from_bytes(digest[:16]) & keep) | set_)
    object.__setattr__(made, "is_safe", SafeUUID.unknown)
    return made
