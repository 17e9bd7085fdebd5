"""Clerk and supervisor pages for cards: issue, print, hand over, renew, replace, end."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from sqlmodel import Session
from werkzeug.wrappers import Response

from idcard import db
from idcard.auth.guard import current_actor, requires_role
from idcard.cardprint.streaming import StreamCancelled, stream_writes
from idcard.forms import ActionForm
from idcard.issuance import cards as lifecycle
from idcard.issuance.access import card_in_reach, resident_in_reach
from idcard.issuance.printing import print_cards
from idcard.issuance.scope import CardAct, Reach
from idcard.keys import current_signer
from idcard.models import Role
from idcard.services import services
from idcard.tokens import SigningKey
from idcard.transaction import transaction

bp = Blueprint("cards", __name__, url_prefix="/staff")
LAYOUTS = ("card", "letter", "a4")


def card_policy() -> lifecycle.CardPolicy:
    settings = services().settings
    return lifecycle.CardPolicy(
        years=settings.card_years, young_years=settings.young_card_years,
        young_under_age=services().rules.requirements.caretaker_under_age)


def _act(action: Callable[[Session], object], done: str, resident_id: str) -> Response:
    """Check CSRF, run a lifecycle change in this request's transaction, back to the resident."""
    if not ActionForm().validate_on_submit():
        abort(400)
    with transaction(done) as tx:
        action(tx.session)
    return redirect(url_for("staff.show_resident", resident_id=resident_id))


def _signer(session: Session) -> SigningKey:
    return current_signer(session, services().vault)


def _today() -> date:
    return datetime.now(UTC).date()


@bp.post("/residents/<opaque:resident_id>/cards")
@requires_role(Role.CLERK)
def issue_card(resident_id: str) -> Response:
    """Issue a first card; it joins this site's print queue."""
    resident, _reach = resident_in_reach(resident_id, Reach.FULL)
    return _act(lambda session: lifecycle.issue_card(
        session, services().vault, _signer(session), resident, current_actor(), card_policy(),
        today=_today()),
        _("Card issued. It waits in the print queue."), resident_id)


@bp.post("/cards/<opaque:card_id>/print")
@requires_role(Role.CLERK)
def print_card(card_id: str) -> Response:
    """Download one card's PDF (ID-1 pages) and mark it printed."""
    if not ActionForm().validate_on_submit():
        abort(400)
    card, _resident = card_in_reach(card_id, CardAct.PRODUCE)
    out = io.BytesIO()
    with transaction() as tx:
        print_cards(tx.session, services().vault, services().settings, [card], out,
                    current_actor(), workers=0)
    if not tx.committed:
        return redirect(url_for("staff.show_resident", resident_id=card.resident_id))
    return _pdf_response(out.getvalue(), f"card-{card.public_id[:8]}.pdf")


def _pdf_response(body: bytes | Iterable[bytes], filename: str) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/print-queue")
@requires_role(Role.CLERK)
def show_print_queue() -> str:
    """The cards waiting to be printed at this site."""
    site_id = current_actor().site_id
    queue = lifecycle.print_queue(db.session(), site_id) if site_id else []
    return render_template("issuance/print_queue.html", queue=queue, form=ActionForm())


@bp.post("/print-queue")
@requires_role(Role.CLERK)
def print_queue() -> Response:
    """Stream the whole queue as one PDF; the cards count as printed once it is complete."""
    layout = request.form.get("layout", "card")
    if not ActionForm().validate_on_submit() or layout not in LAYOUTS:
        abort(400)
    actor = current_actor()
    queue = lifecycle.print_queue(db.session(), actor.site_id) if actor.site_id else []
    if not queue:
        flash(_("The print queue is empty."), "info")
        return redirect(url_for("cards.show_print_queue"))
    # The writer runs in a thread without the app context: take what it needs now.
    vault, settings = services().vault, services().settings

    def pdf() -> Iterator[bytes]:
        # Committed only once the whole file is written: then, and only then, the
        # cards count as printed. A download cut short rolls back.
        with transaction() as tx:
            yield from stream_writes(lambda out: print_cards(
                tx.session, vault, settings, queue, out, actor,  # type: ignore[arg-type]
                layout=layout, workers=0))  # type: ignore[arg-type]
        if not tx.committed:  # a card changed meanwhile: break the download, mark nothing
            raise StreamCancelled("the print queue changed while printing")

    response = _pdf_response(stream_with_context(pdf()), f"cards-{layout}.pdf")
    response.headers["X-Card-Count"] = str(len(queue))
    return response


@bp.post("/cards/<opaque:card_id>/handover")
@requires_role(Role.CLERK)
def hand_over(card_id: str) -> Response:
    """Record that the resident collected the card in person."""
    card, _resident = card_in_reach(card_id, CardAct.PRODUCE)
    return _act(lambda session: lifecycle.record_handover(session, card, current_actor()),
                _("Handover recorded. The card is valid now."), card.resident_id)


@bp.post("/cards/<opaque:card_id>/replace")
@requires_role(Role.CLERK)
def replace(card_id: str) -> Response:
    """Stop a lost, stolen or damaged card and issue its replacement."""
    card, _resident = card_in_reach(card_id, CardAct.SERVE)
    return _act(lambda session: lifecycle.replace_card(
        session, services().vault, _signer(session), card,
        request.form.get("reason", ""), request.form.get("fee_waived") == "y",
        current_actor(), card_policy(), today=_today()),
        _("The old card no longer verifies. The replacement waits in the print queue."),
        card.resident_id)


@bp.post("/cards/<opaque:card_id>/renew")
@requires_role(Role.CLERK)
def renew(card_id: str) -> Response:
    """Issue the next card within the renewal window."""
    card, _resident = card_in_reach(card_id, CardAct.SERVE)
    return _act(lambda session: lifecycle.renew_card(
        session, services().vault, _signer(session), card, current_actor(), card_policy(),
        today=_today()),
        _("Renewed. The new card waits in the print queue."), card.resident_id)


@bp.post("/cards/<opaque:card_id>/suspend")
@requires_role(Role.SUPERVISOR)
def suspend(card_id: str) -> Response:
    card, _resident = card_in_reach(card_id, CardAct.END)
    return _act(lambda session: lifecycle.suspend_card(session, card, current_actor()),
                _("Card suspended: it does not verify until unsuspended."), card.resident_id)


@bp.post("/cards/<opaque:card_id>/unsuspend")
@requires_role(Role.SUPERVISOR)
def unsuspend(card_id: str) -> Response:
    card, _resident = card_in_reach(card_id, CardAct.END)
    return _act(lambda session: lifecycle.unsuspend_card(session, card, current_actor()),
                _("Card active again."), card.resident_id)


@bp.post("/cards/<opaque:card_id>/revoke")
@requires_role(Role.SUPERVISOR)
def revoke(card_id: str) -> Response:
    card, _resident = card_in_reach(card_id, CardAct.END)
    return _act(lambda session: lifecycle.revoke_card(
        session, card, request.form.get("reason", ""), current_actor()),
        _("Card revoked."), card.resident_id)
