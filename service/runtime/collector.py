"""Python's cyclic garbage collector, tuned for a process that makes many short-lived objects."""

from __future__ import annotations

import gc


def tune_collector() -> None:
    """What exists now (routes, schemas, the plan, the pool) lives as long as the process: it is
    moved out of the collector's sight. Each request, and each fact of a rebuild, makes many
    short-lived objects, so the youngest generation is collected every 50,000 allocations
    instead of 700.

    bench read --quick: appends reached 1,668-1,783/s (1,337-1,477/s before) and the situation
    picture's p99 under load went from 93-98 ms to 30-32 ms. `nedbrud rebuild` of 1,217,792
    events: situation 126,396 -> 218,148 events/s, readiness 167,434 -> 290,257."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
