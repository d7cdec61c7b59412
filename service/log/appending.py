"""The decisions of an append, the same for every store: which requests are refused (a wrong
expected version, an event id reused with other content), which are answered again with their
first receipts, and the rows the others become, each hashed onto the chain. The PostgreSQL store
makes them under its advisory lock; the in-memory one between two awaits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from service.log.chain import canonical_bytes, chain_hash
from service.log.events import (
    AppendRequest,
    EventIdReused,
    Receipt,
    RecordedEvent,
    WrongExpectedVersion,
)

Outcome = list[Receipt] | BaseException


class Batch:
    """The decisions for one group-commit transaction, made under the lock."""

    def __init__(
        self,
        head: int,
        head_hash: bytes,
        now: datetime,
        versions: dict[UUID, int],
        existing: dict[UUID, RecordedEvent],
    ) -> None:
        self.position, self.hash, self.now = head, head_hash, now
        self.versions, self.existing = versions, existing
        self.rows: list[tuple[Any, ...]] = []
        self.recorded: list[RecordedEvent] = []  # the rows as read back, in position order
        self.idempotency: list[tuple[Any, ...]] = []

    def decide(self, request: AppendRequest) -> Outcome:
        digests = [e.content_digest(request.stream_id, request.stream_type) for e in request.events]
        known = [self.existing.get(e.event_id) for e in request.events]
        if any(k is not None for k in known):
            if all(
                k is not None and k.content_digest == d for k, d in zip(known, digests, strict=True)
            ):
                receipts = [k.receipt() for k in known if k is not None]
                self._remember_key(request, receipts)
                return receipts
            bad = next(
                e
                for e, k, d in zip(request.events, known, digests, strict=True)
                if k is None or k.content_digest != d
            )
            return EventIdReused(bad.event_id)
        current = self.versions.get(request.stream_id, 0)
        if request.expected_version is not None and request.expected_version != current:
            return WrongExpectedVersion(request.stream_id, request.expected_version, current)
        receipts = [
            self._add(request, event, digest, current + i + 1)
            for i, (event, digest) in enumerate(zip(request.events, digests, strict=True))
        ]
        self.versions[request.stream_id] = current + len(request.events)
        self._remember_key(request, receipts)
        return receipts

    def _add(self, request: AppendRequest, event: Any, digest: bytes, version: int) -> Receipt:
        self.position += 1
        fields: dict[str, Any] = {
            "position": self.position,
            "event_id": event.event_id,
            "stream_id": request.stream_id,
            "stream_type": request.stream_type,
            "version": version,
            "type": event.type,
            "payload": event.payload,
            "sealed": event.sealed,
            "occurred_at": event.occurred_at,
            "recorded_at": self.now,
            "actor": event.actor,
            "source": event.source,
            "correlation_id": event.correlation_id,
            "causation_id": event.causation_id,
            "mode": event.mode,
            "content_digest": digest,
        }
        self.hash = chain_hash(self.hash, canonical_bytes(**fields))
        recorded = RecordedEvent(**fields, hash=self.hash)
        # Column order of _WRITE's events is the field order; the payload goes as sorted JSON text.
        fields["payload"] = msgspec.json.encode(event.payload, order="sorted").decode()
        self.rows.append((*fields.values(), self.hash))
        self.recorded.append(recorded)
        self.existing[event.event_id] = recorded
        return recorded.receipt()

    def _remember_key(self, request: AppendRequest, receipts: list[Receipt]) -> None:
        if not receipts:
            return
        keys = (request.idempotency, *request.also_answers)
        for idem in (k for k in keys if k is not None):
            self.idempotency.append(
                (
                    idem.scope,
                    idem.key,
                    idem.request_digest,
                    idem.status,
                    receipts[-1].event_id,
                    msgspec.json.encode(idem.extras).decode(),
                )
            )
