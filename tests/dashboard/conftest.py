"""The dashboard in a real headless Chromium (Debian's), driven by Playwright, against a real
`nedbrud serve`. Screenshots of every view go to a folder printed at the end of the run."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright

from tests.client import conftest as client_conftest
from tests.client.conftest import Server
from tests.e2e.test_server_roundtrip import KEY

CHROMIUM = "/usr/bin/chromium"
# As the machine's notes say: without the background-networking flags Chromium keeps trying to
# reach hosts this closed network refuses.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(
    os.environ.get("NEDBRUD_SCREENSHOTS") or Path(tempfile.gettempdir()) / "nedbrud-screenshots"
)
# A change reaches the wall screen through the projector and the stream; on a loaded CI machine
# that can take more than Playwright's default 5 s.
expect.set_options(timeout=15_000)

PHONE: ViewportSize = {"width": 360, "height": 780}
WALL: ViewportSize = {"width": 1920, "height": 1080}


# The same live server the client's tests use: a `nedbrud serve` on the session's database.
server = client_conftest.server


def ensure_chromium() -> None:
    """Debian's Chromium, installed here if it is missing and we may (as CI does)."""
    if Path(CHROMIUM).exists():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "chromium"],
            check=True,
            env=os.environ | {"DEBIAN_FRONTEND": "noninteractive"},
            capture_output=True,
        )
        return
    pytest.fail("the dashboard tests need Debian's Chromium: apt-get install chromium")


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Browser]:
    """Started after the server (and its database): Playwright's sync API keeps an event loop
    running in this thread until the browser closes, so nothing may call asyncio.run meanwhile."""
    ensure_chromium()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def open_page(browser: Browser, server: Server, size: ViewportSize, key: str = KEY) -> Page:
    """A new browser session at `size`, logged in with `key`, on the situation picture."""
    context = browser.new_context(viewport=size, locale="da-DK", timezone_id="Europe/Copenhagen")
    page = context.new_page()
    page.goto(f"{server.url}/dashboard/")
    page.get_by_label("API-nøgle").fill(key)
    page.get_by_label("Dit medarbejdernummer").fill("emp-1042")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("heading", name="Situationsbillede", exact=True).wait_for()
    return page


def screenshot(page: Page, name: str) -> Path:
    width = page.viewport_size["width"] if page.viewport_size else 0
    path = SCREENSHOTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SCREENSHOTS.exists() and any(SCREENSHOTS.glob("*.png")):
        terminalreporter.write_line(f"dashboard screenshots: {SCREENSHOTS}")
