"""Cards end to end: issue, print, scan the QR, verify; lifecycle changes flip the answer."""

from __future__ import annotations

import base64
import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import func, select

from idcard.audit import Actor
from idcard.issuance import cards as lifecycle
from idcard.issuance.card_numbers import is_valid_card_number
from idcard.issuance.printing import card_token
from idcard.keys import current_signer, rotate_keys
from idcard.models import AuditEvent, Card, CardState, Site
from idcard.services import services
from tests.helpers import (
    card_action,
    enrolled_resident,
    issue,
    latest_card,
    post_form,
    print_pdf,
    printed_card,
    verify,
    years_ago,
)
from tests.pdfs import rasterize, token_from_pdf


@pytest.fixture
def printed(clerk_client, db_session):
    """A resident with an issued, printed card: (resident_id, card, pdf)."""
    card, pdf = printed_card(clerk_client, db_session, name="Ιωάννης Παπαδόπουλος",
                             born_on="1961-02-03")
    return card.resident_id, card, pdf


def test_printed_card_is_cr80_and_its_qr_verifies_as_valid(
    app, clerk_client, printed,
) -> None:
    _resident_id, card, pdf = printed
    front, back = rasterize(pdf)
    for page in (front, back):
        assert abs(page.width - 1011) <= 2 and abs(page.height - 638) <= 2
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == (242.6, 153.0)
    token = token_from_pdf(pdf)
    assert card.state == CardState.ACTIVE and card.printed_at is not None
    assert verify(clerk_client, token) == "valid resident"


def test_the_qr_holds_nothing_personal(app, clerk_client, db_session, printed) -> None:
    _resident_id, card, pdf = printed
    token = token_from_pdf(pdf)
    key = services(app).vault.resident_key(db_session, card.resident_id)
    number = lifecycle.card_number(key, card)
    assert is_valid_card_number(number)
    raw = base64.b32decode(token + "=" * (-len(token) % 8))
    for secret in ("Ιωάννης", "Παπαδόπουλος", "1961", "02-03", number, number[:4]):
        assert secret not in token
        assert secret.encode() not in raw


def test_replacing_a_card_stops_the_old_one_at_once(app, clerk_client, db_session, printed) -> None:
    resident_id, card, pdf = printed
    old_token = token_from_pdf(pdf)
    card_action(clerk_client, card, "replace", reason="lost", fee_waived="y")
    assert verify(clerk_client, old_token) == "not valid"
    new = latest_card(db_session, resident_id)
    assert new.id != card.id and new.fee_waived and new.expires_on == card.expires_on
    assert new.state == CardState.AWAITING_PRINT
    new_token = token_from_pdf(print_pdf(clerk_client, new))
    assert new_token != old_token
    assert verify(clerk_client, new_token) == "valid resident"


def test_revoking_needs_a_supervisor_and_a_reason(
    app, clerk_client, supervisor_client, db_session, printed,
) -> None:
    _resident_id, card, pdf = printed
    token = token_from_pdf(pdf)
    page = f"/staff/residents/{card.resident_id}"
    refused = post_form(clerk_client, f"/staff/cards/{card.public_id}/revoke", {"reason": "fraud"},
                        page_url=page)
    assert refused.status_code == 403
    no_reason = post_form(supervisor_client, f"/staff/cards/{card.public_id}/revoke",
                          {"reason": ""}, page_url=page)
    assert "Choose a reason" in supervisor_client.get(no_reason.headers["Location"]).text
    assert verify(clerk_client, token) == "valid resident"
    card_action(supervisor_client, card, "revoke", reason="fraud")
    assert verify(clerk_client, token) == "not valid"
    events = db_session.exec(select(AuditEvent.action)).all()
    assert "card.revoke_fraud" in events


def test_suspend_and_unsuspend_flip_the_answer(
    app, clerk_client, supervisor_client, printed,
) -> None:
    _resident_id, card, pdf = printed
    token = token_from_pdf(pdf)
    card_action(supervisor_client, card, "suspend")
    assert verify(clerk_client, token) == "not valid"
    card_action(supervisor_client, card, "unsuspend")
    assert verify(clerk_client, token) == "valid resident"


