"""What a browser is told on every answer (no framing, no sniffing, no referrer, a content
security policy without inline script), and paths no file can have are 404s without a key."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.api.outage import Client, declare

pytestmark = pytest.mark.anyio

DASHBOARD = Path(__file__).resolve().parents[2] / "clients" / "dashboard"


def policy(header: str) -> dict[str, str]:
    parts = (p.strip().split(" ", 1) for p in header.split(";") if p.strip())
    return {p[0]: p[1] if len(p) > 1 else "" for p in parts}


@pytest.mark.parametrize(
    "path",
    ["/dashboard/", "/dashboard/app.js", "/v1/situation", "/health/live", "/nowhere", "/v1/nope"],
)
async def test_every_answer_refuses_framing_sniffing_and_referrers(
    client: Client, path: str
) -> None:
    answer = await client.get(path)
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["x-frame-options"] == "DENY"
    csp = policy(answer.headers["content-security-policy"])
    assert csp["frame-ancestors"] == "'none'"


async def test_the_dashboard_may_run_only_its_own_scripts(client: Client) -> None:
    answer = await client.get("/dashboard/")
    assert answer.status_code == 200
    csp = policy(answer.headers["content-security-policy"])
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert "unsafe-inline" not in answer.headers["content-security-policy"]
    api = policy((await client.get("/v1/situation")).headers["content-security-policy"])
    assert api["default-src"] == "'none'"


class InlineFinder(HTMLParser):
    """Inline scripts, event handler attributes, style attributes and blocks, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "script" and "src" not in named:
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("inline <style>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}=")
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}=javascript:")


def test_the_dashboard_has_no_inline_script_handler_or_style() -> None:
    finder = InlineFinder()
    finder.feed((DASHBOARD / "index.html").read_text(encoding="utf-8"))
    assert finder.found == []
    for script in DASHBOARD.glob("*.js"):
        text = script.read_text(encoding="utf-8")
        # Markup built from strings would bring its handlers and styles past the policy.
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", text)
        assert not re.search(r"\beval\(|new Function\(|setAttribute\(\s*[\"']on", text)


@pytest.mark.parametrize(
    "path",
    ["/dashboard/app.js%00.html", "/dashboard/%00", "/dashboard/" + "a" * 300 + ".js"],
)
async def test_a_path_no_file_can_have_is_not_found_without_a_key(
    client: Client, path: str
) -> None:
    client.headers.pop("Authorization", None)
    answer = await client.get(path)
    assert answer.status_code == 404, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["type"] == "/problems/not-found"


async def test_no_answer_of_the_api_is_kept_in_a_cache(client: Client) -> None:
    incident = await declare(client)
    for path in (
        f"/v1/incidents/{incident}",
        "/v1/back-entry",
        f"/v1/incidents/{incident}/timeline",
    ):
        answer = await client.get(path, params={"purpose": "back-entry"} if "back" in path else {})
        assert answer.status_code == 200, answer.text
        assert answer.headers["cache-control"] == "no-store", path
