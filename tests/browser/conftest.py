"""Headless Chromium (Debian's) driven by Playwright against pytest-django's live server.

Every request the page makes is checked: anything not addressed to 127.0.0.1 fails the test, so no
page can quietly depend on a third-party host (a CDN, a tile server). And every page is watched for
what the Content-Security-Policy refused (a script, a style, a picture): any refusal fails the test.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls in these tests are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class ForeignRequestGuard:
    def __init__(self) -> None:
        self.blocked: list[str] = []

    def __call__(self, route) -> None:
        host = urlparse(route.request.url).hostname
        if host in {"127.0.0.1", "localhost"} or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()


class PolicyViolations:
    """What the browser reported refusing under the Content-Security-Policy (Chromium writes each
    refusal to the console as an error naming the policy)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.seen.append(f"{message.location.get('url', '?')}: {message.text}")


@pytest.fixture
def new_page(browser, live_server):
    """Open pages at a given viewport; fails the test if any request leaves 127.0.0.1 or the
    Content-Security-Policy refuses anything on them."""
    contexts, guards = [], []
    violations = PolicyViolations()

    def open_page(viewport: dict | None = None, locale: str = "uk-UA"):
        context = browser.new_context(viewport=viewport or DESKTOP, locale=locale, base_url=live_server.url)
        guard = ForeignRequestGuard()
        context.route("**/*", guard)
        context.on("console", violations)
        contexts.append(context)
        guards.append(guard)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()
    # Let the live server finish the requests the pages left in flight: one still in a transaction
    # when the test database is flushed deadlocks the flush (seen once in a full run).
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=15)
    blocked = [url for guard in guards for url in guard.blocked]
    assert not blocked, f"pages requested third-party hosts: {blocked}"
    assert not violations.seen, "the Content-Security-Policy refused:\n" + "\n".join(violations.seen)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/ for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, username: str, password: str = "secret-pass-123") -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")  # not the header's language buttons
