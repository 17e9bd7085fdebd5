"""Least privilege by site: another site's residents and cards are out of reach, except
through an exact look-up, which is audited and shows only what serving them needs."""

from __future__ import annotations

import secrets

import pytest
from sqlmodel import select

from idcard.models import AuditEvent, Card, CardState, Role, Site
from tests.helpers import (
    enrolled_resident,
    issue,
    latest_card,
    post_form,
    printed_card,
    signed_in,
)

NAME, BORN = "Amara Okonkwo", "1987-03-14"
CARD_ACTIONS = ("print", "handover", "renew", "replace", "suspend", "unsuspend", "revoke")


@pytest.fixture
def other_site(db_session) -> Site:
    site = Site(name="Harbor Pop-up")
    db_session.add(site)
    db_session.commit()
    return site


@pytest.fixture
def site_a_records(clerk_client, db_session):
    """At site A: a resident with a printed card, and one whose card waits in the queue."""
    card, _pdf = printed_card(clerk_client, db_session, name=NAME, born_on=BORN)
    queued_resident = enrolled_resident(clerk_client, name="Kwame Mensah")
    issue(clerk_client, queued_resident)
    return card, latest_card(db_session, queued_resident)


def _events(db_session, action: str) -> list[AuditEvent]:
    db_session.expire_all()
    return list(db_session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def _post(client, url: str, data: dict | None = None):
    """Post with a valid CSRF token taken from the staff home page."""
    return post_form(client, url, data or {}, page_url="/staff/")


def test_a_clerk_of_another_site_reaches_nothing_by_any_route(
    app, staff, other_site, site_a_records, db_session,
) -> None:
    printed, queued = site_a_records
    clerk_b = signed_in(app, staff(Role.CLERK, site_id=other_site.id))
    supervisor_b = signed_in(app, staff(Role.SUPERVISOR, site_id=other_site.id))
    for card in (printed, queued):
        resident = card.resident_id
        for client in (clerk_b, supervisor_b):
            for url in (f"/staff/residents/{resident}", f"/staff/residents/{resident}/photo.jpg"):
                response = client.get(url)
                assert response.status_code == 404 and card.public_id not in response.text
            assert _post(client, f"/staff/residents/{resident}/cards").status_code == 404
            refused = [_post(client, f"/staff/cards/{card.public_id}/{action}",
                             {"reason": "lost"}) for action in CARD_ACTIONS]
            for response in refused:
                assert response.status_code in (403, 404), response.status_code
                assert "Location" not in response.headers
                assert resident not in response.text  # nothing but what was asked for
    db_session.expire_all()
    assert db_session.get(Card, queued.id).state == CardState.AWAITING_PRINT
    assert db_session.get(Card, printed.id).state == CardState.ACTIVE
    assert _events(db_session, "card.print")[-1].site_id != other_site.id
    probes = _events(db_session, "access.refused")
    assert {e.record_id for e in probes} >= {printed.resident_id, printed.public_id,
                                              queued.public_id}
    assert all(e.site_id == other_site.id for e in probes)


def test_lists_and_queues_show_only_the_own_site(
    app, staff, other_site, site_a_records,
) -> None:
    _printed, queued = site_a_records
    clerk_b = signed_in(app, staff(Role.CLERK, site_id=other_site.id))
    queue = clerk_b.get("/staff/print-queue")
    assert queue.status_code == 200 and queued.public_id[:8] not in queue.text
    assert "Nothing waits to be printed." in queue.text
    download = _post(clerk_b, "/staff/print-queue", {"layout": "card"})
    assert download.status_code == 302  # the empty queue: nothing of site A is printed


def test_enumerating_ids_finds_nothing_and_is_audited(
    app, staff, other_site, site_a_records, db_session,
) -> None:
    clerk_b = signed_in(app, staff(Role.CLERK, site_id=other_site.id))
    for number in (1, 2, 3, 9, 2**31, 2**63 + 1):
        assert clerk_b.get(f"/staff/residents/{number}").status_code == 404
        assert _post(clerk_b, f"/staff/cards/{number}/renew").status_code == 404
    for _ in range(3):
        guess = secrets.token_hex(16)
        assert clerk_b.get(f"/staff/residents/{guess}").status_code == 404
        assert _post(clerk_b, f"/staff/cards/{guess}/renew").status_code == 404
    unknown = _events(db_session, "access.unknown")
    assert len(unknown) == 6 and all(e.record_id is None for e in unknown)


def test_an_exact_look_up_reaches_another_sites_resident_for_service_only(
    app, staff, other_site, site_a_records, db_session,
) -> None:
    printed, _queued = site_a_records
    clerk_b = signed_in(app, staff(Role.CLERK, site_id=other_site.id))
    found = post_form(clerk_b, "/staff/lookup", {"name": NAME, "born_on": BORN})
    assert printed.resident_id in found.text
    (event,) = _events(db_session, "resident.lookup_other_site")
    assert (event.record_id, event.site_id) == (printed.resident_id, other_site.id)
    page = clerk_b.get(f"/staff/residents/{printed.resident_id}")
    assert page.status_code == 200 and "Okonkwo" in page.text
    assert "100 Main Street" not in page.text and "Revoke" not in page.text
    assert "Print this card" not in page.text
    replaced = _post(clerk_b, f"/staff/cards/{printed.public_id}/replace", {"reason": "lost"})
    assert replaced.status_code == 302
    new = latest_card(db_session, printed.resident_id)
    assert new.site_id == other_site.id and new.state == CardState.AWAITING_PRINT
    assert new.public_id[:8] in clerk_b.get("/staff/print-queue").text


def test_a_card_number_look_up_is_audited_with_the_resident_found(
    app, staff, other_site, site_a_records, db_session,
) -> None:
    printed, _queued = site_a_records
    number = _card_number(app, db_session, printed)
    supervisor_b = signed_in(app, staff(Role.SUPERVISOR, site_id=other_site.id))
    response = post_form(supervisor_b, "/staff/lookup/card", {"number": number},
                         page_url="/staff/lookup")
    assert response.headers["Location"].endswith(f"/staff/residents/{printed.resident_id}")
    (event,) = _events(db_session, "resident.lookup_other_site")
    assert event.record_id == printed.resident_id and number not in repr(vars(event))
    assert _post(supervisor_b, f"/staff/cards/{printed.public_id}/revoke",
                 {"reason": "fraud"}).status_code == 404  # ending is the own site's call


def test_admins_reach_every_site(app, staff, other_site, site_a_records) -> None:
    printed, _queued = site_a_records
    admin_b = signed_in(app, staff(Role.ADMIN, site_id=other_site.id))
    page = admin_b.get(f"/staff/residents/{printed.resident_id}")
    assert page.status_code == 200 and "100 Main Street" in page.text


def _card_number(app, db_session, card: Card) -> str:
    from idcard.issuance.cards import card_number
    from idcard.services import services

    return card_number(services(app).vault.resident_key(db_session, card.resident_id), card)
