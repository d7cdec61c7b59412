"""The per-key token bucket: a burst, then the sustained rate, and never more than the burst."""

from __future__ import annotations

from uuid import uuid4

from service.access.ratelimit import RateLimiter


def test_the_bucket_refills_at_its_rate() -> None:
    limiter = RateLimiter(per_second=2, burst=2)
    key = uuid4()
    assert [limiter.take(key, now=0.0) for _ in range(3)] == [0, 0, 1]
    assert limiter.take(key, now=0.5) == 0  # one token back after half a second
    assert limiter.take(key, now=0.5) == 1
    assert limiter.take(key, now=10.0) == 0  # never more than the burst
    assert limiter.take(key, now=10.0) == 0
    assert limiter.take(key, now=10.0) == 1


def test_waiting_tells_the_wait_without_taking_a_token() -> None:
    limiter = RateLimiter(per_second=1, burst=1)
    assert limiter.waiting("10.0.0.7", now=0.0) == 0
    assert limiter.take("10.0.0.7", now=0.0) == 0
    assert limiter.waiting("10.0.0.7", now=0.0) == 1
    assert limiter.waiting("10.0.0.7", now=0.0) == 1
    assert limiter.waiting("10.0.0.7", now=1.0) == 0
    assert limiter.take("10.0.0.7", now=1.0) == 0


def test_full_buckets_are_forgotten_so_many_addresses_do_not_grow_memory() -> None:
    from service.access import ratelimit

    limiter = RateLimiter(per_second=1, burst=1)
    for n in range(ratelimit.KEPT_BUCKETS):
        limiter.take(f"10.{n}", now=0.0)
    limiter.take("192.168.0.1", now=0.5)  # nothing full yet: the oldest goes
    assert len(limiter._buckets) == ratelimit.KEPT_BUCKETS
    assert limiter.waiting("192.168.0.1", now=0.5) == 1
    limiter.take("192.168.0.2", now=5.0)  # every older bucket has refilled: all go
    assert len(limiter._buckets) == 1
