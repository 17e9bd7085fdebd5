"""Browser-test fixtures: the app served live, and Debian's Chromium through Playwright.

Loaded for every test by tests/conftest.py (pytest_plugins).
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
FAKE_CAMERA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]

# --- the server -----------------------------------------------------------------------

ServerTimings = list[tuple[str, str, float]]


@pytest.fixture
def server_timings() -> ServerTimings:
    """(method, path, seconds) for each request the live server answered, in order."""
    return []


@pytest.fixture
def server_requests() -> list[str]:
    """Everything each request brought to the live server: line, headers and body."""
    return []


def _raw_request(environ: dict[str, Any]) -> str:
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    environ["wsgi.input"] = io.BytesIO(body)
    headers = " ".join(f"{k}={v}" for k, v in environ.items() if k.startswith("HTTP_"))
    return (f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}?{environ['QUERY_STRING']} "
            f"{headers} {body.decode('latin-1')}")


@pytest.fixture
def live_server(app: Any, server_timings: ServerTimings,
                server_requests: list[str]) -> Iterator[str]:
    """Serve the app on 127.0.0.1 at a free port in a background thread; yield its URL."""

    def timed(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        server_requests.append(_raw_request(environ))
        started = time.perf_counter()
        body = app(environ, start_response)
        try:
            return list(body)
        finally:
            if hasattr(body, "close"):
                body.close()  # WSGI: closes the file behind a static response
            server_timings.append((environ["REQUEST_METHOD"], environ["PATH_INFO"],
                                   time.perf_counter() - started))

    server = make_server("127.0.0.1", 0, timed, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


# --- the browser ----------------------------------------------------------------------

@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                         headless=True)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def camera_browser(playwright: Playwright) -> Iterator[Browser]:
    """Chromium with a fake webcam (a moving test pattern) that needs no permission prompt."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                         args=CHROMIUM_ARGS + FAKE_CAMERA_ARGS, headless=True)
    yield browser
    browser.close()


@contextmanager
def open_page(browser: Browser, live_server: str, **options: Any) -> Iterator[Page]:
    """A fresh context (cookies, storage) and page; fails the test on any script error."""
    context: BrowserContext = browser.new_context(base_url=live_server, locale="en-US",
                                                  **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    # Console errors too (a Content-Security-Policy refusal shows up only there), but not
    # "Failed to load resource": the browser's own request for /favicon.ico gets a 404.
    page.on("console", lambda message: script_errors.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load")
            else None)
    yield page
    # Close before the server stops: keep-alive connections would hold its threads.
    context.close()
    assert script_errors == [], f"script errors on the page: {script_errors}"


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    with open_page(browser, live_server) as page:
        yield page


@pytest.fixture
def camera_page(camera_browser: Browser, live_server: str) -> Iterator[Page]:
    with open_page(camera_browser, live_server) as page:
        page.context.grant_permissions(["camera"], origin=live_server)
        yield page
