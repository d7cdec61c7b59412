"""Runderne over HTTP: what is due, overdue and given, vital needs first; names and medication
only for a purpose; a key sees only its units' rounds; late records change nothing but the
records themselves."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from service.access.auth import Role, create_key
from service.log.vault import forget
from tests.api.outage import Client
from tests.api.rounds_setup import AT_0900, dose, outage_with_a_list, rounds_at, visit

pytestmark = pytest.mark.anyio


async def test_overdue_vital_comes_first_and_every_state_is_counted(client: Client) -> None:
    outage = await outage_with_a_list(client)
    shown = await rounds_at(client, outage)
    assert shown["list_version"] == 1
    assert shown["counts"] == {
        "upcoming": 0, "due": 0, "overdue": 2, "overdue_vital": 1, "given": 0, "missed": 0
    }  # fmt: skip
    first, second = shown["occurrences"]
    assert (first["item_id"], first["vital"], first["status"]) == (
        "insulin-morgen",
        True,
        "overdue",
    )
    assert first["due_at"] == "2026-03-05T07:00:00Z"
    assert second["item_id"] == "morgenhjaelp"
    early = await rounds_at(client, outage, at="2026-03-05T07:20:00+01:00")
    assert early["counts"]["due"] == 1
    assert early["counts"]["upcoming"] == 1


async def test_names_and_medication_only_with_a_purpose_each_citizen_shown_logged(
    client: Client, pool: asyncpg.Pool
) -> None:
    outage = await outage_with_a_list(client)
    plain = await rounds_at(client, outage)
    assert plain["occurrences"][0]["summary"] == "medication"
    assert "citizen_name" not in plain["occurrences"][0]
    assert plain["occurrences"][1]["summary"] == "Morgenhjælp"
    count = "SELECT count(*) FROM access_log WHERE citizen_ref = ANY($1::text[])"
    refs = [outage.aase, outage.bent]
    assert await pool.fetchval(count, refs) == 0
    shown = await rounds_at(client, outage, purpose="treatment")
    assert shown["occurrences"][0]["summary"] == "NovoRapid 8 IE"
    assert shown["occurrences"][0]["citizen_name"] == "Aase Testesen"
    assert await pool.fetchval(count, refs) == 2


async def test_every_read_with_a_purpose_is_logged_and_a_read_without_shows_no_names(
    client: Client, pool: asyncpg.Pool
) -> None:
    # The lines of an unchanged round are encoded once and sent again: each read must still
    # write whom it showed, and a read without a purpose must not get the lines with names.
    outage = await outage_with_a_list(client)
    count = "SELECT count(*) FROM access_log WHERE citizen_ref = ANY($1::text[])"
    refs = [outage.aase, outage.bent]
    first = await rounds_at(client, outage, purpose="treatment")
    assert first == await rounds_at(client, outage, purpose="treatment")
    assert await pool.fetchval(count, refs) == 4
    plain = await rounds_at(client, outage)
    assert "Aase Testesen" not in str(plain)
    assert "NovoRapid" not in str(plain)
    assert plain == await rounds_at(client, outage)
    assert await pool.fetchval(count, refs) == 4
    assert first == await rounds_at(client, outage, purpose="treatment")
    assert await pool.fetchval(count, refs) == 6


async def test_a_unit_scoped_key_cannot_read_another_units_rounds(
    client: Client, pool: asyncpg.Pool
) -> None:
    outage = await outage_with_a_list(client)
    key = await create_key(pool, Role.STAFF, "elsewhere", units=["botilbud-andet"])
    other = await client.get(
        outage.rounds_path(),
        params={"unit": outage.unit, "at": AT_0900},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert other.status_code == 403
    unaffected = await client.get(outage.rounds_path(), params={"unit": "botilbud-andet"})
    assert unaffected.status_code == 422


async def test_a_dose_recorded_for_an_occurrence_shows_it_given(client: Client) -> None:
    outage = await outage_with_a_list(client)
    occurrence = (await rounds_at(client, outage))["occurrences"][0]["occurrence_id"]
    path = f"/v1/incidents/{outage.incident}/medication-dispensings"
    made = await client.post(path, json=dose(outage, occurrence_id=occurrence))
    assert made.status_code == 201, made.text
    shown = await rounds_at(client, outage)
    given = next(o for o in shown["occurrences"] if o["occurrence_id"] == occurrence)
    assert given["status"] == "given"
    assert given["record_id"] == made.json()["record_id"]
    assert (await client.get(f"/v1/manual-records/{given['record_id']}")).status_code == 200
    assert shown["occurrences"][-1] == given
    assert shown["counts"]["overdue_vital"] == 0


async def test_a_refused_dose_needs_a_reason_and_accounts_as_missed(client: Client) -> None:
    outage = await outage_with_a_list(client)
    path = f"/v1/incidents/{outage.incident}/medication-dispensings"
    refused = await client.post(path, json=dose(outage, outcome="refused"))
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("outcome-needs-reason")
    made = await client.post(path, json=dose(outage, outcome="refused", reason="Ville ikke"))
    assert made.status_code == 201, made.text
    shown = await rounds_at(client, outage)
    assert shown["counts"]["missed"] == 1
    assert shown["counts"]["overdue_vital"] == 0


async def test_records_arriving_late_and_out_of_order_give_the_same_rounds(client: Client) -> None:
    first = await outage_with_a_list(client)
    records = [
        ("medication-dispensings", dose(first, "2026-03-05T07:40:00+01:00", outcome="refused",
                                        reason="Sov")),
        ("medication-dispensings", dose(first, "2026-03-05T08:20:00+01:00")),
        ("care-deliveries", visit(first, "2026-03-05T07:50:00+01:00", "missed")),
        ("care-deliveries", visit(first, "2026-03-05T08:10:00+01:00")),
    ]  # fmt: skip
    second = await outage_with_a_list(client, first.unit)

    async def post_all(incident: str, order: list[int]) -> None:
        for n in order:
            kind, body = records[n]
            made = await client.post(f"/v1/incidents/{incident}/{kind}", json=body)
            assert made.status_code == 201, made.text

    await post_all(first.incident, [0, 1, 2, 3])
    await post_all(second.incident, [3, 1, 2, 0])

    def seen(shown: dict[str, object]) -> object:
        lines = shown["occurrences"]
        assert isinstance(lines, list)
        return shown["counts"], [(o["occurrence_id"], o["status"]) for o in lines]

    one, two = await rounds_at(client, first), await rounds_at(client, second)
    assert seen(one) == seen(two)
    assert one["counts"]["given"] == 2


async def test_a_citizen_forgotten_after_the_rounds_were_shown_is_gone_from_the_next_read(
    client: Client, pool: asyncpg.Pool
) -> None:
    # The rounds are worked out once and kept between reads: deleting a citizen's key must
    # still take their name and medication out of the very next read.
    outage = await outage_with_a_list(client)
    before = await rounds_at(client, outage, purpose="treatment")
    assert before["occurrences"][0]["citizen_name"] == "Aase Testesen"
    assert before == await rounds_at(client, outage, purpose="treatment")
    assert await forget(pool, outage.aase)
    after = await rounds_at(client, outage, purpose="treatment")
    assert "Aase Testesen" not in str(after)
    assert "NovoRapid" not in str(after)
    hers = [o for o in after["occurrences"] if o["citizen_ref"] == outage.aase]
    assert hers, after  # her occurrences stay: what is due is not forgotten with her name
    # Her medication is gone with her key: each line says what kind it was, as without a
    # purpose, not an empty summary a round would show as a blank line.
    assert {o["summary"] for o in hers} == {"medication"}
    bent = next(o for o in before["occurrences"] if o["citizen_ref"] == outage.bent)
    assert bent in after["occurrences"]


@pytest.mark.parametrize(
    "at",
    [
        "9999-12-31T23:00:00+00:00",  # past year 9999 the 12 hours' look ahead was a 500
        "9999-12-31T23:00:00-05:00",
        "2050-01-01T00:00:00Z",  # years of occurrences: 7 s of a blocked server and 42 MB
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC: an OverflowError, a 500
        "0001-01-01T00:00:00+23:59",
        "1999-12-31T23:59:59Z",
    ],
)
async def test_a_moment_far_from_the_outage_is_refused_naming_at_not_worked_out_nor_a_500(
    client: Client, at: str
) -> None:
    """The rounds are worked out from the detection until `at` and 12 hours past it: `at` may
    lie at most a day ahead, and not before 2000."""
    outage = await outage_with_a_list(client)
    started = time.perf_counter()
    refused = await client.get(outage.rounds_path(), params={"unit": outage.unit, "at": at})
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"] == "/problems/out-of-range"  # a rule beyond the schema's
    assert refused.json()["errors"][0]["field"] == "at"
    assert time.perf_counter() - started < 2  # refused, not worked out first


@pytest.mark.parametrize("at", ["1700000000", "0.5", "2026-03-05T09:00:00", "i morgen"])
async def test_a_moment_that_is_not_a_time_with_an_offset_is_refused_naming_at(
    client: Client, at: str
) -> None:
    """A bare number was taken as seconds since 1970, a time without an offset as ambiguous."""
    outage = await outage_with_a_list(client)
    refused = await client.get(outage.rounds_path(), params={"unit": outage.unit, "at": at})
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "at"


async def test_a_moment_a_few_hours_ahead_shows_what_will_then_be_due(client: Client) -> None:
    """Planning the next round: `at` within the day ahead is answered."""
    outage = await outage_with_a_list(client)
    ahead = (datetime.now(UTC) + timedelta(hours=20)).isoformat()
    shown = await client.get(outage.rounds_path(), params={"unit": outage.unit, "at": ahead})
    assert shown.status_code == 200, shown.text
    assert shown.json()["at"][:13] == ahead[:13]
