"""The server's log as an operator reads it: JSON lines naming the request, never the citizen."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.api.outage import CPR, dispensing
from tests.e2e.conftest import running_server
from tests.e2e.test_server_roundtrip import AUTH, DECLARE, KEY


def test_each_request_is_one_json_line_with_its_request_id_and_no_personal_data(
    database_url: str, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": database_url, "NEDBRUD_BOOTSTRAP_KEY": KEY}
    output = tmp_path / "serve.log"
    with (
        running_server(env, output=output) as (base, _),
        httpx.Client(base_url=base, headers=AUTH) as http,
    ):
        incident = http.post("/v1/incidents", json=DECLARE).headers["location"]
        taken = http.post(
            f"{incident}/medication-dispensings",
            json=dispensing(),
            headers={"X-Request-ID": "nattevagt-taken-1"},
        )
        refused = http.post(
            f"{incident}/medication-dispensings",
            json=dispensing(unit="Not A Slug"),
            headers={"X-Request-ID": "nattevagt-refused-1"},
        )
        missing = http.get(f"/v1/manual-records/{CPR}", headers={"X-Request-ID": "lost-1"})
    assert (taken.status_code, refused.status_code, missing.status_code) == (201, 422, 404)

    text = output.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert len(lines) >= 4  # every line parsed as JSON
    by_request = {line.get("request_id"): line for line in lines if "http" in line}
    assert by_request["nattevagt-taken-1"]["http"] == {
        "method": "POST",
        "route": "/v1/incidents/{incident_id}/medication-dispensings",
        "status": 201,
        "ms": by_request["nattevagt-taken-1"]["http"]["ms"],
    }
    assert by_request["nattevagt-refused-1"]["http"]["status"] == 422
    assert by_request["lost-1"]["http"]["route"] == "unmatched"
    # The citizen's CPR number and name, the carer's name, and the medication stay out.
    for secret in (CPR, CPR.replace("-", ""), "Synthetic Borger", "Anne Testesen", "Paracetamol"):
        assert secret not in text
