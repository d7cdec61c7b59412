"""Idempotency-Key at the edge: the header that says an answer is the first one given again.

The keys' rules, their stored first answers and the turns of requests that arrive together are
the write side's: `service/write/idempotency.py`.
"""

from __future__ import annotations

from service.write.idempotency import FirstAnswers, check_key, event_id_for

REPLAYED = "Idempotent-Replayed"

__all__ = ["REPLAYED", "FirstAnswers", "check_key", "event_id_for"]
