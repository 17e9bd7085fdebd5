"""Who may reach which resident and card: least privilege by site.

- Clerks and supervisors have the full record of the residents enrolled at their own
  site, and print and hand over the cards issued there.
- A resident of another site is reachable only after an exact look-up (name + date of
  birth, or card number) in the same sign-in session, or while a card issued at this
  site is theirs (a replacement made here). Then staff see what serving them needs
  (name, date of birth, photo, cards) and may renew or replace a card, never the
  address or contacts, and never suspend or revoke.
- Admins reach everyone; every opened record is audited anyway.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from sqlmodel import Session, select

from idcard.models import Card, Resident, Role


class Reach(enum.IntEnum):
    """How much of a resident's record a staff member may see and act on."""

    NONE = 0
    SERVING = 1  # name, birth date, photo, cards: enough to renew or replace
    FULL = 2


class CardAct(enum.Enum):
    """What a card action needs, beyond the role the route asks for."""

    PRODUCE = "produce"  # print, hand over: the site that issued the card
    SERVE = "serve"  # renew, replace: any site that may serve the resident
    END = "end"  # suspend, unsuspend, revoke: the resident's own site


@dataclass(frozen=True)
class Scope:
    """A signed-in staff member's reach: role, site, and residents found by look-up."""

    role: Role
    site_id: int | None
    serving: frozenset[str] = field(default_factory=frozenset)

    @property
    def everywhere(self) -> bool:
        return self.role == Role.ADMIN


def reach(session: Session, scope: Scope, resident: Resident) -> Reach:
    """How far this staff member reaches into this resident's record."""
    if scope.everywhere or (scope.site_id is not None and resident.site_id == scope.site_id):
        return Reach.FULL
    if resident.id in scope.serving or _has_card_from(session, resident.id, scope.site_id):
        return Reach.SERVING
    return Reach.NONE


def _has_card_from(session: Session, resident_id: str, site_id: int | None) -> bool:
    if site_id is None:
        return False
    query = select(Card.id).where(Card.resident_id == resident_id, Card.site_id == site_id)
    return session.exec(query.limit(1)).first() is not None


def may_act(session: Session, scope: Scope, card: Card, resident: Resident, act: CardAct) -> bool:
    """Whether this staff member may do `act` to this card of this resident."""
    if scope.everywhere:
        return True
    if act is CardAct.PRODUCE:
        return scope.site_id is not None and card.site_id == scope.site_id
    needed = Reach.SERVING if act is CardAct.SERVE else Reach.FULL
    return reach(session, scope, resident) >= needed
