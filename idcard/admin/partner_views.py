"""Admin pages for partners and their API keys."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlmodel import Session, col, func, select
from werkzeug.wrappers import Response

from idcard import db
from idcard.admin import partners
from idcard.admin.forms import PartnerForm
from idcard.auth.guard import current_actor, requires_role
from idcard.forms import ActionForm
from idcard.models import Partner, PartnerDailyCount, PartnerKey, Role
from idcard.services import services
from idcard.transaction import transaction

bp = Blueprint("partners", __name__, url_prefix="/staff/admin/partners")


def _show_new_key(partner: Partner, key: str) -> str:
    """The one page that ever shows a key; nothing stores it in readable form."""
    return render_template("admin/partner_key.html", partner=partner, key=key)


@bp.route("", methods=["GET", "POST"])
@requires_role(Role.ADMIN)
def list_partners() -> Response | str:
    """Partners, their keys and their verification counts; a form to add one."""
    form = PartnerForm()
    if form.validate_on_submit():
        with transaction() as tx:
            partner = partners.create_partner(tx.session, current_actor(), form.name.data or "")
            key = partners.create_key(tx.session, current_actor(), partner)
        if tx.committed:
            services().partner_keys.expire()
            return _show_new_key(partner, key)
    session = db.session()
    rows = session.exec(select(Partner).order_by(Partner.name)).all()
    keys = session.exec(select(PartnerKey).order_by(col(PartnerKey.created_at).desc())).all()
    totals = dict(session.exec(select(PartnerDailyCount.partner_id, func.sum(
        PartnerDailyCount.count)).group_by(col(PartnerDailyCount.partner_id))).all())
    return render_template("admin/partners.html", partners=rows, keys=keys, totals=totals,
                           form=form, action_form=ActionForm())


def _key_action(
    partner_id: str, action: Callable[[Session, Partner], str | None], done: str | None,
) -> Response | str:
    """Change a partner's keys; show the new key if the change made one."""
    if not ActionForm().validate_on_submit():
        abort(400)
    partner = db.session().exec(
        select(Partner).where(Partner.public_id == partner_id)).first() or abort(404)
    with transaction(done) as tx:
        key = action(tx.session, partner)
    services().partner_keys.expire()
    if tx.committed and key:
        return _show_new_key(partner, key)
    return redirect(url_for("partners.list_partners"))


@bp.post("/<opaque:partner_id>/rotate")
@requires_role(Role.ADMIN)
def rotate(partner_id: str) -> Response | str:
    """Issue a new key; the partner's current keys stop working after a grace period."""
    return _key_action(partner_id, lambda session, partner: partners.rotate_keys(
        session, current_actor(), partner), None)


@bp.post("/<opaque:partner_id>/keys/<opaque:key_id>/revoke")
@requires_role(Role.ADMIN)
def revoke(partner_id: str, key_id: str) -> Response | str:
    """Stop a key at once."""
    def revoke_one(session: Session, partner: Partner) -> None:
        key = session.exec(select(PartnerKey).where(PartnerKey.public_id == key_id)).first()
        if key is None or key.partner_id != partner.id:
            abort(404)
        partners.revoke_key(session, current_actor(), key)

    return _key_action(partner_id, revoke_one, _("Key revoked."))
