"""Admin pages: sites and staff accounts; the audit log for supervisors."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session, col, select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from idcard import db
from idcard.admin.forms import NewStaffForm, ResetPasswordForm, SiteForm, StaffForm
from idcard.admin.sites import save_site
from idcard.auth import accounts
from idcard.auth.guard import current_actor, requires_role
from idcard.auth.totp import enrolled, reset_second_factor
from idcard.edge import bounded_int
from idcard.forms import ActionForm
from idcard.models import AuditEvent, Role, Site, StaffUser
from idcard.transaction import transaction

bp = Blueprint("admin", __name__, url_prefix="/staff/admin")
AUDIT_PAGE = 100
ACTION_PATTERN = re.compile(r"[a-z_.]{1,48}")


def _by_public_id(model: Any, public_id: str) -> Any:
    return db.session().exec(select(model).where(model.public_id == public_id)).first() or abort(
        404)


def _site_form_saved(site: Site | None, form: SiteForm, done: str) -> bool:
    """Create (site=None) or update a site from a posted form; True once committed."""
    if not form.validate_on_submit():
        return False
    with transaction(done) as tx:
        save_site(tx.session, current_actor(), site, form.name.data or "", form.kind.data or "",
                  form.active.data, form.requires_pickup.data, form.clerks_need_totp.data)
    return tx.committed


@bp.route("/sites", methods=["GET", "POST"])
@requires_role(Role.ADMIN)
def list_sites() -> Response | str:
    """All sites, and a form to add one."""
    form = SiteForm()
    if _site_form_saved(None, form, _("Site created.")):
        return redirect(url_for("admin.list_sites"))
    sites = db.session().exec(select(Site).order_by(Site.name)).all()
    return render_template("admin/sites.html", sites=sites, form=form)


@bp.route("/sites/<opaque:site_id>", methods=["GET", "POST"])
@requires_role(Role.ADMIN)
def edit_site(site_id: str) -> Response | str:
    """Rename a site, change its kind, or close it."""
    site = _by_public_id(Site, site_id)
    form = SiteForm(obj=site)
    if _site_form_saved(site, form, _("Site saved.")):
        return redirect(url_for("admin.list_sites"))
    return render_template("admin/site.html", site=site, form=form)


def _site_choices(session: Session) -> list[SelectChoice]:
    sites = session.exec(select(Site).where(Site.active).order_by(Site.name)).all()
    return [SelectChoice("", _("No site (admins only)"))] + [
        SelectChoice(str(s.id), s.name) for s in sites]


@bp.route("/staff", methods=["GET", "POST"])
@requires_role(Role.ADMIN)
def list_staff() -> Response | str:
    """All staff accounts, and a form to add one."""
    session = db.session()
    form = NewStaffForm()
    form.site_id.choices = _site_choices(session)
    if form.validate_on_submit():
        with transaction(_("Account created.")) as tx:
            accounts.create_user(tx.session, current_actor(), form.username.data or "",
                                 form.password.data or "", Role(form.role.data), form.site_id.data)
        if tx.committed:
            return redirect(url_for("admin.list_staff"))
    users = session.exec(select(StaffUser).order_by(StaffUser.username)).all()
    sites = {s.id: s for s in session.exec(select(Site)).all()}
    return render_template("admin/staff.html", users=users, sites=sites, form=form)


@bp.route("/staff/<opaque:user_id>", methods=["GET", "POST"])
@requires_role(Role.ADMIN)
def edit_staff(user_id: str) -> Response | str:
    """Change an account's role, site, access, or set a new password for it."""
    session = db.session()
    user = _by_public_id(StaffUser, user_id)
    form = StaffForm(obj=user)
    form.site_id.choices = _site_choices(session)
    reset = ResetPasswordForm()
    if form.validate_on_submit():
        with transaction(_("Account saved.")) as tx:
            accounts.update_user(tx.session, current_actor(), user, Role(form.role.data),
                                 form.site_id.data, form.active.data)
            if reset.password.data:
                accounts.reset_password(tx.session, current_actor(), user, reset.password.data)
        if tx.committed:
            return redirect(url_for("admin.list_staff"))
    return render_template("admin/staff_edit.html", user=user, form=form, reset=reset,
                           has_totp=enrolled(user), action_form=ActionForm())


@bp.post("/staff/<opaque:user_id>/second-factor/reset")
@requires_role(Role.ADMIN)
def reset_totp(user_id: str) -> Response:
    """Remove a staff member's second factor (a lost phone); they set up a new one."""
    if not ActionForm().validate_on_submit():
        abort(400)
    user = _by_public_id(StaffUser, user_id)
    with transaction(_("Second factor removed. They set up a new one at their next "
                       "sign-in.")) as tx:
        reset_second_factor(tx.session, current_actor(), user)
    return redirect(url_for("admin.edit_staff", user_id=user.public_id))


@bp.get("/audit")
@requires_role(Role.SUPERVISOR)
def audit_log() -> str:
    """The newest audit events first, filterable by action; supervisors see their site's."""
    session = db.session()
    query = select(AuditEvent).order_by(col(AuditEvent.seq).desc())
    if not current_user.can(Role.ADMIN):
        query = query.where(AuditEvent.site_id == current_user.site_id)
    action = request.args.get("action", "").strip()
    if action and not ACTION_PATTERN.fullmatch(action):
        abort(400)
    if action:
        query = query.where(AuditEvent.action == action)
    before = bounded_int(request.args.get("before"))
    if before:
        query = query.where(col(AuditEvent.seq) < before)
    events = session.exec(query.limit(AUDIT_PAGE)).all()
    names = {u.id: u.username for u in session.exec(select(StaffUser)).all()}
    sites = {s.id: s.name for s in session.exec(select(Site)).all()}
    return render_template("admin/audit.html", events=events, names=names, sites=sites,
                           action=action, page_size=AUDIT_PAGE)
