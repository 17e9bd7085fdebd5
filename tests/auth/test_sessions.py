"""Server-side sessions: sign-out ends them, they time out, and sign-in starts afresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlmodel import select

from idcard.models import Role, Site, StaffUser
from tests.helpers import PASSWORD, csrf_from, login, post_form, signed_in

START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def sign_out(client) -> None:
    home = client.get("/staff/")
    response = client.post("/staff/logout", data={"csrf_token": csrf_from(home.text)})
    assert response.status_code == 302


def copy_of(app, client):
    """Another browser holding a copy of this client's cookies."""
    thief = app.test_client()
    for cookie in client._cookies.values():
        thief.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return thief


def test_a_cookie_copied_before_sign_out_is_refused_after(app, staff) -> None:
    client = signed_in(app, staff(Role.CLERK))
    thief = copy_of(app, client)
    assert thief.get("/staff/").status_code == 200
    sign_out(client)
    assert client.get("/staff/").status_code == 302
    assert thief.get("/staff/").status_code == 302


@pytest.mark.parametrize("idle, open_", [(timedelta(minutes=29), True),
                                         (timedelta(minutes=31), False)])
def test_idle_sessions_end_after_the_idle_timeout(app, staff, idle, open_: bool) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(app, staff(Role.CLERK))
        clock.shift(idle)
        assert (client.get("/staff/").status_code == 200) is open_


def test_use_keeps_a_session_open_until_its_absolute_lifetime(app, staff) -> None:
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(app, staff(Role.CLERK))
        for _ in range(35):  # used every 20 minutes: 11 h 40 min
            clock.shift(timedelta(minutes=20))
            assert client.get("/staff/").status_code == 200
        clock.shift(timedelta(minutes=21))  # 12 h 1 min after sign-in
        assert client.get("/staff/").status_code == 302


def test_timeouts_are_settings(make_app, staff) -> None:
    app = make_app(session_idle_minutes=5)
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(app, staff(Role.CLERK))
        clock.shift(timedelta(minutes=6))
        assert client.get("/staff/").status_code == 302


def test_a_csrf_token_from_before_sign_in_is_refused_after(app, staff) -> None:
    username = staff(Role.CLERK)
    client = app.test_client()
    old_token = csrf_from(client.get("/staff/login").text)
    response = client.post("/staff/login", data={"username": username, "password": PASSWORD,
                                                 "csrf_token": old_token})
    assert response.status_code == 302
    stale = client.post("/staff/password", data={
        "current": PASSWORD, "password": "x" * 20, "confirm": "x" * 20, "csrf_token": old_token})
    assert stale.status_code == 400 and "This form expired" in stale.text


def test_each_sign_in_gets_a_new_session(app, staff) -> None:
    username = staff(Role.CLERK)
    client = app.test_client()
    login(client, username)
    first = copy_of(app, client)
    login(client, username)
    sign_out(client)
    assert first.get("/staff/").status_code == 200  # a separate session, still open
    sign_out(first)
    assert first.get("/staff/").status_code == 302


def test_a_role_change_ends_the_sessions_of_the_account(app, staff, admin_client, db_session):
    username = staff(Role.CLERK)
    client = signed_in(app, username)
    user = db_session.exec(select(StaffUser).where(StaffUser.username == username)).one()
    page = f"/staff/admin/staff/{user.public_id}"
    response = post_form(admin_client, page, {"role": "supervisor", "site_id": str(user.site_id),
                                              "active": "y"})
    assert response.status_code == 302
    assert client.get("/staff/").status_code == 302


def test_clerks_of_a_closed_site_cannot_sign_in_or_go_on(app, staff, db_session) -> None:
    username = staff(Role.CLERK)
    client = signed_in(app, username)
    site = db_session.exec(select(Site)).one()
    site.active = False
    db_session.add(site)
    db_session.commit()
    assert client.get("/staff/").status_code == 302
    response = login(app.test_client(), username)
    assert response.status_code == 200 and "Your site is closed" in response.text
