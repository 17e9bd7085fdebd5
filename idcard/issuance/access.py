"""The resident or card an address names, if it is within the staff member's reach.

Anything else, unknown or out of reach, gets the same plain 404 (no id, no hint that
the record exists), and the probe is audited: which staff member, which site, and the
record's id when it exists. Never what was typed.
"""

from __future__ import annotations

from typing import NoReturn

from flask import abort, session
from flask_login import current_user
from sqlmodel import select

from idcard import db
from idcard.audit import record_event
from idcard.auth.guard import current_actor
from idcard.issuance.scope import CardAct, Reach, Scope, may_act, reach
from idcard.models import Card, Resident
from idcard.transaction import transaction

SERVING_KEY = "serving"
MAX_SERVING = 20  # residents of other sites found by look-up in one sign-in session


def current_scope() -> Scope:
    """The signed-in staff member's reach, with the residents their look-ups found."""
    return Scope(current_user.role, current_user.site_id,
                 frozenset(session.get(SERVING_KEY, ())))


def grant_serving(resident_id: str) -> None:
    """Let this sign-in session serve a resident of another site found by exact look-up."""
    earlier = [r for r in session.get(SERVING_KEY, []) if r != resident_id]
    session[SERVING_KEY] = [resident_id, *earlier][:MAX_SERVING]


def refuse(record_type: str, record_id: str | None = None) -> NoReturn:
    """Audit a probe and answer 404, the same whether the record exists or not."""
    with transaction() as tx:
        action = "access.refused" if record_id else "access.unknown"
        record_event(tx.session, current_actor(), action, record_type, record_id)
    abort(404)


def resident_in_reach(resident_id: str, need: Reach = Reach.SERVING) -> tuple[Resident, Reach]:
    """The resident and how far this staff member reaches, or a 404 if not far enough."""
    resident = db.session().get(Resident, resident_id)
    if resident is None:
        refuse("resident")
    level = reach(db.session(), current_scope(), resident)
    if level < need:
        refuse("resident", resident.id)
    return resident, level


def card_in_reach(public_id: str, act: CardAct) -> tuple[Card, Resident]:
    """The card and its resident, if this staff member may do `act` to it; else a 404."""
    card = db.session().exec(select(Card).where(Card.public_id == public_id)).first()
    if card is None:
        refuse("card")
    resident = db.session().get(Resident, card.resident_id)
    if resident is None or not may_act(db.session(), current_scope(), card, resident, act):
        refuse("card", card.public_id)
    return card, resident
