"""The situation report's wire type: the picture, and what changed since an earlier one."""

from __future__ import annotations

from msgspec import Struct

from domain.situation_changes import SituationChanges
from service.api.contacts import ContactNow
from service.api.schemas import IncidentView, Instant


class SituationReport(Struct):
    """Situationsrapport: whom to call now, every open incident as of `position`, and the
    changes after `since_position` up to it (ændringer i forhold til tidligere
    situationsbilleder)."""

    generated_at: Instant
    position: int
    since_position: int
    contact_now: ContactNow
    incidents: list[IncidentView]
    changes: SituationChanges
