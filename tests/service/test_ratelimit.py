"""The per-key token bucket: a burst, then the sustained rate, and never more than the burst."""

from __future__ import annotations

from uuid import uuid4

from service.ratelimit import RateLimiter


def test_the_bucket_refills_at_its_rate() -> None:
    limiter = RateLimiter(per_second=2, burst=2)
    key = uuid4()
    assert [limiter.take(key, now=0.0) for _ in range(3)] == [0, 0, 1]
    assert limiter.take(key, now=0.5) == 0  # one token back after half a second
    assert limiter.take(key, now=0.5) == 1
    assert limiter.take(key, now=10.0) == 0  # never more than the burst
    assert limiter.take(key, now=10.0) == 0
    assert limiter.take(key, now=10.0) == 1
