"""Sealing: the personal part of an event is encrypted under its data subject's own key.

A data subject is a citizen (every event of a paper record is sealed under the citizen's key) or,
for staff names and free text in an incident or a unit, that stream. Each subject's data key is
made on its first sealed event, wrapped (AES-GCM) under a key-encryption key that lives outside the
database, and kept in `keyring.subject_keys`, apart from the events. `nedbrud forget` deletes a
citizen's key: the sealed parts stay in the log, byte for byte, so the chain still verifies, but
nobody can open them any more (crypto-shredding).

A sealed part is: format byte, 8-byte key id, subject length, subject, 12-byte nonce, AES-GCM
ciphertext and tag. The associated data binds it to its event id, key and subject, so a sealed
part cannot be moved to another event. A subject forgotten and then written about again gets a new
key with a new id; what was sealed under the deleted one stays erased.

An event about many subjects (an emergency list: each citizen's identity, needs and medication)
has a many-subject sealed part: format byte 2, a 2-byte count, then each subject's own sealed
part as above (4-byte length, then the part), the stream's own first. Each part holds the sealed
paths of one subject, bound to the event id and that subject; forgetting one citizen leaves the
others' parts readable, and the event's bytes, so the chain, unchanged.

The nonce is an HMAC of the event id and the plaintext under the data key: the same event sent
again seals to the same bytes, so a retry still matches its stored content digest, and two
different plaintexts never share a nonce.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, runtime_checkable
from uuid import UUID

import asyncpg
import msgspec
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from service.log.coalesce import Coalescer
from service.log.events import NewEvent, RecordedEvent
from service.log.store import fetch

FORMAT = 1
FORMAT_MANY = 2
KEY_ID_BYTES = 8
NONCE_BYTES = 12
KEY_FILE = "sealing.key"

# A new key is committed without waiting for its own flush (synchronous_commit off for this one
# transaction): nothing is acknowledged on it alone. The event sealed under it commits later with
# a synchronous commit, which flushes the WAL up to its own commit record and so past the key's;
# a crash before that loses an unused key and an unacknowledged event. Without this, each new
# subject (every declared incident) would cost an fsync of its own outside group commit.
_GET_OR_ADD = """
WITH unflushed AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true)),
offered AS (
    SELECT * FROM unnest($1::bytea[], $2::text[], $3::bytea[]) AS o(key_id, subject, wrapped)
),
added AS (
    INSERT INTO keyring.subject_keys (key_id, subject, wrapped)
    SELECT o.key_id, o.subject, o.wrapped FROM offered o, unflushed
    ON CONFLICT (subject) DO NOTHING RETURNING key_id, subject, wrapped
)
SELECT key_id, subject, wrapped FROM added
UNION ALL
SELECT k.key_id, k.subject, k.wrapped FROM keyring.subject_keys k JOIN offered o USING (subject)
"""


class WrappedKey(NamedTuple):
    """One row of the key table: a subject's data key, wrapped under the key-encryption key."""

    key_id: bytes
    subject: str
    wrapped: bytes


@runtime_checkable
class KeyTable(Protocol):
    """Where the wrapped data keys are kept, apart from the events."""

    async def get_or_add(self, offered: Sequence[WrappedKey]) -> list[WrappedKey]:
        """The key of each offered subject: the one kept, or the one offered, added now."""
        ...

    async def present(self, key_ids: list[bytes]) -> frozenset[bytes]:
        """Which of these keys exist."""
        ...

    async def by_id(self, key_ids: list[bytes]) -> list[WrappedKey]:
        """The keys that exist among these ids."""
        ...


class Keyring:
    """The key table on PostgreSQL: `keyring.subject_keys`."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def get_or_add(self, offered: Sequence[WrappedKey]) -> list[WrappedKey]:
        ids, subjects, wrapped = (list(column) for column in zip(*offered, strict=True))
        rows = await fetch(self.pool, _GET_OR_ADD, ids, subjects, wrapped)
        return [_row(r) for r in rows]

    async def present(self, key_ids: list[bytes]) -> frozenset[bytes]:
        rows = await fetch(
            self.pool,
            "SELECT key_id FROM keyring.subject_keys WHERE key_id = ANY($1::bytea[])",
            key_ids,
        )
        return frozenset(bytes(r["key_id"]) for r in rows)

    async def by_id(self, key_ids: list[bytes]) -> list[WrappedKey]:
        rows = await fetch(
            self.pool,
            "SELECT key_id, subject, wrapped FROM keyring.subject_keys "
            "WHERE key_id = ANY($1::bytea[])",
            key_ids,
        )
        return [_row(r) for r in rows]


def _row(row: asyncpg.Record) -> WrappedKey:
    return WrappedKey(bytes(row["key_id"]), row["subject"], bytes(row["wrapped"]))


class SealingKeyMismatch(Exception):
    """A subject's key does not open under this instance's key-encryption key: the instances of
    one database must share NEDBRUD_SEALING_KEY. Nothing is shown as erased because of this."""

    def __init__(self, subject: str) -> None:
        super().__init__(f"the data key of subject {subject} does not open under this sealing key")
        self.subject = subject


def key_encryption_key(secret: bytes) -> bytes:
    """The 32-byte key-encryption key from the configured secret (any length from 16 bytes)."""
    if len(secret) < 16:
        raise ValueError("the sealing key needs at least 16 bytes")
    return hashlib.sha256(b"nedbrud key-encryption key\0" + secret).digest()


@dataclass(frozen=True)
class DataKey:
    """One subject's data key and its id."""

    key_id: bytes
    subject: str
    key: bytes


