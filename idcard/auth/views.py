"""Signing in and out, the first-run setup link, and password changes.

Each sign-in opens a new server-side session and starts the cookie afresh (so a new
CSRF secret too); signing out ends the session on the server. Staff who need a second
factor get a session that opens nothing until the code is given (`second_factor`).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlmodel import Session
from werkzeug.wrappers import Response

from idcard import db
from idcard.audit import Actor, record_event
from idcard.auth import accounts, throttle
from idcard.auth.forms import LoginForm, PasswordChangeForm, SetupForm
from idcard.auth.guard import current_actor, principal, requires_role
from idcard.auth.sessions import end_session, start_session
from idcard.auth.totp import enrolled, needs_second_factor
from idcard.edge import safe_next
from idcard.extensions import limiter
from idcard.models import Role, Site, StaffUser
from idcard.services import services
from idcard.transaction import transaction

bp = Blueprint("auth", __name__, url_prefix="/staff")
PENDING_KEY = "pending_sign_in"  # a session waiting for its second factor
NEXT_KEY = "after_sign_in"


def _login_limit() -> str:
    return services().settings.login_limit


def _refused_page(form: LoginForm, message: str) -> tuple[str, int]:
    flash(message, "error")
    return render_template("auth/login.html", form=form), 429


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Response | str | tuple[str, int]:
    """Sign a staff member in (first step: the password)."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    account = throttle.account_key(form.username.data or "")
    if throttle.sign_in_refused(account):
        return _refused_page(form, _(
            "Too many failed sign-ins for this account. Wait a while, or sign in from a "
            "computer you have signed in from before."))
    with transaction() as tx:
        user = accounts.authenticate(tx.session, form.username.data or "",
                                     form.password.data or "")
        opened = _open_session(tx.session, user)
    if user is None:
        throttle.count_sign_in_failure(account)
        flash(_("Wrong username or password."), "error")
    elif opened is None:
        flash(_("Your site is closed, so your account cannot sign in. Ask an admin."), "error")
    elif tx.committed:
        return _signed_in(user, *opened)
    return render_template("auth/login.html", form=form)


def _open_session(db_session: Session, user: StaffUser | None) -> tuple[str, bool] | None:
    """Audit the attempt; open a session for the right password at an open site.

    Returns the session's token and whether it still waits for the second factor.
    """
    if user is None:
        record_event(db_session, Actor(None, None), "staff.login_failed")
        return None
    actor = Actor(user.id, user.site_id)
    if not accounts.may_sign_in(db_session, user):
        record_event(db_session, actor, "staff.login_site_closed", "staff_user", user.public_id)
        return None
    site = db_session.get(Site, user.site_id) if user.site_id is not None else None
    done = not (needs_second_factor(user, site) or enrolled(user))
    record_event(db_session, actor, "staff.login" if done else "staff.login_password",
                 "staff_user", user.public_id)
    return start_session(db_session, user, second_factor_done=done), not done


def _signed_in(user: StaffUser, token: str, waits_for_code: bool) -> Response:
    """Start the cookie afresh for the new session; ask for the second factor if due."""
    session.clear()  # nothing from before sign-in survives, the CSRF secret included
    session[NEXT_KEY] = safe_next(request.args.get("next")) or url_for("staff.home")
    if waits_for_code:
        session[PENDING_KEY] = token
        return redirect(url_for("second_factor.enter_code" if enrolled(user)
                                else "second_factor.set_up"))
    return finish_sign_in(user, token)


def complete_sign_in(user: StaffUser, token: str) -> str:
    """Sign the browser in under its completed session; return where to go next."""
    target = session.pop(NEXT_KEY, None) or url_for("staff.home")
    session.pop(PENDING_KEY, None)
    login_user(principal(user, token))
    return str(target)


def finish_sign_in(user: StaffUser, token: str) -> Response:
    """Sign in, go on, and mark this browser as one the account uses."""
    response = redirect(complete_sign_in(user, token))
    throttle.remember_device(response, throttle.account_key(user.username))
    return response


@bp.post("/logout")
@requires_role(Role.CLERK)
def logout() -> Response:
    """Sign out: the session ends on the server, so a copied cookie opens nothing."""
    with transaction() as tx:
        end_session(tx.session, current_user.token)
        record_event(tx.session, current_actor(), "staff.logout")
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token: str) -> Response | str:
    """Create the first admin from the one-time link printed at start-up."""
    if len(token) > 64 or not accounts.setup_link_valid(db.session(), token):
        return render_template("auth/setup_gone.html"), 404  # type: ignore[return-value]
    form = SetupForm()
    if form.validate_on_submit():
        with transaction(_("Welcome. Set up your second factor, then create your first "
                           "enrollment site.")) as tx:
            user = accounts.create_first_admin(
                tx.session, token, form.username.data or "", form.password.data or "")
            session_token = start_session(tx.session, user, second_factor_done=False)
        if tx.committed:
            session.clear()
            session[NEXT_KEY] = url_for("admin.list_sites")
            session[PENDING_KEY] = session_token
            return redirect(url_for("second_factor.set_up"))
    return render_template("auth/setup.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@requires_role(Role.CLERK)
def change_password() -> Response | str | tuple[str, int]:
    """Let a signed-in staff member change their own password; other sessions end."""
    form = PasswordChangeForm()
    account = throttle.account_key(current_user.username)
    if form.validate_on_submit():
        if throttle.password_check_refused(account):
            flash(_("Too many wrong passwords. Wait a minute and try again."), "error")
            return render_template("auth/password.html", form=form), 429
        user = db.session().get(StaffUser, current_user.user_id)
        assert user is not None
        with transaction(_("Your password is changed.")) as tx:
            accounts.change_password(tx.session, current_actor(), user,
                                     form.current.data or "", form.password.data or "")
            token = start_session(tx.session, user, second_factor_done=True)
        if isinstance(tx.error, accounts.WrongPasswordError):
            throttle.count_password_check_failure(account)
        if tx.committed:
            login_user(principal(user, token))  # this browser goes on in a new session
            return redirect(url_for("staff.home"))
    return render_template("auth/password.html", form=form)
