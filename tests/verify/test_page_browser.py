"""The /v page in Debian's Chromium: it checks cards on the device, offline too, and no
request that reaches the server ever carries the token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from idcard.issuance.printing import card_token
from idcard.models import Card
from idcard.services import services
from tests.browser_fixtures import open_page
from tests.helpers import card_action, printed_card

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def printed(app, clerk_client, db_session) -> tuple[Card, str]:
    """A printed card of a resident with a Hebrew name, and its token."""
    card, _pdf = printed_card(clerk_client, db_session, name="שרה לוי")
    return card, card_token(db_session, services(app).vault, card)


@pytest.fixture
def verify_page(browser: Browser, live_server: str) -> Iterator[Page]:
    with open_page(browser, live_server, service_workers="allow") as page:
        yield page


def check(page: Page, token: str, expected: str) -> None:
    page.goto(f"/v#{token}")
    answer = page.locator("#answer")
    expect(answer).to_have_attribute("data-result", expected)
    expect(page.locator("#answer-text")).to_have_text(
        "Valid resident" if expected == "valid" else "Not valid")
    assert token not in page.url  # the fragment is taken out of the address bar


def test_valid_card_then_revoked_card(
    verify_page: Page, browser: Browser, live_server: str, printed, supervisor_client,
    server_requests,
) -> None:
    card, token = printed
    check(verify_page, token, "valid")
    expect(verify_page.locator("#answer-reminder")).to_be_visible()
    card_action(supervisor_client, card, "revoke", reason="fraud")
    # A device whose cached list has run out fetches it again: a fresh browser context.
    with open_page(browser, live_server, service_workers="allow") as refreshed:
        check(refreshed, token, "invalid")
    assert server_requests, "the page did fetch keys and lists"
    assert not [r for r in server_requests if token[:24] in r]


def test_the_page_answers_offline_from_its_cache(
    verify_page: Page, printed, server_requests,
) -> None:
    _card, token = printed
    check(verify_page, token, "valid")
    verify_page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    verify_page.reload()  # now the service worker controls the page and fills its cache
    expect(verify_page.locator("#answer")).not_to_have_attribute("data-result", "checking")
    assert verify_page.evaluate("navigator.serviceWorker.controller !== null")
    check(verify_page, token, "valid")
    verify_page.context.set_offline(True)
    seen = len(server_requests)
    check(verify_page, token, "valid")
    assert len(server_requests) == seen  # nothing reached the server while offline
    assert not [r for r in server_requests if token[:24] in r]


def test_scan_station_answers_and_clears_for_the_next_card(
    verify_page: Page, printed, live_server: str, server_requests,
) -> None:
    _card, token = printed
    verify_page.goto("/v")
    scan = verify_page.locator("#scan-input")
    expect(scan).to_be_focused()
    for text, expected in ((f"{live_server}/v#{token}", "valid"), (token, "valid"),
                           ("NOT-A-CARD", "invalid"), (token[:-4] + "AAAA", "invalid")):
        scan.fill(text)
        scan.press("Enter")
        expect(verify_page.locator("#answer")).to_have_attribute("data-result", expected)
        expect(scan).to_have_value("")
        expect(scan).to_be_focused()
    assert not [r for r in server_requests if token[:24] in r]
