"""The sign-in pages: first-run setup, signing in and out, throttling, passwords."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from idcard.models import AuditEvent, Role, StaffUser
from tests.helpers import PASSWORD, csrf_from, login, post_form


def setup_link(app) -> str:
    result = app.test_cli_runner().invoke(args=["setup-link"])
    assert result.exit_code == 0, result.output
    match = re.search(r"https?://\S+(/staff/setup/\S+)", result.output)
    assert match, result.output
    return match.group(1)


def test_a_fresh_install_has_no_accounts_and_no_default_password(app, db_session) -> None:
    assert db_session.exec(select(StaffUser)).all() == []
    for username in ("admin", "root", "administrator"):
        for password in ("admin", "password", "changeme", ""):
            response = login(app.test_client(), username, password)
            assert "/staff/" not in response.headers.get("Location", "")


def test_setup_link_creates_the_first_admin_once(app, db_session) -> None:
    path = setup_link(app)
    client = app.test_client()
    response = post_form(client, path, {"username": "ada", "password": PASSWORD,
                                        "confirm": PASSWORD})
    assert response.status_code == 302  # admins set up their second factor first
    assert response.headers["Location"].endswith("/staff/login/set-up")
    admin = db_session.exec(select(StaffUser)).one()
    assert (admin.username, admin.role) == ("ada", Role.ADMIN)
    assert admin.password_hash.startswith("$argon2id$")
    assert app.test_client().get(path).status_code == 404
    result = app.test_cli_runner().invoke(args=["setup-link"])
    assert result.exit_code != 0 and "admin exists" in result.output


def test_setup_refuses_a_short_password_and_keeps_the_link(app, db_session) -> None:
    path = setup_link(app)
    client = app.test_client()
    response = post_form(client, path, {"username": "ada", "password": "short",
                                        "confirm": "short"})
    assert response.status_code == 200 and "12 to 256 characters" in response.text
    assert db_session.exec(select(StaffUser)).all() == []
    assert client.get(path).status_code == 200


def test_a_new_setup_link_retires_the_old_one(app) -> None:
    first = setup_link(app)
    second = setup_link(app)
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200


def test_wrong_password_is_refused_in_plain_words(app, staff) -> None:
    username = staff(Role.CLERK)
    response = login(app.test_client(), username, "not the password at all")
    assert response.status_code == 200
    assert "Wrong username or password." in response.text


def test_sign_in_and_out(app, staff) -> None:
    client = app.test_client()
    response = login(client, staff(Role.CLERK))
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/")
    assert client.get("/staff/").status_code == 200
    home = client.get("/staff/").text
    assert client.post("/staff/logout", data={"csrf_token": csrf_from(home)}).status_code == 302
    assert client.get("/staff/").status_code == 302


def test_logins_are_throttled(make_app, staff) -> None:
    client = make_app(login_limit="3 per minute").test_client()
    responses = [login(client, "nobody", "wrong password!!") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert "Please wait a minute" in responses[-1].text


def test_disabled_accounts_cannot_sign_in(app, staff, db_session) -> None:
    username = staff(Role.CLERK)
    user = db_session.exec(select(StaffUser).where(StaffUser.username == username)).one()
    user.active = False
    db_session.add(user)
    db_session.commit()
    assert login(app.test_client(), username).status_code == 200


def test_password_change_ends_other_sessions(app, staff) -> None:
    username = staff(Role.CLERK)
    here, elsewhere = app.test_client(), app.test_client()
    login(here, username)
    login(elsewhere, username)
    new = "a different long passphrase"
    response = post_form(here, "/staff/password", {
        "current": PASSWORD, "password": new, "confirm": new})
    assert response.status_code == 302
    assert here.get("/staff/").status_code == 200
    assert elsewhere.get("/staff/").status_code == 302
    assert login(app.test_client(), username, new).status_code == 302


def test_password_change_needs_the_current_password(clerk_client) -> None:
    new = "a different long passphrase"
    response = post_form(clerk_client, "/staff/password", {
        "current": "wrong current password", "password": new, "confirm": new})
    assert "current password is not right" in response.text


def test_forms_without_csrf_token_are_refused(app, staff) -> None:
    client = app.test_client()
    response = client.post("/staff/login", data={"username": staff(Role.CLERK),
                                                  "password": PASSWORD})
    assert response.status_code == 400 and "This form expired" in response.text


def test_sign_ins_are_audited_without_the_typed_username(app, staff, db_session) -> None:
    login(app.test_client(), "someone-typed-this", "wrong password!!")
    events = db_session.exec(select(AuditEvent)).all()
    assert [e.action for e in events if e.action.startswith("staff.login")] == [
        "staff.login_failed"]
    assert all("someone-typed-this" not in str(vars(e)) for e in events)


@pytest.mark.parametrize("path", ["/staff/setup/not-a-real-token", "/staff/setup/x"])
def test_unknown_setup_links_are_not_found(app, path: str) -> None:
    assert app.test_client().get(path).status_code == 404
