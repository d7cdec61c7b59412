"""Webhooks out: other municipal systems (an SMS gateway, the intranet, a care system) subscribe to
the log instead of polling it.

A webhook names a URL, the event types it wants (`*` for all), the mode (`actual` or `exercise`)
and, optionally, the units whose paper records it may receive. Each matching event is posted as a
CloudEvents structured event signed as the Standard Webhooks specification says (`webhook-id` is
the event id, so a receiver can drop a repeat), at least once and in position order; only the
plain payload leaves, never the sealed part. The signing secret (`whsec_…`, shown once) is stored
wrapped under the sealing key. A webhook to a private or loopback address is refused unless
NEDBRUD_WEBHOOK_ALLOW_PRIVATE=1, at registration and again at every delivery (the name may
resolve elsewhere by then).
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import os
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import asyncpg
import msgspec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from service.access.auth import Role
from service.access.disclosure import Reader, RecordRef, may_see_record
from service.log.chain import utc_text
from service.log.codec import KINDS
from service.log.events import RecordedEvent
from service.log.vault import key_encryption_key

PREFIX = "dk.nedbrud."
EVENT_TYPES = frozenset(name for kind in KINDS for name in kind.event_types)
WEBHOOK_COLUMNS = "webhook_id, url, event_types, mode, units, created_at, position, deleted_at"


class WebhookRefused(ValueError):
    """A webhook that may not be registered: the field and why."""

    def __init__(self, field: str, why: str) -> None:
        super().__init__(why)
        self.field = field


@dataclass(frozen=True)
class Webhook:
    """One subscriber: where to post, what it wants, and how far it has got."""

    webhook_id: UUID
    url: str
    event_types: tuple[str, ...]
    mode: str
    units: tuple[str, ...] | None
    created_at: datetime
    position: int
    deleted_at: datetime | None = None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> Webhook:
        units = row["units"]
        return cls(
            row["webhook_id"],
            row["url"],
            tuple(row["event_types"]),
            row["mode"],
            None if units is None else tuple(units),
            row["created_at"],
            row["position"],
            row["deleted_at"],
        )

    def wants(self, event: RecordedEvent, scope: Scope) -> bool:
        """Its mode and one of its types; a paper record (or a correction about one) and a
        unit's events only as the disclosure policy lets a reader for its units see them."""
        if event.mode != self.mode:
            return False
        if "*" not in self.event_types and event.type not in self.event_types:
            return False
        if scope.record is not None:
            return may_see_record(self.reader, scope.record.unit)
        return self.units is None or scope.unit is None or scope.unit in self.units

    @property
    def reader(self) -> Reader:
        """The webhook as the disclosure policy sees it: its units, no purpose (plain only)."""
        return Reader(self.webhook_id, Role.ADMIN, self.units)


@dataclass(frozen=True)
class Scope:
    """Whose an event is: a paper record's (with its unit), a unit's, or the incident's own; and
    the CloudEvent subject (the incident where there is one, else the unit)."""

    record: RecordRef | None
    unit: str | None
    subject: str | None


# IPv6 forms that carry an IPv4 address a gateway may forward to: NAT64 (64:ff9b::/96 and the
# local-use 64:ff9b:1::/48), IPv4-translated (::ffff:0:a.b.c.d) and IPv4-compatible (::a.b.c.d);
# mapped, 6to4 and Teredo are known to the ipaddress module.
NAT64 = tuple(
    ipaddress.ip_network(net) for net in ("64:ff9b::/96", "64:ff9b:1::/48", "::ffff:0:0:0/96")
)


def _carried(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in NAT64) or int(ip) >> 32 == 0:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def blocked_address(address: str) -> bool:
    """Not a public unicast address, or an IPv6 one that carries an IPv4 address that is not."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if not ip.is_global or ip.is_multicast:
        return True
    carried = _carried(ip) if isinstance(ip, ipaddress.IPv6Address) else None
    return carried is not None and (not carried.is_global or carried.is_multicast)


async def check_destination(url: str, *, allow_private: bool) -> None:
    """Refuse what is not an http(s) URL, and a host that resolves to a private, loopback,
    link-local or otherwise non-public address (unless allowed): a webhook is no way into the
    municipality's own network."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        host = (parts.hostname or "").encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        raise WebhookRefused("url", "the url's host or port is not valid") from None
    if parts.scheme not in ("http", "https") or not host:
        raise WebhookRefused("url", "the url must be an http or https URL with a host")
    if parts.username or parts.password:
        raise WebhookRefused("url", "the url must not carry a user name or password")
    if allow_private:
        return
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise WebhookRefused("url", f"the host {host!r} does not resolve") from None
    if any(blocked_address(str(info[4][0])) for info in found):
        raise WebhookRefused(
            "url",
            f"the host {host!r} resolves to a private or loopback address; "
            "set NEDBRUD_WEBHOOK_ALLOW_PRIVATE=1 to allow it",
        )


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class SecretBox:
    """Webhook secrets, wrapped under the sealing key (bound to their webhook's id)."""

    def __init__(self, sealing_key: bytes) -> None:
        self._aead = AESGCM(key_encryption_key(sealing_key))

    def wrap(self, webhook_id: UUID, secret: str) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, secret.encode(), b"webhook:" + webhook_id.bytes)

    def unwrap(self, webhook_id: UUID, wrapped: bytes) -> str:
        nonce, body = wrapped[:12], wrapped[12:]
        return self._aead.decrypt(nonce, body, b"webhook:" + webhook_id.bytes).decode()


