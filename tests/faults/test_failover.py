"""A primary and its synchronous standby under a real `nedbrud serve`; the primary is killed
(`pg_ctl stop -m immediate`), the standby promoted, and the service finds it by itself.

64 clients declare outages through the service, each retried with its Idempotency-Key until it
is answered 201. Every acknowledged write must be in the new primary, once, at the position its
receipt names; the chain verifies (`nedbrud verify`); the situation picture goes on; and while
there is no primary every answer is a 503 with Retry-After (never a 500, never a 2xx).

`NEDBRUD_FAILOVERS=20` also runs the long tier: that many failovers back and forth, the old
primary seeded again as the new one's standby with pg_basebackup each time.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx
import pytest

from tests.e2e.conftest import ROOT, running_server
from tests.e2e.test_server_roundtrip import AUTH, DECLARE, KEY
from tests.faults.clusters import Node, multi_host_url, primary_and_standby

pytestmark = pytest.mark.slow

CLIENTS = int(os.environ.get("NEDBRUD_FAILOVER_CLIENTS", "64"))
# The long tier only (NEDBRUD_FAILOVERS=20): there and back in every run flaked under load.
FAILOVERS = int(os.environ.get("NEDBRUD_FAILOVERS", "0"))


@dataclass
class Load:
    """What the clients saw: receipts by Idempotency-Key, and every answer with its time."""

    base: str
    stop: threading.Event = field(default_factory=threading.Event)
    acked: dict[str, dict[str, Any]] = field(default_factory=dict)
    answers: list[tuple[float, float, int, str]] = field(default_factory=list)  # sent, got
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self, clients: int) -> None:
        self.threads = [threading.Thread(target=self._client) for _ in range(clients)]
        for thread in self.threads:
            thread.start()

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _client(self) -> None:
        rng = random.Random()
        with httpx.Client(base_url=self.base, headers=AUTH, timeout=15) as http:
            while not self.stop.is_set():
                key = uuid.uuid4().hex
                for attempt in range(400):
                    sent = time.monotonic()
                    try:
                        answer = http.post(
                            "/v1/incidents", json=DECLARE, headers={"Idempotency-Key": key}
                        )
                    except httpx.TransportError:
                        self.answers.append((sent, time.monotonic(), 0, ""))
                    else:
                        got = time.monotonic()
                        # A replayed 201 answers again a write acknowledged before the kill
                        # (its first answer lost on the way): no new acknowledgement.
                        replayed = answer.headers.get("idempotent-replayed") == "true"
                        self.answers.append(
                            (sent, got, -201 if replayed else answer.status_code,
                             answer.headers.get("retry-after", ""))
                        )  # fmt: skip
                        if answer.status_code == 201:
                            self.acked[key] = answer.json()
                            break
                        if answer.status_code != 503:
                            return  # anything else is a failure, found in `answers`
                    if self.stop.is_set() and attempt > 200:
                        return
                    time.sleep(rng.uniform(0, min(0.5, 0.02 * 2**attempt)))

    def statuses_between(self, start: float, end: float) -> dict[int, int]:
        """The answers to requests sent and answered in the window (replays of writes
        acknowledged before it left out)."""
        seen: dict[int, int] = {}
        for sent, got, status, _ in self.answers:
            if start <= sent and got < end and status != -201:
                seen[status] = seen.get(status, 0) + 1
        return seen

    def first_success_after(self, at: float) -> float | None:
        times = [got for _, got, status, _ in self.answers if status == 201 and got >= at]
        return min(times) if times else None


async def stored_events(url: str) -> tuple[dict[str, int], dict[str, int]]:
    """Each event id's position, and how many events each Idempotency-Key answered."""
    conn = await asyncpg.connect(url)
    try:
        events = await conn.fetch("SELECT event_id::text, position FROM events")
        keys = await conn.fetch("SELECT event_id::text FROM idempotency_keys")
    finally:
        await conn.close()
    answered: dict[str, int] = {}
    for row in keys:
        answered[row["event_id"]] = answered.get(row["event_id"], 0) + 1
    return {r["event_id"]: r["position"] for r in events}, answered


def nedbrud(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"DATABASE_URL": url, "NEDBRUD_SEALING_KEY": "e2e-synthetic-sealing-key"}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@dataclass
class Failover:
    acked_before: int
    without_primary_s: float
    first_write_after_promotion_s: float
    promote_s: float  # pg_ctl promote, until it returned
    answers_without_primary: dict[int, int]


