"""A per-key rate limit: a token bucket per API key, in each service instance.

A runaway integration that retries in a tight loop gets 429 with `Retry-After` instead of
crowding out the carers' requests. Each instance counts on its own; with N instances a key may
send up to N times the limit, which is fine for this purpose.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from uuid import UUID


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """`per_second` sustained, `burst` at once; `take` answers the seconds to wait, or 0."""

    per_second: float
    burst: int
    _buckets: dict[UUID, _Bucket] = field(default_factory=dict)

    def take(self, key_id: UUID, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(key_id)
        if bucket is None:
            bucket = self._buckets[key_id] = _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.per_second)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0
        return max(1, math.ceil((1 - bucket.tokens) / self.per_second))