class Webhooks:
    """The registry: register, list (`every`), replay and remove webhooks; read deliveries."""

    def __init__(self, pool: asyncpg.Pool, box: SecretBox, *, allow_private: bool) -> None:
        self.pool, self.box, self.allow_private = pool, box, allow_private

    async def register(
        self,
        url: str,
        event_types: Sequence[str],
        mode: str,
        units: Sequence[str] | None,
        created_by: str,
    ) -> tuple[Webhook, str]:
        for n, name in enumerate(event_types):
            if name != "*" and name not in EVENT_TYPES:
                raise WebhookRefused(f"event_types[{n}]", f"{name!r} is not an event type")
        await check_destination(url, allow_private=self.allow_private)
        webhook_id, secret = uuid4(), new_secret()
        types = sorted(set(event_types))
        row = await self.pool.fetchrow(
            "INSERT INTO webhooks (webhook_id, url, event_types, mode, units, secret_wrapped, "
            "created_by, position) SELECT $1, $2, $3, $4, $5, $6, $7, "
            "coalesce(max(position), 0) FROM events "
            f"RETURNING {WEBHOOK_COLUMNS}",
            webhook_id, url, types, mode, None if units is None else sorted(set(units)),
            self.box.wrap(webhook_id, secret), created_by,
        )  # fmt: skip
        assert row is not None
        return Webhook.from_row(row), secret

    async def every(self) -> list[Webhook]:
        rows = await self.pool.fetch(
            f"SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE deleted_at IS NULL ORDER BY created_at"
        )
        return [Webhook.from_row(r) for r in rows]

    async def get(self, webhook_id: UUID) -> Webhook | None:
        row = await self.pool.fetchrow(
            f"SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE webhook_id = $1 AND deleted_at IS NULL",
            webhook_id,
        )
        return None if row is None else Webhook.from_row(row)

    async def replay(self, webhook_id: UUID, from_position: int) -> bool:
        """Deliver again every matching event from `from_position` on, in order; a delivery
        still being retried is given up for the replay's."""
        async with self.pool.acquire() as conn, conn.transaction():
            moved = await conn.execute(
                "UPDATE webhooks SET position = $2 WHERE webhook_id = $1 AND deleted_at IS NULL",
                webhook_id,
                max(from_position - 1, 0),
            )
            await conn.execute(
                "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, "
                "error = 'replaced by a replay' WHERE webhook_id = $1 AND status = 'pending'",
                webhook_id,
            )
        return bool(moved.endswith(" 1"))

    async def remove(self, webhook_id: UUID) -> bool:
        done = await self.pool.execute(
            "UPDATE webhooks SET deleted_at = now() WHERE webhook_id = $1 AND deleted_at IS NULL",
            webhook_id,
        )
        return bool(done.endswith(" 1"))

    async def deliveries(self, webhook_id: UUID, after: int, limit: int) -> list[dict[str, Any]]:
        rows = await self.pool.fetch(
            "SELECT delivery_id, position, event_id, status, attempts, first_attempt_at, "
            "last_attempt_at, next_attempt_at, response_status, error FROM webhook_deliveries "
            "WHERE webhook_id = $1 AND delivery_id > $2 ORDER BY delivery_id LIMIT $3",
            webhook_id,
            after,
            limit,
        )
        return [dict(r.items()) for r in rows]


def message(event: RecordedEvent, subject: str | None, source: str) -> bytes:
    """The CloudEvents structured event a webhook receives: the plain payload only."""
    body: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(event.event_id),
        "source": source,
        "type": PREFIX + event.type,
        "time": utc_text(event.occurred_at),
        "recordedtime": utc_text(event.recorded_at),
        "position": event.position,
        "datacontenttype": "application/json",
        "data": event.payload,
    }
    if subject is not None:
        body["subject"] = subject
    return msgspec.json.encode(body)


def now() -> datetime:
    return datetime.now(UTC)