def test_renewal_keeps_the_resident_and_issues_a_new_number_and_token(
    app, clerk_client, db_session, printed,
) -> None:
    resident_id, card, pdf = printed
    refused = post_form(clerk_client, f"/staff/cards/{card.public_id}/renew", {},
                        page_url=f"/staff/residents/{resident_id}")
    assert "Renewal is possible from" in clerk_client.get(refused.headers["Location"]).text
    card.expires_on = date.today() + timedelta(days=30)  # now inside the renewal window
    db_session.add(card)
    db_session.commit()
    card_action(clerk_client, card, "renew")
    new = latest_card(db_session, resident_id)
    vault = services(app).vault
    assert new.resident_id == resident_id and new.id != card.id
    key = vault.resident_key(db_session, resident_id)
    assert lifecycle.card_number(key, new) != lifecycle.card_number(key, card)
    assert new.expires_on > card.expires_on
    assert db_session.get(Card, card.id).state == CardState.REPLACED


def test_young_teens_get_two_year_cards(app, clerk_client, db_session) -> None:
    resident_id = enrolled_resident(clerk_client, born_on=years_ago(12),
                                    caretaker_documents=["custody_order"])
    issue(clerk_client, resident_id)
    card = latest_card(db_session, resident_id)
    assert (card.expires_on - date.today()).days in range(2 * 365, 2 * 366 + 1)


def test_pickup_sites_make_cards_valid_at_handover(app, clerk_client, db_session, site) -> None:
    site = db_session.get(Site, site.id)
    site.requires_pickup = True
    db_session.add(site)
    db_session.commit()
    resident_id = enrolled_resident(clerk_client)
    issue(clerk_client, resident_id)
    pdf = print_pdf(clerk_client, latest_card(db_session, resident_id))
    token = token_from_pdf(pdf)
    assert latest_card(db_session, resident_id).state == CardState.AWAITING_PICKUP
    assert verify(clerk_client, token) == "not valid"
    card_action(clerk_client, latest_card(db_session, resident_id), "handover")
    assert verify(clerk_client, token) == "valid resident"


def test_a_resident_gets_one_live_card_and_flagged_enrollments_none(
    app, clerk_client, db_session,
) -> None:
    first = enrolled_resident(clerk_client)
    issue(clerk_client, first)
    issue(clerk_client, first)
    assert db_session.exec(select(func.count()).select_from(Card)).one() == 1
    flagged = enrolled_resident(clerk_client)  # same name and birth date: flagged
    issue(clerk_client, flagged)
    assert db_session.exec(select(func.count()).select_from(Card)).one() == 1


def test_unprinted_cards_do_not_verify(app, clerk_client, db_session) -> None:
    resident_id = enrolled_resident(clerk_client)
    issue(clerk_client, resident_id)
    card = latest_card(db_session, resident_id)
    token = card_token(db_session, services(app).vault, card)
    assert verify(clerk_client, token) == "not valid"


def test_print_queue_prints_everything_and_marks_it_printed(app, clerk_client, db_session) -> None:
    for name in ("Suharto", "Łukasz Żółć", "김민준"):
        issue(clerk_client, enrolled_resident(clerk_client, name=name))
    page = clerk_client.get("/staff/print-queue")
    assert "3 cards wait to be printed" in page.text
    response = post_form(clerk_client, "/staff/print-queue", {"layout": "letter"})
    assert response.status_code == 200 and response.headers["X-Card-Count"] == "3"
    pdf = b"".join(response.response)  # type: ignore[arg-type]
    assert pdf.startswith(b"%PDF") and len(PdfReader(io.BytesIO(pdf)).pages) == 2
    states = db_session.exec(select(Card.state)).all()
    assert set(states) == {CardState.ACTIVE}
    assert "Nothing waits to be printed" in clerk_client.get("/staff/print-queue").text


def test_new_cards_are_signed_by_the_newest_key(app, clerk_client, db_session) -> None:
    key = rotate_keys(db_session, services(app).vault, Actor(None, None))
    db_session.commit()
    resident_id = enrolled_resident(clerk_client)
    issue(clerk_client, resident_id)
    assert latest_card(db_session, resident_id).kid == key.kid
    signer = current_signer(db_session, services(app).vault)
    assert signer.kid.hex() == key.kid


