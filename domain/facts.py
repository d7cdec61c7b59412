"""A fact is one stored event as the projections see it: its plain payload and its place in the log.

Projections never see the sealed part (names, CPR numbers, free text): what they hold can be
rebuilt, and erased citizens stay erased.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec


class Fact(msgspec.Struct, frozen=True):
    """One event of the log, without its sealed part. (A struct: a rebuild makes a million.)"""

    position: int
    event_id: UUID
    stream_id: UUID
    stream_type: str
    version: int
    type: str
    data: dict[str, Any]
    occurred_at: datetime
    recorded_at: datetime
    mode: str
    correlation_id: UUID | None