def _header(key: DataKey) -> bytes:
    name = key.subject.encode()
    if len(name) > 255:
        raise ValueError("a data subject's name is at most 255 bytes")
    return bytes([FORMAT]) + key.key_id + bytes([len(name)]) + name


def _header_length(sealed: bytes) -> int:
    return 2 + KEY_ID_BYTES + sealed[1 + KEY_ID_BYTES]


def pack_many(parts: Sequence[bytes]) -> bytes:
    """One sealed part made of several subjects' sealed parts."""
    out = bytearray([FORMAT_MANY]) + len(parts).to_bytes(2, "big")
    for part in parts:
        out += len(part).to_bytes(4, "big") + part
    return bytes(out)


def unpack_many(sealed: bytes) -> list[bytes]:
    """The subjects' sealed parts of a many-subject part ([] for any other)."""
    if not sealed or sealed[0] != FORMAT_MANY:
        return []
    count, at, parts = int.from_bytes(sealed[1:3], "big"), 3, []
    for _ in range(count):
        size = int.from_bytes(sealed[at : at + 4], "big")
        parts.append(sealed[at + 4 : at + 4 + size])
        at += 4 + size
    return parts


def key_ids(events: Iterable[RecordedEvent]) -> set[bytes]:
    """The ids of the data keys the events' sealed parts were sealed under."""
    return {
        k
        for e in events
        if e.sealed
        for part in unpack_many(e.sealed) or [e.sealed]
        if (k := key_id_of(part)) is not None
    }


def key_id_of(sealed: bytes) -> bytes | None:
    """The id of the key that opens this sealed part (None: a part written before sealing)."""
    if not sealed or sealed[0] != FORMAT:
        return None
    return sealed[1 : 1 + KEY_ID_BYTES]


def subject_of(sealed: bytes) -> str | None:
    """Whose data this sealed part holds (None: a part written before sealing)."""
    if key_id_of(sealed) is None:
        return None
    return sealed[2 + KEY_ID_BYTES : _header_length(sealed)].decode()


def seal(key: DataKey, event_id: UUID, plaintext: bytes) -> bytes:
    header = _header(key)
    nonce = hmac.new(key.key, event_id.bytes + plaintext, hashlib.sha256).digest()[:NONCE_BYTES]
    return header + nonce + AESGCM(key.key).encrypt(nonce, plaintext, header + event_id.bytes)


def open_sealed(key: bytes, event_id: UUID, sealed: bytes) -> bytes:
    """The plaintext; InvalidTag when the bytes were altered or belong to another event."""
    header = sealed[: _header_length(sealed)]
    nonce = sealed[len(header) : len(header) + NONCE_BYTES]
    body = sealed[len(header) + NONCE_BYTES :]
    return AESGCM(key).decrypt(nonce, body, header + event_id.bytes)


