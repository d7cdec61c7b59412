"""The address a request is counted under (the failed-key limit) is the connection's own: a
client cannot choose it with X-Forwarded-For unless a reverse proxy is named."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import running_server
from tests.e2e.test_server_roundtrip import AUTH, KEY


def test_x_forwarded_for_neither_escapes_nor_aims_the_failed_key_limit(database_url: str) -> None:
    env = {
        "DATABASE_URL": database_url,
        "NEDBRUD_BOOTSTRAP_KEY": KEY,
        "NEDBRUD_AUTH_FAILURE_BURST": "3",
        "NEDBRUD_AUTH_FAILURE_RATE": "0.1",
    }
    with running_server(env) as (base, _), httpx.Client(base_url=base) as http:
        answers = [
            http.get(
                "/v1/contacts/now",
                headers={
                    "Authorization": f"Bearer nbd_guess-{n}",
                    "X-Forwarded-For": f"10.0.0.{n}",
                },
            ).status_code
            for n in range(6)
        ]
        # Six guesses "from" six addresses are one address: the fourth on waits.
        assert answers == [401, 401, 401, 429, 429, 429]
        valid = http.get("/v1/contacts/now", headers=AUTH | {"X-Forwarded-For": "10.0.0.1"})
        assert valid.status_code == 200  # a valid key is never locked out
