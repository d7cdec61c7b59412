"""One browser, two people: each login has its own outbox, so one person's saved or refused
records are never shown to, or sent with the key of, the next; and the dashboard runs under its
content security policy without a single violation."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import Browser, Page, expect

from tests.client.conftest import Server, declared
from tests.dashboard.conftest import PHONE, WALL, open_page
from tests.dashboard.test_dashboard import VIEWS, fill_dispensing, go

UNIT = "botilbud-two-logins"


def make_key(server: Server, label: str) -> dict[str, Any]:
    made = httpx.post(
        f"{server.url}/v1/keys",
        json={"role": "staff", "label": label},
        headers={"Authorization": f"Bearer {server.key}"},
    )
    assert made.status_code == 201, made.text
    created: dict[str, Any] = made.json()
    return created


def log_in(page: Page, key: str) -> None:
    page.get_by_label("API-nøgle").fill(key)
    page.get_by_label("Dit medarbejdernummer").fill("emp-2000")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_role("navigation")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log ud").click()
    expect(page.get_by_label("API-nøgle")).to_be_visible()


def sources_of_dispensings(server: Server, incident: str, after: int) -> list[str | None]:
    events = httpx.get(
        f"{server.url}/v1/events",
        params={"after_position": after, "limit": 500},
        headers={"Authorization": f"Bearer {server.key}"},
    ).json()
    return [
        e["source"]
        for e in events
        if e["type"] == "medication-dispensed" and e["correlation_id"] == incident
    ]


def test_two_logins_on_one_browser_keep_their_outboxes_apart(
    browser: Browser, server: Server
) -> None:
    incident = declared(server, unit=UNIT)
    outage = str(incident.incident_id)
    anne, bo = make_key(server, "Anne"), make_key(server, "Bo")
    page = open_page(browser, server, PHONE, key=anne["key"])
    go(page, "registrer")
    page.context.set_offline(True)
    fill_dispensing(page, outage, UNIT, "010170-0000", "2026-03-05T08:00")
    expect(page.locator("#waiting")).to_have_text("1 venter på at blive sendt")
    log_out(page)

    page.context.set_offline(False)
    log_in(page, bo["key"])
    expect(page.locator("#waiting")).to_have_text("")
    waiting = "import('./outbox.js').then(async (o) => (await o.waiting()).length)"
    assert page.evaluate(waiting) == 0
    page.wait_for_timeout(6_000)  # the outbox's 5 s round has run, as Bo
    assert sources_of_dispensings(server, outage, incident.position) == []
    log_out(page)

    log_in(page, anne["key"])  # her record waited for her, and goes with her key
    expect(page.locator("#waiting")).to_have_text("1 venter på at blive sendt")
    expect(page.locator("#waiting")).to_have_text("", timeout=20_000)
    assert sources_of_dispensings(server, outage, incident.position) == [anne["key_id"]]


VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


def test_every_view_runs_under_the_content_security_policy(
    browser: Browser, server: Server
) -> None:
    context = browser.new_context(viewport=WALL, locale="da-DK")
    context.add_init_script(VIOLATIONS)
    page = context.new_page()
    page.goto(f"{server.url}/dashboard/")
    log_in(page, server.key)
    for view in [*VIEWS, "situation"]:
        go(page, view)
    expect(page.locator("#live")).to_have_text("● Live")  # the stream's fetch is allowed too
    assert page.evaluate("window.__violations") == []
    context.close()


SHARED_OUTBOX = """async ({path, body}) => {
  const db = await new Promise((ok, fail) => {
    const r = indexedDB.open("nedbrud-dashboard", 1);
    r.onupgradeneeded = () => {
      r.result.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
      r.result.createObjectStore("refused", { keyPath: "seq" });
    };
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
  await new Promise((ok) => {
    const tx = db.transaction("outbox", "readwrite");
    tx.objectStore("outbox").add({ key: crypto.randomUUID(), path, body, label: "medicin før",
                                   savedAt: new Date().toISOString() });
    tx.oncomplete = ok;
  });
  db.close();
}"""


def test_a_record_saved_by_the_version_with_one_shared_outbox_is_not_lost(
    browser: Browser, server: Server
) -> None:
    incident = declared(server, unit=UNIT)
    outage = str(incident.incident_id)
    body = {
        "citizen": {"cpr": "010170-0000"},
        "unit": UNIT,
        "by": {"id": "emp-2000"},
        "medication": {"name": "Paracetamol", "dose": "1 tabl."},
        "dispensed_at": "2026-03-05T08:00:00+01:00",
    }
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{server.url}/dashboard/")
    path = f"/v1/incidents/{outage}/medication-dispensings"
    page.evaluate(SHARED_OUTBOX, {"path": path, "body": body})
    anne = make_key(server, "Anne, after the update")
    log_in(page, anne["key"])
    for _ in range(200):  # the outbox's round comes every 5 s
        if sources := sources_of_dispensings(server, outage, incident.position):
            break
        page.wait_for_timeout(100)
    assert sources == [anne["key_id"]]
    names = page.evaluate("indexedDB.databases().then((all) => all.map((d) => d.name))")
    assert "nedbrud-dashboard" not in names
    context.close()
