"""Signing in and out, the first-run setup link, and password changes."""

from __future__ import annotations

import hashlib

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from idcard import db
from idcard.audit import Actor, record_event
from idcard.auth import accounts
from idcard.auth.forms import LoginForm, PasswordChangeForm, SetupForm
from idcard.auth.guard import current_actor, principal, requires_role
from idcard.extensions import limiter
from idcard.models import Role, StaffUser
from idcard.services import services
from idcard.transaction import transaction

bp = Blueprint("auth", __name__, url_prefix="/staff")


def _login_limit() -> str:
    return services().settings.login_limit


def _username_key() -> str:
    # Throttle guesses against one account from many addresses; the key is hashed so
    # the limiter's store never holds what was typed.
    typed = request.form.get("username", "").strip().lower()
    return "login-user:" + hashlib.sha256(typed.encode()).hexdigest()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_username_key)
def login() -> Response | str:
    """Sign a staff member in."""
    form = LoginForm()
    if form.validate_on_submit():
        with transaction() as tx:
            user = accounts.authenticate(tx.session, form.username.data or "",
                                         form.password.data or "")
            actor = Actor(None, None) if user is None else Actor(user.id, user.site_id)
            record_event(tx.session, actor, "staff.login" if user else "staff.login_failed")
        if user is None:
            flash(_("Wrong username or password."), "error")
        elif tx.committed:
            login_user(principal(user))
            return redirect(_safe_next() or url_for("staff.home"))
    return render_template("auth/login.html", form=form)


def _safe_next() -> str | None:
    target = request.args.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else None


@bp.post("/logout")
@requires_role(Role.CLERK)
def logout() -> Response:
    """Sign out."""
    with transaction() as tx:
        record_event(tx.session, current_actor(), "staff.logout")
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/setup/<token>", methods=["GET", "POST"])
def setup(token: str) -> Response | str:
    """Create the first admin from the one-time link printed at start-up."""
    session = db.session()
    if not accounts.setup_link_valid(session, token):
        return render_template("auth/setup_gone.html"), 404  # type: ignore[return-value]
    form = SetupForm()
    if form.validate_on_submit():
        with transaction(_("Welcome. Create your first enrollment site next.")) as tx:
            user = accounts.create_first_admin(
                tx.session, token, form.username.data or "", form.password.data or "")
        if tx.committed:
            login_user(principal(user))
            return redirect(url_for("admin.list_sites"))
    return render_template("auth/setup.html", form=form)


@bp.route("/password", methods=["GET", "POST"])
@requires_role(Role.CLERK)
def change_password() -> Response | str:
    """Let a signed-in staff member change their own password."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = db.session().get(StaffUser, current_user.user_id)
        assert user is not None
        with transaction(_("Your password is changed.")) as tx:
            accounts.change_password(tx.session, current_actor(), user,
                                     form.current.data or "", form.password.data or "")
        if tx.committed:
            login_user(principal(user))  # the old session id ended with the old password
            return redirect(url_for("staff.home"))
    return render_template("auth/password.html", form=form)
