"""Paper (API.md Part 2): the action cards with the whole contact schedule, and a unit's paper kit,
read back as printed: each page's text, each page rendered, every QR code decoded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from service.access.auth import Role, create_key
from service.app import create_app
from service.runtime.plan_file import read_plan
from service.write.units import unit_stream_id
from tests.api.nodliste import a_cpr, a_list, a_unit, citizen, insulin, morning_help, two_citizens
from tests.api.outage import Client
from tests.api.rounds_setup import Outage, outage_with_a_list
from tests.apps import settings_for
from tests.pdf_pages import as_digits, page_texts, plain, rendered_qr_codes

pytestmark = pytest.mark.anyio

PLAN = read_plan()
SHEETS = ("Medicinudlevering på papir", "Pleje og omsorg på papir")
DASH = "\N{EN DASH}"
PUBLIC = "https://nedbrud.kommune.example"


async def kit_of(client: Client, unit: str, **params: str) -> tuple[bytes, list[str]]:
    answer = await client.get(f"/v1/units/{unit}/paper-kit", params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    return answer.content, page_texts(answer.content)


async def test_the_action_cards_give_each_role_its_lines_and_the_whole_contact_schedule(
    client: Client,
) -> None:
    answer = await client.get("/v1/plan/action-cards")
    assert answer.headers["content-type"] == "application/pdf"
    pages = page_texts(answer.content)
    roles = [r for r in PLAN.file.roles if any(r in x.roles for x in PLAN.file.lines)]
    assert len(roles) == len(PLAN.file.roles)  # every role of the plan has its card
    schedule = pages[0]
    for day in ("Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag", "Lørdag", "Søndag"):
        assert day in schedule
    # Every weekday's hours per channel, the fallback around them, the holiday rule.
    for span in ("07.00 15.30", "07.00 17.00", "07.00 13.30", "17.00 21.00", "13.30 18.00",
                 "08.00 16.00", "00.00 07.00", "21.00 24.00"):  # fmt: skip
        hours = span.replace(" ", f" {DASH} ")
        assert hours in schedule, hours
    assert schedule.count("87 87 87 87") >= 14
    assert "Beredskabet" in schedule
    assert "Helligdage" in " ".join(pages[:2])
    assert "følger søndagens tider" in " ".join(pages[:2])
    cards = [p for p in pages if "ACTION CARD" in p]
    assert len(cards) == len(roles)
    for role, card in zip(roles, cards, strict=True):
        assert PLAN.file.roles[role] in card
        for line in PLAN.file.lines:
            if role in line.roles:
                assert plain(line.text) in card, (role, line.text)
        assert "Service Desk: 87 87 41 99" in card
    html = await client.get("/v1/plan/action-cards", params={"format": "html"})
    assert html.headers["content-type"].startswith("text/html")
    assert html.text.count('class="action-card"') == len(roles)
    assert "Kontaktoplysninger" in html.text
    assert "Fredag" in html.text


async def test_a_kit_without_a_purpose_carries_references_and_blank_name_and_cpr_fields(
    client: Client, pool: asyncpg.Pool
) -> None:
    body, aase, bent = two_citizens()
    unit = a_unit()
    assert (await client.put(f"/v1/units/{unit}/emergency-list", json=body)).status_code == 201
    outage = await outage_with_a_list(client, unit)
    logged = await pool.fetchval("SELECT count(*) FROM access_log")
    pdf, pages = await kit_of(client, unit, incident=outage.incident)
    text = as_digits(" ".join(pages))
    for personal in (aase, bent, "Aase Testesen", "Bent Prøvesen", "Insulinkrævende", "NovoRapid"):
        assert personal not in text
    assert outage.aase in text
    assert outage.bent in text
    sheets = [p for p in pages if any(s in p for s in SHEETS)]
    assert sheets
    assert all("Navn:" in p and "CPR:" in p for p in sheets)
    assert "Morgenhjælp" in text  # the help is no one's secret; what the medicine is, is
    assert await pool.fetchval("SELECT count(*) FROM access_log") == logged
    stream = unit_stream_id(unit, "actual")
    assert await pool.fetchval("SELECT count(*) FROM events WHERE stream_id = $1", stream) == 0
    rendered_qr_codes(pdf, "kit-no-purpose")


async def test_a_kit_with_a_purpose_has_name_and_cpr_on_every_sheet_and_logs_each_citizen(
    client: Client, pool: asyncpg.Pool
) -> None:
    body, aase, bent = two_citizens()
    unit = a_unit()
    await client.put(f"/v1/units/{unit}/emergency-list", json=body)
    outage = await outage_with_a_list(client, unit)
    before = await pool.fetchval("SELECT coalesce(max(id), 0) FROM access_log")
    _, pages = await kit_of(client, unit, incident=outage.incident, purpose="treatment")
    aase_cpr, bent_cpr = f"{aase[:6]}-{aase[6:]}", f"{bent[:6]}-{bent[6:]}"
    sheets = [p for p in pages if any(s in p for s in SHEETS)]
    named = [p for p in sheets if "Aase Testesen" in p or "Bent Prøvesen" in p]
    assert len(named) == 2  # Aase's medication sheet, Bent's care sheet; then blank ones
    for page in named:
        assert (aase_cpr in page) == ("Aase Testesen" in page)
        assert (bent_cpr in page) == ("Bent Prøvesen" in page)
        assert "Dato" in page
        assert "Kl." in page
        assert "Initialer" in page
        assert f"Nedbrud: Nexus utilgængelig ({outage.incident})" in page
    assert "Insulinkrævende diabetes" in named[0] or "Insulinkrævende diabetes" in named[1]
    round_page = next(p for p in pages if "Nødliste efter tidspunkt" in p)
    assert "LIVSVIGTIG · NovoRapid 8 IE" in round_page
    assert "Morgenhjælp" in round_page
    rows = await pool.fetch(
        "SELECT citizen_ref, purpose, endpoint FROM access_log WHERE id > $1", before
    )
    assert {r["citizen_ref"] for r in rows} == {outage.aase, outage.bent}
    assert {(r["purpose"], r["endpoint"]) for r in rows} == {
        ("treatment", "GET /v1/units/{unit}/paper-kit")
    }


async def test_a_kit_printed_with_a_purpose_records_that_the_medication_list_was_printed(
    client: Client, pool: asyncpg.Pool
) -> None:
    outage = await outage_with_a_list(client)
    unnamed = await client.get(f"/v1/units/{outage.unit}/paper-kit")
    assert "nedbrud-position" not in unnamed.headers  # without a purpose nothing is recorded
    kit = await client.get(
        f"/v1/units/{outage.unit}/paper-kit", params={"purpose": "treatment", "by": "emp-1042"}
    )
    assert kit.status_code == 200, kit.text
    stream = unit_stream_id(outage.unit, "actual")
    rows = await pool.fetch(
        "SELECT type, position FROM events WHERE stream_id = $1 ORDER BY version", stream
    )
    assert [r["type"] for r in rows] == ["unit-registered", "medication-list-printed"]
    # The answer says where the print is, so readiness can be read once it has it.
    assert kit.headers["nedbrud-position"] == str(rows[-1]["position"])
    after = {"after_position": kit.headers["nedbrud-position"]}
    readiness = (await client.get("/v1/readiness", params=after)).json()
    unit = next(u for u in readiness if u["unit"] == outage.unit)
    printed = datetime.fromisoformat(unit["list_printed_at"])
    assert datetime.now(UTC) - printed < timedelta(minutes=1)


async def test_every_qr_code_on_the_kit_opens_the_round_form_of_its_occurrence(
    database_url: str, keys: dict[Role, str], client: Client
) -> None:
    outage = await outage_with_a_list(client)
    app = create_app(settings_for(database_url, public_url=PUBLIC))
    before = datetime.now(UTC)
    async with AsyncTestClient(app=app) as public:
        public.headers["Authorization"] = f"Bearer {keys[Role.STAFF]}"
        pdf, pages = await kit_of(public, outage.unit, incident=outage.incident)
    after = datetime.now(UTC)
    codes = rendered_qr_codes(pdf, "kit-qr")
    urls = [u for page in codes for u in page]
    # Bent's morning help and Aase's insulin, each once; twice if printed after its time while
    # its window is open (at 07:40 today's help is still due, and tomorrow's is within the day).
    assert len(urls) in {in_a_day(TWO_ITEMS, before), in_a_day(TWO_ITEMS, after)}
    for url in urls:
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{PUBLIC}/dashboard/"
        route, _, query = parts.fragment.partition("?")
        assert route == "/runde"
        asked = {k: v[0] for k, v in parse_qs(query).items()}
        assert asked["unit"] == outage.unit
        assert asked["incident"] == outage.incident
    # Each code is one of the round's occurrences: those due in the day from the print.
    shown = [occurrence_of(u) for u in urls]
    due = await due_in_a_day(client, outage, (before, after))
    assert sorted(shown) in [sorted(o["occurrence_id"] for o in d) for d in due]
    assert all({o["item_id"] for o in d} == {"morgenhjaelp", "insulin-morgen"} for d in due)
    for page, found in zip(pages, codes, strict=True):
        assert len(found) == page.count("Vindue")  # a code for every line, and only there


async def test_a_full_page_of_the_list_has_a_readable_code_on_every_line(client: Client) -> None:
    unit = a_unit()
    many = a_list(*(citizen(a_cpr(), f"Borger {n}", insulin(), morning_help()) for n in range(8)))
    assert (await client.put(f"/v1/units/{unit}/emergency-list", json=many)).status_code == 201
    outage = await outage_with_a_list(client, unit)
    before = datetime.now(UTC)
    pdf, _ = await kit_of(client, unit, incident=outage.incident)
    after = datetime.now(UTC)
    codes = rendered_qr_codes(pdf, "kit-full-page")
    assert max(len(found) for found in codes) >= 8  # pages full of codes, each one readable
    shown = [occurrence_of(u) for found in codes for u in found]
    assert len(shown) in {8 * in_a_day(TWO_ITEMS, before), 8 * in_a_day(TWO_ITEMS, after)}
    due = await due_in_a_day(client, outage, (before, after))
    assert sorted(shown) in [sorted(o["occurrence_id"] for o in d) for d in due]


# The items of `two_citizens` (tests/api/nodliste.py): each one's time and window in minutes.
TWO_ITEMS = tuple((i["times"][0], i["window_minutes"]) for i in (insulin(), morning_help()))


def in_a_day(items: tuple[tuple[str, int], ...], moment: datetime) -> int:
    """How many occurrences of these daily items a kit printed at `moment` lists, worked out from
    the clock alone: each whose window is still open and whose time is within 24 hours."""
    local = moment.astimezone(PLAN.tz)
    count = 0
    for at, window in items:
        hour, minute = (int(part) for part in at.split(":"))
        for days in (-1, 0, 1):
            day = local.date() + timedelta(days=days)
            due = datetime(day.year, day.month, day.day, hour, minute, tzinfo=PLAN.tz)
            closes = due + timedelta(minutes=window / 2)
            count += closes > moment and due < moment + timedelta(hours=24)
    return count


def occurrence_of(url: str) -> str:
    """The occurrence a kit's QR code opens the round form on."""
    _, _, query = urlsplit(url).fragment.partition("?")
    return parse_qs(query)["occurrence"][0]


