"""What a process keeps in memory between requests, least recently used out first."""

from __future__ import annotations

from collections import OrderedDict
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def remember(kept: OrderedDict[K, V], key: K, value: V, limit: int) -> None:
    """`value` kept under `key` as the most recently used; the least recently used beyond
    `limit` let go."""
    kept[key] = value
    kept.move_to_end(key)
    while len(kept) > limit:
        kept.popitem(last=False)
