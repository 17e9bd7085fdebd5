"""The second factor: TOTP codes (time frozen), set-up by QR code, recovery codes, reset."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import time_machine
from sqlmodel import select

from idcard.audit import OPERATOR
from idcard.auth import accounts
from idcard.models import AuditEvent, RecoveryCode, Role, Site, StaffUser
from tests.helpers import PASSWORD, login, post_form, signed_in, totp_secret

NOW = datetime(2026, 11, 23, 9, 0, 7, tzinfo=UTC)


def code_at(username: str, when: datetime) -> str:
    return pyotp.TOTP(totp_secret(username)).at(when)


def submit_code(client, code: str):
    return post_form(client, "/staff/login/code", {"code": code})


def test_supervisors_cannot_skip_the_code(app, staff) -> None:
    username = staff(Role.SUPERVISOR)
    client = app.test_client()
    response = login(client, username)
    assert response.headers["Location"].endswith("/staff/login/code")
    for page in ("/staff/", "/staff/review", "/staff/admin/audit", "/staff/lookup"):
        assert client.get(page).headers["Location"].startswith("/staff/login")


def test_a_current_code_signs_in_once_and_an_old_one_never(app, staff) -> None:
    username = staff(Role.SUPERVISOR)
    with time_machine.travel(NOW, tick=False) as clock:
        client = app.test_client()
        login(client, username)
        assert submit_code(client, code_at(username, NOW - timedelta(minutes=2))).status_code == 200
        response = submit_code(client, code_at(username, NOW))
        assert response.status_code == 302 and client.get("/staff/review").status_code == 200
        again = app.test_client()
        login(again, username)
        replayed = submit_code(again, code_at(username, NOW))
        assert replayed.status_code == 200 and "That code is not right." in replayed.text
        clock.shift(timedelta(seconds=30))
        assert submit_code(again, code_at(username, NOW + timedelta(seconds=30))).status_code == 302


def test_wrong_codes_end_the_waiting_session(app, staff) -> None:
    username = staff(Role.ADMIN)
    client = app.test_client()
    login(client, username)
    for _ in range(4):
        assert submit_code(client, "000000").status_code == 200
    response = submit_code(client, "000000")
    assert response.headers["Location"].endswith("/staff/login")
    assert client.get("/staff/login/code").headers["Location"].endswith("/staff/login")


def test_set_up_shows_a_qr_code_made_here_and_gives_recovery_codes(app, db_session) -> None:
    accounts.create_user(db_session, OPERATOR, "new-admin", PASSWORD, Role.ADMIN, None)
    db_session.commit()
    client = app.test_client()
    with time_machine.travel(NOW, tick=False):
        assert login(client, "new-admin").headers["Location"].endswith("/staff/login/set-up")
        page = client.get("/staff/login/set-up").text
        svg = page[page.index("<svg"):page.index("</svg>")]
        assert "<path" in svg and "src=" not in svg and "href" not in svg  # drawn here
        secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
        wrong = post_form(client, "/staff/login/set-up", {"code": "123456"})
        assert "That code is not right" in wrong.text
        done = post_form(client, "/staff/login/set-up", {"code": pyotp.TOTP(secret).at(NOW)})
        assert client.get("/staff/admin/staff").status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{4}(?:-[a-z2-9]{4}){3})</code>", done.text)
    assert done.status_code == 200 and len(codes) == 10
    hashes = [row.code_hash for row in db_session.exec(select(RecoveryCode))]
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any(code.replace("-", "") in h for code in codes for h in hashes)


def test_a_recovery_code_works_once(app, staff, db_session) -> None:
    from idcard.auth.totp import new_recovery_codes

    username = staff(Role.SUPERVISOR)
    user = db_session.exec(select(StaffUser).where(StaffUser.username == username)).one()
    codes = new_recovery_codes(db_session, user)
    db_session.commit()
    first = app.test_client()
    login(first, username)
    assert submit_code(first, codes[3].upper()).status_code == 302
    second = app.test_client()
    login(second, username)
    assert submit_code(second, codes[3]).status_code == 200
    actions = [e.action for e in db_session.exec(select(AuditEvent))]
    assert actions.count("staff.recovery_code_used") == 1


def test_an_admin_reset_is_audited_and_asks_for_a_new_set_up(app, staff, db_session) -> None:
    username = staff(Role.SUPERVISOR)
    victim = signed_in(app, username)
    admin = signed_in(app, staff(Role.ADMIN))
    user = db_session.exec(select(StaffUser).where(StaffUser.username == username)).one()
    page = f"/staff/admin/staff/{user.public_id}"
    response = post_form(admin, f"{page}/second-factor/reset", {}, page_url=page)
    assert response.status_code == 302
    assert victim.get("/staff/").status_code == 302  # its sessions ended
    assert login(app.test_client(), username).headers["Location"].endswith(
        "/staff/login/set-up")
    (event,) = db_session.exec(select(AuditEvent).where(AuditEvent.action == "staff.totp_reset"))
    assert event.record_id == user.public_id


def test_clerks_need_a_code_where_their_site_asks_for_it(app, staff, db_session) -> None:
    username = staff(Role.CLERK)
    assert login(app.test_client(), username).headers["Location"].endswith("/staff/")
    site = db_session.exec(select(Site)).one()
    site.clerks_need_totp = True
    db_session.add(site)
    db_session.commit()
    assert login(app.test_client(), username).headers["Location"].endswith(
        "/staff/login/set-up")