async def due_in_a_day(
    client: Client, outage: Outage, moments: tuple[datetime, ...]
) -> list[list[dict[str, Any]]]:
    """For each of the moments (earliest first), the round's occurrences whose window is open
    then and that are due within 24 hours of it, as one read of the rounds gives them."""
    last = moments[-1] + timedelta(hours=12)  # the rounds look 12 hours past `at`
    rounds = await client.get(
        outage.rounds_path(), params={"unit": outage.unit, "at": last.isoformat()}
    )
    occurrences = rounds.json()["occurrences"]
    return [
        [
            o
            for o in occurrences
            if datetime.fromisoformat(o["due_until"]) > moment
            and datetime.fromisoformat(o["due_at"]) < moment + timedelta(hours=24)
        ]
        for moment in moments
    ]


async def test_every_page_of_the_kit_says_which_page_of_how_many_it_is(client: Client) -> None:
    outage = await outage_with_a_list(client)
    _, pages = await kit_of(client, outage.unit)
    assert all(f"Side {i} af {len(pages)}" in p for i, p in enumerate(pages, 1))
    assert "QR-koder til registrering kommer med" in " ".join(pages)  # no outage: no codes


async def test_a_unit_key_prints_only_its_own_units_kit(client: Client, pool: asyncpg.Pool) -> None:
    outage = await outage_with_a_list(client)
    other = await create_key(pool, Role.STAFF, "another unit", units=["botilbud-andet"])
    answer = await client.get(
        f"/v1/units/{outage.unit}/paper-kit", headers={"Authorization": f"Bearer {other}"}
    )
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"
    reporter = await create_key(pool, Role.REPORTER, "a monitor")
    refused = await client.get(
        f"/v1/units/{outage.unit}/paper-kit", headers={"Authorization": f"Bearer {reporter}"}
    )
    assert refused.status_code == 403
    own = await create_key(pool, Role.STAFF, "its own unit", units=[outage.unit])
    mine = await client.get(
        f"/v1/units/{outage.unit}/paper-kit", headers={"Authorization": f"Bearer {own}"}
    )
    assert mine.status_code == 200


