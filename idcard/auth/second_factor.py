"""The second step of signing in: a TOTP code (or a recovery code), or setting one up.

The session made by the password step opens no staff page until this step completes
it. Wrong codes are counted on the session (it ends after MAX_CODE_TRIES) and per
account and address, like passwords.
"""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, session, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.wrappers import Response

from idcard import db
from idcard.audit import Actor, record_event
from idcard.auth import throttle, totp
from idcard.auth.forms import CodeForm, EnrolForm
from idcard.auth.guard import session_policy
from idcard.auth.sessions import complete_second_factor, count_failed_code, live_session
from idcard.auth.views import PENDING_KEY, complete_sign_in, finish_sign_in
from idcard.cardprint.qr import encode
from idcard.cardprint.qr_svg import qr_svg
from idcard.models import StaffUser
from idcard.services import services
from idcard.transaction import transaction

bp = Blueprint("second_factor", __name__, url_prefix="/staff/login")
MAX_CODE_TRIES = 5


def _pending() -> tuple[StaffUser, str] | None:
    """The user and token of the session waiting for its second factor, if any."""
    token = str(session.get(PENDING_KEY, ""))
    row = live_session(db.session(), token, session_policy())
    user = db.session().get(StaffUser, row.staff_id) if row is not None else None
    if row is None or row.second_factor_done or user is None:
        return None
    return user, token


def _start_again() -> Response:
    session.pop(PENDING_KEY, None)
    flash(_("Please sign in again."), "error")
    return redirect(url_for("auth.login"))


@bp.route("/code", methods=["GET", "POST"])
def enter_code() -> Response | str | tuple[str, int]:
    """Ask for the code from the authenticator app (or a recovery code)."""
    pending = _pending()
    if pending is None or not totp.enrolled(pending[0]):
        return _start_again()
    user, token = pending
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/code.html", form=form)
    account = throttle.account_key(user.username)
    if throttle.sign_in_refused(account):
        flash(_("Too many wrong codes. Wait a while before trying again."), "error")
        return render_template("auth/code.html", form=form), 429
    may_retry = True
    with transaction() as tx:
        code = form.code.data or ""
        accepted = (totp.accept_code(tx.session, services().vault, user, code)
                    or totp.use_recovery_code(tx.session, user, code))
        if accepted and complete_second_factor(tx.session, token):
            record_event(tx.session, Actor(user.id, user.site_id), "staff.login", "staff_user",
                         user.public_id)
        else:
            accepted = False
            may_retry = count_failed_code(tx.session, token, MAX_CODE_TRIES)
            record_event(tx.session, Actor(user.id, user.site_id), "staff.login_code_failed",
                         "staff_user", user.public_id)
    if accepted and tx.committed:
        return finish_sign_in(user, token)
    throttle.count_sign_in_failure(account)
    if not may_retry:
        return _start_again()
    flash(_("That code is not right."), "error")
    return render_template("auth/code.html", form=form)


@bp.route("/set-up", methods=["GET", "POST"])
def set_up() -> Response | str:
    """Set up the authenticator app: scan the QR code, confirm one code, keep the
    recovery codes. Required before supervisors and admins can work."""
    pending = _pending()
    if pending is None or totp.enrolled(pending[0]):
        return _start_again()
    user, token = pending
    form = EnrolForm()
    if form.validate_on_submit():
        with transaction() as tx:
            codes = totp.confirm_enrolment(tx.session, services().vault, user,
                                           form.code.data or "")
            complete_second_factor(tx.session, token)
            record_event(tx.session, Actor(user.id, user.site_id), "staff.login",
                         "staff_user", user.public_id)
        if tx.committed:  # shown once: only their hashes are kept
            target = complete_sign_in(user, token)
            response = make_response(render_template("auth/recovery_codes.html", codes=codes,
                                                     target=target))
            throttle.remember_device(response, throttle.account_key(user.username))
            return response
    with transaction() as tx:
        secret = totp.pending_secret(tx.session, services().vault, user)
    uri = totp.provisioning_uri(secret, user.username, services().settings.city_name)
    # Markup: the SVG is built by our own code from the QR's bits and an escaped title.
    qr = Markup(qr_svg(encode(uri, "M"), title=_("QR code for the authenticator app")))  # noqa: S704
    return render_template("auth/set_up.html", form=form, qr=qr, secret=secret)
