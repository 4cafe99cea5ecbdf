"""Shared helpers of the browser tests: Debian's Chromium driven by Playwright,
every page checked with axe-core, requests to other hosts and console errors
failing the test.

Import it in a browser test module *after* checking `browser_skip_reason()`:

    if reason := browser_skip_reason():
        pytest.skip(reason, allow_module_level=True)
    from kette.testing.browser import assert_accessible, open_page
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from playwright.sync_api import Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(settings.NPM_ROOT) / "axe-core" / "axe.min.js"
# Impacts that fail a page; "minor" and "moderate" findings are printed only.
BLOCKING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 15_000


def browser_skip_reason() -> str | None:
    """Why browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return (
            f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium); "
            "Playwright's own browser download is not used"
        )
    if not AXE.exists():
        return f"axe-core is missing at {AXE} (run scripts/bootstrap)"
    return None


@dataclass
class Observed:
    """What a page did besides rendering: problems the test fails on."""

    base_url: str
    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def request(self, url: str) -> None:
        scheme = urlsplit(url).scheme
        if scheme in {"http", "https", "ws", "wss"} and not url.startswith(self.base_url):
            self.foreign_requests.append(url)

    def check(self) -> None:
        assert self.foreign_requests == [], "requests to other hosts (no CDNs allowed)"
        assert self.console_errors == [], "errors in the browser console"


@contextmanager
def open_page(
    base_url: str, *, viewport: dict[str, int] | None = None
) -> Iterator[tuple[Page, Observed]]:
    """A fresh browser context (no cookies) with axe-core injected into every page;
    a desktop window unless `viewport` (e.g. a phone's) is given."""
    observed = Observed(base_url)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                locale="de-DE", viewport=viewport or {"width": 1280, "height": 900}
            )
            # An init script is not subject to the page's Content-Security-Policy
            # (which forbids inline scripts), unlike an injected <script> tag.
            context.add_init_script(path=str(AXE))
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.on("request", lambda request: observed.request(request.url))
            page.on(
                "console",
                lambda message: (
                    observed.console_errors.append(message.text)
                    if message.type == "error"
                    else None
                ),
            )
            page.on("pageerror", lambda error: observed.console_errors.append(str(error)))
            yield page, observed
            context.close()
        finally:
            browser.close()
    observed.check()


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page; fail on serious or critical violations."""
    # A click on a link returns once the navigation has started, and page.url
    # already names the new page when it commits; axe must wait for the new
    # document to load, or it runs on a document being torn down (CI saw
    # "Cannot read properties of null (reading 'documentElement')").
    page.wait_for_load_state("load")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    blocking = [v for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} – "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in blocking
    )
    assert not blocking, f"axe-core on {page.url}:\n{report}"


def session_cookie(user: Any, base_url: str) -> dict[str, str]:
    """A logged-in session of `user` (made by Django's test client) as a cookie
    for `page.context.add_cookies`, for tests whose subject is not the login
    form. Call it before `open_page`: it writes the session to the database,
    which Django refuses while Playwright's event loop runs."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base_url}
