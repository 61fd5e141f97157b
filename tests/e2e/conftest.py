"""Browser fixtures: Debian's Chromium driven by Playwright's sync API against `live_server`.

Playwright's sync API keeps an asyncio event loop running in the test thread for as long as
the browser is open, so Django refuses ORM calls from that thread (SynchronousOnlyOperation).
The tests touch the ORM only for setup and for pytest-django's flush between tests, never
concurrently with a page, so the check is switched off, for the lifetime of the browser only.
The browser lives for the e2e package and is closed after its last test; the rest of the
suite then runs with no event loop and with the check in force.

Nothing leaves loopback: Chromium's background services are off, its resolver knows no host
but localhost, and every page request to another host is aborted and fails the test.
"""

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread
from playwright.sync_api import Browser, Page, Request, Route, sync_playwright

from members import demo, services

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # Any name but the live server's resolves to nothing.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
TIMEOUT_MS = 15_000


class _OneRequestAtATime(ThreadedWSGIServer):
    """The live server over an in-memory SQLite database: every server thread uses the test's
    one connection, which sqlite3 cannot run two statements on at once ("bad parameter or
    other API misuse" when two pages poll together), so requests are answered one at a time."""

    _lock = threading.Lock()

    def set_app(self, application: Callable[..., Iterable[bytes]]) -> None:
        def one_at_a_time(environ: dict[str, Any], start_response: Callable) -> list[bytes]:
            with self._lock:
                response = application(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()

        super().set_app(one_at_a_time)


@pytest.fixture(scope="session", autouse=True)
def _sqlite_live_server_one_request_at_a_time() -> Iterator[None]:
    """Set up before the (session-wide) live server, before the test database exists (so by
    vendor: SQLite's test database is in memory). On PostgreSQL each thread has its own
    connection and nothing changes."""
    if connection.vendor != "sqlite":
        yield
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(LiveServerThread, "server_class", _OneRequestAtATime)
        yield


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for all e2e tests; fails (never skips) when it is missing."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} is missing or not executable: the e2e tests need Debian's Chromium "
            "(apt-get install chromium). Playwright's own browser downloads are not used.",
            pytrace=False,
        )
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield browser
            finally:
                browser.close()


@pytest.fixture
def open_page(browser: Browser, live_server) -> Iterator[Callable[..., Page]]:
    """Return ``open_page(width=, height=)``: a page in a fresh context (no cookies) whose
    relative URLs go to the live server and which reads Chinese (Accept-Language zh-CN)."""
    contexts = []
    off_loopback: list[str] = []

    def guard(route: Route, request: Request) -> None:
        if urlsplit(request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            off_loopback.append(request.url)
            route.abort("blockedbyclient")

    def _open(*, width: int = 1280, height: int = 800) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", guard)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()
    assert not off_loopback, f"the pages tried to leave loopback: {off_loopback}"


@pytest.fixture
def demo_logins() -> None:
    """The annex and the demo logins (as `make run` has them), loaded before a page opens."""
    services.load_roster()
    demo.load_demo()