def fail_over(load: Load, old: Node, new: Node, outage_s: float) -> Failover:
    """Kill `old`, leave the service without a primary for `outage_s`, promote `new`, and wait
    for the first acknowledged write. Without a primary: from the kill until `pg_ctl promote`
    returned; the first write: from the start of `pg_ctl promote` until its 201 (the standby
    takes writes before pg_ctl, which polls, has seen it)."""
    acked_before = len(load.acked)
    old.stop("immediate")
    # pg_ctl -w returns once the old primary is gone: only from then on is there no primary. Taken
    # before the stop, the window also held the shutdown itself, slow on a loaded machine, when
    # the old primary may still take writes (my reading of stop 22's CI: 20 answers 201 in it).
    killed = time.monotonic()
    time.sleep(outage_s)
    promoting = time.monotonic()
    new.promote()
    promoted = time.monotonic()
    new.stand_alone()
    deadline = promoted + 30
    while (first := load.first_success_after(promoting)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first is not None, "no write succeeded within 30 s of the promotion"
    return Failover(
        acked_before,
        promoted - killed,
        first - promoting,
        promoted - promoting,
        # Sent after the kill and answered before the promotion began: there was no primary.
        load.statuses_between(killed + 0.05, promoting),
    )


def check_no_loss(load: Load, url: str) -> tuple[int, int]:
    """Every acknowledged write at its receipt's position, once; (acknowledged, lost). The
    receipts are taken before the log is read: writes acknowledged meanwhile are checked at the
    next turn."""
    acked = dict(load.acked)
    positions, answered = asyncio.run(stored_events(url))
    lost = [
        key
        for key, receipt in acked.items()
        if positions.get(str(receipt["event_id"])) != receipt["position"]
    ]
    assert lost == [], (
        f"{len(lost)} acknowledged writes are not in the new primary (of {len(acked)}): "
        f"receipts at {sorted(int(acked[k]['position']) for k in lost)[:20]}, "
        f"stored there: {[positions.get(str(acked[k]['event_id'])) for k in lost[:20]]}, "
        f"the new primary's head {max(positions.values(), default=0)}"
    )
    assert all(count == 1 for count in answered.values())
    return len(acked), len(lost)


def situation_shows(base: str, incident_id: str, after_position: int) -> bool:
    with httpx.Client(base_url=base, headers=AUTH, timeout=10) as http:
        answer = http.get("/v1/situation", params={"after_position": after_position})
        assert answer.status_code == 200, answer.text
        return incident_id in answer.text


def serve_env(a: Node, b: Node) -> dict[str, str]:
    return {
        "DATABASE_URL": multi_host_url(a, b),
        "NEDBRUD_BOOTSTRAP_KEY": KEY,
        "NEDBRUD_RATE_PER_SECOND": "100000",
        "NEDBRUD_RATE_BURST": "100000",
        "NEDBRUD_POOL_SIZE": "10",
    }


def test_a_failover_to_the_synchronous_standby_loses_no_acknowledged_write() -> None:
    with primary_and_standby() as (a, b), running_server(serve_env(a, b)) as (base, _):
        load = Load(base)
        load.start(CLIENTS)
        time.sleep(3.0)
        failover = fail_over(load, a, b, outage_s=2.0)
        time.sleep(2.0)
        load.finish()
        acked, lost = check_no_loss(load, b.url)
        # The situation picture goes on from the new primary: a write after the failover shows.
        last = max(load.acked.values(), key=lambda r: int(r["position"]))
        assert situation_shows(base, str(last["stream_id"]), int(last["position"]))
        verified = nedbrud(multi_host_url(a, b), "verify")
        # pg_dump takes the multi-host URL too, and finds the new primary by itself.
        with tempfile.TemporaryDirectory(prefix="nedbrud-failover-backup-") as scratch:
            backed_up = nedbrud(multi_host_url(a, b), "backup", f"{scratch}/backup")
    assert backed_up.returncode == 0, backed_up.stdout + backed_up.stderr
    assert json.loads(backed_up.stdout)["head"] >= int(last["position"])
    statuses = {status for _, _, status, _ in load.answers}
    assert statuses <= {201, -201, 503}, f"answers other than 201 and 503: {statuses}"
    assert all(retry for _, _, status, retry in load.answers if status == 503)
    assert set(failover.answers_without_primary) <= {503}, failover.answers_without_primary
    assert failover.answers_without_primary, "no request was answered while there was no primary"
    assert verified.returncode == 0, verified.stdout + verified.stderr
    print(
        f"\nfailover: {acked} writes acknowledged ({failover.acked_before} before the kill), "
        f"{lost} lost; {failover.without_primary_s:.2f} s without a primary "
        f"(answers meanwhile: {failover.answers_without_primary}); first write "
        f"{failover.first_write_after_promotion_s:.2f} s after pg_ctl promote began (which "
        f"took {failover.promote_s:.2f} s); "
        f"verify: {verified.stdout.strip()}"
    )


@pytest.mark.skipif(FAILOVERS == 0, reason="the long tier: set NEDBRUD_FAILOVERS=20 to run it")
def test_failovers_back_and_forth_lose_no_acknowledged_write() -> None:
    with primary_and_standby() as (a, b), running_server(serve_env(a, b)) as (base, _):
        load = Load(base)
        load.start(CLIENTS)
        primary, standby = a, b
        figures = []
        for turn in range(FAILOVERS):
            time.sleep(2.0)
            failover = fail_over(load, primary, standby, outage_s=1.0)
            assert set(failover.answers_without_primary) <= {503}, failover
            acked, lost = check_no_loss(load, standby.url)
            figures.append((failover, acked, lost))
            since = acked - (figures[-2][1] if len(figures) > 1 else 0)
            print(
                f"failover {turn + 1}: {since} acknowledged since the last check ({acked} in "
                f"all), {lost} lost; "
                f"{failover.without_primary_s:.2f} s without a primary; first write "
                f"{failover.first_write_after_promotion_s:.2f} s after pg_ctl promote began (which "
                f"took {failover.promote_s:.2f} s)",
                flush=True,
            )
            # The old primary comes back as the new one's synchronous standby.
            primary, standby = standby, primary
            standby.seed_from(primary)
            standby.start()
            primary.require_standby(standby)
        load.finish()
        acked, lost = check_no_loss(load, primary.url)
        verified = nedbrud(multi_host_url(a, b), "verify")
    assert {status for _, _, status, _ in load.answers} <= {201, -201, 503}  # -201: replayed
    assert verified.returncode == 0, verified.stdout + verified.stderr
    worst = max(f.without_primary_s for f, _, _ in figures)
    slowest = max(f.first_write_after_promotion_s for f, _, _ in figures)
    print(
        f"\n{FAILOVERS} failovers: {acked} acknowledged, {lost} lost; at most {worst:.2f} s "
        f"without a primary; first write at most {slowest:.2f} s after a promotion"
    )