class Vault:
    """Seals events before they are appended and opens them when they are read back."""

    def __init__(self, keys: asyncpg.Pool | KeyTable, secret: bytes) -> None:
        """`keys`: the key table, or the pool of the database that holds it."""
        self.keys: KeyTable = keys if isinstance(keys, KeyTable) else Keyring(keys)
        self._kek = AESGCM(key_encryption_key(secret))
        self._keys = Coalescer(self._get_or_add)
        self._opening: Coalescer[bytes, DataKey] = Coalescer(self._keys_by_id)

    @staticmethod
    def _context(key_id: bytes, subject: str) -> bytes:
        return b"subject-key\0" + key_id + subject.encode()

    def _wrap(self, key_id: bytes, subject: str, key: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._kek.encrypt(nonce, key, self._context(key_id, subject))

    def _unwrap(self, row: WrappedKey) -> DataKey:
        key_id, subject, wrapped = row
        try:
            key = self._kek.decrypt(
                wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], self._context(key_id, subject)
            )
        except InvalidTag:
            raise SealingKeyMismatch(subject) from None
        return DataKey(key_id, subject, key)

    async def key_for(self, subject: str) -> DataKey:
        """The subject's data key, made now if it has none. The writers that ask at the same
        moment are answered by one statement."""
        key = await self._keys.get(subject)
        assert key is not None, "_get_or_add answers every subject or raises"
        return key

    async def _get_or_add(self, subjects: list[str]) -> dict[str, DataKey]:
        offered = {s: secrets.token_bytes(KEY_ID_BYTES) for s in subjects}
        wrapped = {
            s: self._wrap(k, s, AESGCM.generate_key(bit_length=256)) for s, k in offered.items()
        }
        found: dict[str, DataKey] = {}
        wanted = subjects
        for _ in range(2):  # a key added by a concurrent writer is seen by the next statement
            rows = await self.keys.get_or_add(
                [WrappedKey(offered[s], s, wrapped[s]) for s in wanted]
            )
            found |= {r.subject: self._unwrap(r) for r in rows}
            wanted = [s for s in wanted if s not in found]
            if not wanted:
                return found
        raise AssertionError(f"no key for {wanted} after adding them")

    async def existing(self, ids: Iterable[bytes]) -> frozenset[bytes]:
        """Which of these data keys still exist (none unwrapped): what `open` would find."""
        wanted = sorted(set(ids))
        if not wanted:
            return frozenset()
        return await self.keys.present(wanted)

    async def keys_for(self, key_ids: Iterable[bytes]) -> dict[bytes, DataKey]:
        """The data keys that still exist among these ids. The readers that ask at the same
        moment (a batch's events, each opening its own stream) are answered by one statement."""
        wanted = sorted(set(key_ids))
        if not wanted:
            return {}
        return await self._opening.get_many(wanted)

    async def _keys_by_id(self, wanted: list[bytes]) -> dict[bytes, DataKey]:
        return {r.key_id: self._unwrap(r) for r in await self.keys.by_id(wanted)}

    async def seal(self, subject: str, events: Sequence[NewEvent]) -> tuple[NewEvent, ...]:
        """The events with their sealed parts encrypted under the subject's key (and the paths
        an event gives to other subjects under theirs)."""
        if not any(e.sealed is not None for e in events):
            return tuple(events)
        out = []
        for e in events:
            if e.sealed is None:
                out.append(e)
            elif e.subject_paths:
                out.append(await self._seal_many(subject, e))
            else:
                key = await self.key_for(subject)
                out.append(dataclasses.replace(e, sealed=seal(key, e.event_id, e.sealed)))
        return tuple(out)

    async def _seal_many(self, subject: str, event: NewEvent) -> NewEvent:
        assert event.sealed is not None
        values: dict[str, Any] = msgspec.json.decode(event.sealed)
        groups: dict[str, dict[str, Any]] = {}
        for path, value in values.items():
            owner = next((s for p, s in event.subject_paths if path.startswith(p)), subject)
            groups.setdefault(owner, {})[path] = value
        order = sorted(groups, key=lambda s: (s != subject, s))
        keys = dict(zip(order, await asyncio.gather(*map(self.key_for, order)), strict=True))
        parts = [
            seal(keys[s], event.event_id, msgspec.json.encode(groups[s], order="sorted"))
            for s in order
        ]
        return dataclasses.replace(event, sealed=pack_many(parts), subject_paths=())

    async def open(self, events: Sequence[RecordedEvent]) -> list[RecordedEvent]:
        """The events with their sealed parts in plain text, or marked erased where the key they
        were sealed under was deleted. An altered sealed part is an error, never shown as erased."""
        keys = await self.keys_for(key_ids(events))
        opened = []
        for event in events:
            if event.sealed and (parts := unpack_many(event.sealed)):
                opened.append(_open_many(keys, event, parts))
                continue
            key_id = key_id_of(event.sealed) if event.sealed else None
            if key_id is None or event.sealed is None:
                opened.append(event)
            elif (key := keys.get(key_id)) is None:
                opened.append(dataclasses.replace(event, sealed=None, erased=True))
            else:
                plaintext = open_sealed(key.key, event.event_id, event.sealed)
                opened.append(dataclasses.replace(event, sealed=plaintext))
        return opened


def _open_many(
    keys: Mapping[bytes, DataKey], event: RecordedEvent, parts: list[bytes]
) -> RecordedEvent:
    """Each subject's part opened where its key remains; the forgotten subjects named."""
    values: dict[str, Any] = {}
    erased: set[str] = set()
    for part in parts:
        key = keys.get(key_id_of(part) or b"")
        if key is None:
            erased.add(subject_of(part) or "")
        else:
            values |= msgspec.json.decode(open_sealed(key.key, event.event_id, part))
    if len(erased) == len(parts):
        return dataclasses.replace(event, sealed=None, erased=True)
    sealed = msgspec.json.encode(values, order="sorted")
    return dataclasses.replace(event, sealed=sealed, erased_subjects=frozenset(erased))


async def forget(conn: asyncpg.Connection | asyncpg.Pool, subject: str) -> bool:
    """Delete the subject's data key (as the owner): their sealed data can never be opened again.
    True when there was a key to delete."""
    deleted = await conn.fetchval(
        "DELETE FROM keyring.subject_keys WHERE subject = $1 RETURNING subject", subject
    )
    return deleted is not None
