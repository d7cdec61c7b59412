"""Time alone turns an occurrence overdue: the rounds of open incidents are worked out again at
least once a minute (`NEDBRUD_ROUNDS_INTERVAL`, default 30 s), and each incident whose counts
moved is a change the situation stream sends, though no event caused it.

The watch also gives the picture its `rounds: {unit: counts}` for an incident: worked out at the
moment of asking for the units that keep an emergency list (one query says which do), so an
incident at units without lists costs nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import msgspec

from service.api.schemas import Counts, IncidentView
from service.api.views import IncidentViews, incident_view
from service.log.events import StoreUnavailable
from service.log.streams import StreamNotFound
from service.log.vault import SealingKeyMismatch
from service.read import reads
from service.write.emergency_lists import EmergencyListService
from service.write.rounds import RoundsService

log = logging.getLogger(__name__)
KEPT = 256


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Tick:
    """A change of an incident's rounds that no event caused: the incident as it now stands."""

    serial: int
    mode: str
    incident: msgspec.Raw


class RoundsWatch:
    """Works out open incidents' rounds counts, now and again every `interval` seconds."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        rounds: RoundsService,
        lists: EmergencyListService,
        views: IncidentViews,
        interval: float,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self.pool, self.rounds, self.lists, self.views = pool, rounds, lists, views
        self.interval, self.clock = interval, clock
        self.ticks: deque[Tick] = deque(maxlen=KEPT)
        self.serial = 0
        self._last: dict[UUID, dict[str, Counts]] = {}
        self._task: asyncio.Task[None] | None = None

    async def listed_units(self) -> set[str]:
        return set(await self.lists.heads())

    async def counts(
        self, incident_id: UUID, units: list[str], listed: set[str]
    ) -> dict[str, Counts]:
        """The rounds counts of the incident's units that keep a list, at the clock's now."""
        if not set(units) & listed:
            return {}
        try:
            incident, records = await self.rounds.incident(incident_id)
            found = await self.rounds.of_incident(incident, records, self.clock())
        except StreamNotFound:
            return {}
        except SealingKeyMismatch as exc:
            # The picture is what everyone reads during an outage: one incident whose sealed
            # data this instance cannot open (a sealing key not shared) must not take it down.
            log.error("rounds of incident %s not worked out: %s", incident_id, exc)
            return {}
        return {unit: Counts(**r.counts.__dict__) for unit, r in found.items()}

    async def with_rounds(self, views: list[IncidentView]) -> list[IncidentView]:
        """The views with their units' rounds counts."""
        listed = await self.listed_units()
        out = []
        for view in views:
            counts = await self.counts(view.incident_id, view.affected_units, listed)
            out.append(msgspec.structs.replace(view, rounds=counts) if counts else view)
        return out

    async def evaluate(self) -> int:
        """Work out every open incident's rounds; each incident whose counts moved is a tick.
        Gives the number of ticks."""
        listed = await self.listed_units()
        moved: list[tuple[str, UUID, dict[str, Counts]]] = []
        open_now = set[UUID]()
        known = [str(i) for i in self._last]  # a tick when their counts go away, too
        for mode in ("actual", "exercise"):
            states = await reads.open_at_units(
                self.pool, mode=mode, units=sorted(listed), also=known
            )
            for state in states:
                view = self.views.view(state)
                open_now.add(view.incident_id)
                counts = await self.counts(view.incident_id, view.affected_units, listed)
                if counts != self._last.get(view.incident_id, {}):
                    self._last[view.incident_id] = counts
                    moved.append((mode, view.incident_id, counts))
        self._last = {k: v for k, v in self._last.items() if k in open_now}
        # Each moved incident as it stands at the end of the turn, not as the turn found it: a
        # turn of many open incidents takes seconds, and one closed meanwhile was sent open
        # again after its close (a wall showed it until it was reloaded).
        entries = (
            await reads.situation_entries(self.pool, [i for _, i, _ in moved]) if moved else {}
        )
        for mode, incident_id, counts in moved:
            if (entry := entries.get(incident_id)) is not None:
                shown = msgspec.structs.replace(
                    incident_view(entry, self.views.plan), rounds=counts
                )
                self.serial += 1
                self.ticks.append(Tick(self.serial, mode, msgspec.Raw(msgspec.json.encode(shown))))
        return len(moved)

    def last_counts(self, incident_id: UUID) -> dict[str, Counts]:
        """The incident's rounds counts as the last turn worked them out ({}: none yet); any
        change since is a tick to come."""
        return self._last.get(incident_id, {})

    def since(self, serial: int, mode: str) -> list[Tick]:
        return [t for t in self.ticks if t.serial > serial and t.mode == mode]

    def start(self) -> None:
        if self._task is None and self.interval > 0:
            self._task = asyncio.create_task(self._run(), name="nedbrud-rounds-watch")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self.rounds.drop_forgotten()
                await self.evaluate()
            except (StoreUnavailable, OSError, asyncpg.PostgresError) as exc:
                log.warning("rounds not worked out: %s", type(exc).__name__)
            await asyncio.sleep(self.interval)
