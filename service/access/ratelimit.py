"""Rate limits: a token bucket per API key, and one per client address for failed keys, in each
service instance.

A runaway integration that retries in a tight loop gets 429 with `Retry-After` instead of
crowding out the carers' requests. Each instance counts on its own; with N instances a key may
send up to N times the limit, which is fine for this purpose.

Unknown or revoked keys are counted per client address: past the burst, that address gets 429
for every key it sends (a right key too, or the answers would tell a guess that hit from one
that missed) until a token has come back. Behind a proxy every client has the proxy's address;
give the proxy its own limit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable
from dataclasses import dataclass, field

# Buckets kept before the full ones are dropped (a full bucket is the same as none).
KEPT_BUCKETS = 10_000


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass
class RateLimiter:
    """`per_second` sustained, `burst` at once; `take` answers the seconds to wait, or 0."""

    per_second: float
    burst: int
    _buckets: dict[Hashable, _Bucket] = field(default_factory=dict)

    def _bucket(self, key: Hashable, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= KEPT_BUCKETS:
                self._forget_full(now)
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.per_second)
        bucket.updated = now
        return bucket

    def _forget_full(self, now: float) -> None:
        full = [
            key
            for key, b in self._buckets.items()
            if b.tokens + (now - b.updated) * self.per_second >= self.burst
        ]
        for key in full:
            del self._buckets[key]
        while len(self._buckets) >= KEPT_BUCKETS:  # still too many: the oldest go first
            del self._buckets[next(iter(self._buckets))]

    def _wait(self, bucket: _Bucket) -> int:
        return max(1, math.ceil((1 - bucket.tokens) / self.per_second))

    def take(self, key: Hashable, now: float | None = None) -> int:
        bucket = self._bucket(key, time.monotonic() if now is None else now)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0
        return self._wait(bucket)

    def waiting(self, key: Hashable, now: float | None = None) -> int:
        """The seconds to wait before `key` may take again (0: now), taking nothing."""
        if key not in self._buckets:
            return 0
        bucket = self._bucket(key, time.monotonic() if now is None else now)
        return 0 if bucket.tokens >= 1 else self._wait(bucket)
