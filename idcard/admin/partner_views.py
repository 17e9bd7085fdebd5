"""Admin pages for partners and their API keys."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlmodel import col, func, select
from werkzeug.wrappers import Response

from idcard import db
from idcard.admin import partners
from idcard.admin.forms import PartnerForm
from idcard.auth.guard import current_actor, requires_role
from idcard.errors import UserError
from idcard.i18n import translate_error
from idcard.issuance.forms import ActionForm
from idcard.models import Partner, PartnerDailyCount, PartnerKey, Role

bp = Blueprint("partners", __name__, url_prefix="/staff/admin/partners")


def _show_new_key(partner: Partner, key: str) -> str:
    """The one page that ever shows a key; nothing stores it in readable form."""
    current_app.extensions["idcard.partner_keys"].expire()
    return render_template("admin/partner_key.html", partner=partner, key=key)


@bp.route("", methods=["GET", "POST"])
@requires_role(Role.ADMIN)
def list_partners() -> Response | str:
    """Partners, their keys and their verification counts; a form to add one."""
    session = db.session()
    form = PartnerForm()
    if form.validate_on_submit():
        try:
            partner = partners.create_partner(session, current_actor(), form.name.data or "")
            key = partners.create_key(session, current_actor(), partner)
        except UserError as error:
            session.rollback()
            flash(translate_error(error), "error")
        else:
            session.commit()
            return _show_new_key(partner, key)
    rows = session.exec(select(Partner).order_by(Partner.name)).all()
    keys = session.exec(select(PartnerKey).order_by(col(PartnerKey.created_at).desc())).all()
    totals = dict(session.exec(select(PartnerDailyCount.partner_id, func.sum(
        PartnerDailyCount.count)).group_by(col(PartnerDailyCount.partner_id))).all())
    return render_template("admin/partners.html", partners=rows, keys=keys, totals=totals,
                           form=form, action_form=ActionForm())


def _key_action(partner_id: int, action: Callable[[Partner], str | None]) -> Response | str:
    if not ActionForm().validate_on_submit():
        abort(400)
    session = db.session()
    partner = session.get(Partner, partner_id) or abort(404)
    key = action(partner)
    session.commit()
    if key:
        return _show_new_key(partner, key)
    current_app.extensions["idcard.partner_keys"].expire()
    flash(_("Key revoked."), "info")
    return redirect(url_for("partners.list_partners"))


@bp.post("/<int:partner_id>/rotate")
@requires_role(Role.ADMIN)
def rotate(partner_id: int) -> Response | str:
    """Issue a new key; the partner's current keys stop working after a grace period."""
    return _key_action(partner_id, lambda partner: partners.rotate_keys(
        db.session(), current_actor(), partner))


@bp.post("/<int:partner_id>/keys/<int:key_id>/revoke")
@requires_role(Role.ADMIN)
def revoke(partner_id: int, key_id: int) -> Response | str:
    """Stop a key at once."""
    def revoke_one(partner: Partner) -> None:
        key = db.session().get(PartnerKey, key_id)
        if key is None or key.partner_id != partner.id:
            abort(404)
        partners.revoke_key(db.session(), current_actor(), key)

    return _key_action(partner_id, revoke_one)
