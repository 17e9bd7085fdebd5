"""Every staff page and download carries the security headers (the URL map is walked)."""

from __future__ import annotations

import re

from flask import Flask
from sqlmodel import select

from idcard.models import Partner, PartnerKey, Role, Site, StaffUser
from tests.helpers import post_form, printed_card, signed_in


def _sample_arguments(db_session, card) -> dict[str, str]:
    partner = Partner(name="Riverside Clinic")
    db_session.add(partner)
    db_session.flush()
    key = PartnerKey(partner_id=partner.id, prefix="k", key_hash="0" * 64)
    db_session.add(key)
    db_session.commit()
    return {"resident_id": card.resident_id, "card_id": card.public_id,
            "site_id": db_session.exec(select(Site)).first().public_id,
            "user_id": db_session.exec(select(StaffUser)).first().public_id,
            "partner_id": partner.public_id, "key_id": key.public_id, "token": "x" * 20}


def staff_urls(app: Flask, arguments: dict[str, str]) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/staff"):
            urls.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: arguments[m.group(1)], rule.rule))
    return sorted(set(urls))


def assert_safe_headers(response, production: bool = False) -> None:
    headers = response.headers
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert ("Strict-Transport-Security" in headers) is production
    assert not re.search(r"\d", headers.get("Server", ""))


def test_every_staff_page_and_download_has_the_headers(app, staff, db_session) -> None:
    admin = signed_in(app, staff(Role.ADMIN))
    clerk = signed_in(app, staff(Role.CLERK))
    card, _pdf = printed_card(clerk, db_session)
    urls = staff_urls(app, _sample_arguments(db_session, card))
    assert len(urls) >= 20
    for client in (admin, clerk, app.test_client()):
        for url in urls:
            assert_safe_headers(client.get(url))
    replaced = post_form(clerk, f"/staff/cards/{card.public_id}/replace", {"reason": "damaged"},
                         page_url=f"/staff/residents/{card.resident_id}")
    assert_safe_headers(replaced)
    queue = post_form(clerk, "/staff/print-queue", {"layout": "card"})
    assert queue.mimetype == "application/pdf"
    assert_safe_headers(queue)
    assert queue.get_data().startswith(b"%PDF")  # read the stream to its end, then close it
    queue.close()


def test_production_adds_hsts(make_app) -> None:
    app = make_app(env="production")
    assert_safe_headers(app.test_client().get("/staff/login"), production=True)
    assert app.test_client().get("/staff/login").headers["Strict-Transport-Security"].startswith(
        "max-age=")