async def test_a_kit_for_a_unit_the_outage_spares_or_that_keeps_no_list_is_refused(
    client: Client,
) -> None:
    outage = await outage_with_a_list(client)
    spared = await client.get(
        f"/v1/units/{a_unit()}/paper-kit", params={"incident": outage.incident}
    )
    assert spared.status_code == 422
    assert spared.json()["type"] == "/problems/unit-not-affected"
    no_list = await client.get(f"/v1/units/{a_unit()}/paper-kit")
    assert no_list.status_code == 404
    assert no_list.json()["type"] == "/problems/no-emergency-list"


async def test_a_kit_of_more_lines_than_paper_holds_is_refused_before_the_printer_is_held(
    client: Client, pool: asyncpg.Pool
) -> None:
    """5,000 items at 48 times a day are 240,000 lines: minutes in the one printer process,
    every unit's kit waiting behind them. Refused at once, naming the rule; nothing logged or
    recorded as printed."""
    unit, every_half_hour = a_unit(), [f"{h:02d}:{m}" for h in range(24) for m in ("00", "30")]
    items = [{**morning_help(), "item_id": f"i{n}", "times": every_half_hour} for n in range(250)]
    kept = await client.put(
        f"/v1/units/{unit}/emergency-list", json=a_list(citizen(a_cpr(), "Aase", *items))
    )
    assert kept.status_code == 201, kept.text
    events = await pool.fetchval("SELECT count(*) FROM events")
    logged = await pool.fetchval("SELECT count(*) FROM access_log")
    started = datetime.now(UTC)
    refused = await client.get(f"/v1/units/{unit}/paper-kit", params={"purpose": "treatment"})
    assert refused.status_code == 422, refused.headers
    assert refused.json()["type"].endswith("paper-kit-too-large")
    assert "at most 10000" in refused.json()["detail"]
    assert datetime.now(UTC) - started < timedelta(seconds=3)
    assert await pool.fetchval("SELECT count(*) FROM events") == events
    assert await pool.fetchval("SELECT count(*) FROM access_log") == logged
