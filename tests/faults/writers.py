"""A client that keeps declaring outages, each retried with its Idempotency-Key until it is
answered 201, for the fault tests."""

from __future__ import annotations

import random
import threading
import time
import uuid

import httpx

from tests.e2e.test_server_roundtrip import AUTH, DECLARE


def client(
    base: str, stop: threading.Event, acked: dict[str, dict[str, object]], odd: list[str]
) -> None:
    """Declares outages one after another; each retried with its key until it is answered 201."""
    rng = random.Random()
    with httpx.Client(base_url=base, headers=AUTH, timeout=5) as http:
        while not stop.is_set():
            key = uuid.uuid4().hex
            for attempt in range(200):
                try:
                    answer = http.post(
                        "/v1/incidents", json=DECLARE, headers={"Idempotency-Key": key}
                    )
                    if answer.status_code == 201:
                        acked[key] = answer.json()
                        break
                    if answer.status_code not in (429, 503):  # the answers that mean "retry"
                        odd.append(f"{answer.status_code} {answer.text}")
                        return
                except httpx.TransportError:
                    pass  # the server is down: back off with jitter and try again
                time.sleep(rng.uniform(0, min(1.0, 0.05 * 2**attempt)))
