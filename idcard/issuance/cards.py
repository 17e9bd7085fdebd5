"""Issuing cards and their life: print, hand over, renew, replace, suspend, revoke.

Every change of whether a card verifies goes through `_set_state`, which flips the
card's status-list bit (by bumping the status clock) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from idcard.audit import Actor, record_event
from idcard.errors import N_, UserError
from idcard.issuance.card_numbers import new_card_number, normalize_card_number
from idcard.issuance.documents import age_on
from idcard.issuance.residents import open_record
from idcard.issuance.status_slots import slot_index
from idcard.models import (
    Card,
    CardState,
    Resident,
    ReviewState,
    Site,
    StatusClock,
    StatusListRecord,
    utcnow,
)
from idcard.statuslist import MIN_STATUS_ENTRIES
from idcard.tokens import CardClaims, SigningKey, new_handle
from idcard.vault import ResidentKey, Sealed, Vault

LIVE_STATES = (CardState.AWAITING_PRINT, CardState.AWAITING_PICKUP, CardState.ACTIVE,
               CardState.SUSPENDED)
REPLACE_REASONS = ("lost", "stolen", "damaged")
REVOKE_REASONS = ("issued_in_error", "fraud", "deceased", "resident_request", "other")
INSERT_ATTEMPTS = 20


class CardNotIssuableError(UserError):
    """The card action is not possible in the card's or resident's current state."""


@dataclass(frozen=True)
class CardPolicy:
    """How long cards last and when they may be renewed (settings decide)."""

    years: int = 5
    young_years: int = 2
    young_under_age: int = 14
    renew_days_before: int = 60
    renew_days_after: int = 183


def card_number(key: ResidentKey, card: Card) -> str:
    """The printed number, opened with the resident's data key."""
    return key.open(Sealed.CARD_NUMBER, card.number_sealed).decode()


def find_card_by_number(session: Session, vault: Vault, typed: str) -> Card | None:
    """The card with this printed number (spaces and dashes allowed), if any."""
    number = normalize_card_number(typed)
    query = select(Card).where(Card.number_index == vault.card_number_index(number))
    return session.exec(query).first()


def claims(card: Card) -> CardClaims:
    """What the card's QR token says: handle, expiry, status list and index."""
    return CardClaims(handle=card.handle, expires_on=card.expires_on,
                      list_id=card.status_list_id, index=card.status_index)


def live_card(session: Session, resident_id: str) -> Card | None:
    query = select(Card).where(Card.resident_id == resident_id,
                               col(Card.state).in_(LIVE_STATES))
    return session.exec(query).first()


def expiry_for(born_on: date, today: date, policy: CardPolicy) -> date:
    """Five years from today (two for young teens), on the same day of the month."""
    years = policy.young_years if age_on(born_on, today) < policy.young_under_age else policy.years
    try:
        return today.replace(year=today.year + years)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years, day=28)


def issue_card(
    session: Session, vault: Vault, signer: SigningKey, resident: Resident, actor: Actor,
    policy: CardPolicy, *, today: date, expires_on: date | None = None,
) -> Card:
    """Issue a first card to an approved resident; it waits in the site's print queue."""
    if resident.review != ReviewState.APPROVED:
        raise CardNotIssuableError(N_("A supervisor must review this enrollment first."))
    if live_card(session, resident.id) is not None:
        raise CardNotIssuableError(
            N_("This resident has a card already: renew or replace it instead."))
    return _new_card(session, vault, signer, resident, actor, policy, today, expires_on)


def _new_card(
    session: Session, vault: Vault, signer: SigningKey, resident: Resident, actor: Actor,
    policy: CardPolicy, today: date, expires_on: date | None,
) -> Card:
    staff_id, site_id = actor.at_site()
    key = vault.resident_key(session, resident.id)
    born_on = open_record(key, resident).details.born_on
    expires_on = expires_on or expiry_for(born_on, today, policy)

    def draw() -> Card:
        number = new_card_number()
        list_id, index = _free_status_slot(session, vault)
        return Card(
            resident_id=resident.id, number_index=vault.card_number_index(number),
            number_sealed=key.seal(Sealed.CARD_NUMBER, number.encode()),
            handle=new_handle(), status_list_id=list_id, status_index=index,
            kid=signer.kid.hex(), site_id=site_id, issued_by=staff_id,
            expires_on=expires_on)

    card = _insert_unique(session, draw)
    _set_state(session, card, CardState.AWAITING_PRINT)
    record_event(session, actor, "card.issue", "card", card.public_id)
    return card


def _insert_unique(session: Session, draw: Callable[[], Card]) -> Card:
    """Insert a freshly drawn card; on a clash of number, handle or index, draw again."""
    for _ in range(INSERT_ATTEMPTS):
        card = draw()
        try:
            with session.begin_nested():
                session.add(card)
                session.flush()
        except IntegrityError:
            continue  # another issuance took the same number or index meanwhile
        return card
    raise RuntimeError("could not find a free card number and status index")


def _free_status_slot(session: Session, vault: Vault) -> tuple[int, int]:
    """The next entry of the newest list, in its keyed random order; a new list when full.

    The counter's row lock serializes concurrent issuance, so no entry is given twice.
    """
    newest = session.exec(select(func.max(StatusListRecord.id))).one()
    if newest is not None:
        taken = session.execute(
            update(StatusListRecord)
            .where(col(StatusListRecord.id) == newest,
                   col(StatusListRecord.used) < col(StatusListRecord.size))
            .values(used=StatusListRecord.used + 1))
        if taken.rowcount:  # type: ignore[attr-defined]
            size, used = session.exec(select(StatusListRecord.size, StatusListRecord.used)
                                      .where(StatusListRecord.id == newest)).one()
            return newest, slot_index(vault.index_key, newest, used - 1, size)
    status_list = StatusListRecord(size=MIN_STATUS_ENTRIES, used=1)
    session.add(status_list)
    session.flush()
    assert status_list.id is not None
    return status_list.id, slot_index(vault.index_key, status_list.id, 0, status_list.size)


def _set_state(session: Session, card: Card, state: CardState) -> None:
    """Change a card's state and stamp it with the next status-clock tick."""
    card.state = state
    card.status_tick = _tick(session)
    session.add(card)
    session.flush()


def _tick(session: Session) -> int:
    """Advance the status clock. Its row lock orders concurrent changes by commit."""
    bumped = session.execute(
        update(StatusClock).where(col(StatusClock.id) == 1).values(tick=StatusClock.tick + 1))
    if bumped.rowcount == 0:  # type: ignore[attr-defined]
        session.add(StatusClock(id=1, tick=1))
        session.flush()
    return session.exec(select(StatusClock.tick).where(StatusClock.id == 1)).one()


def _require(card: Card, states: tuple[CardState, ...], message: str) -> None:
    if card.state not in states:
        raise CardNotIssuableError(message)


def record_printed(session: Session, cards: list[Card], actor: Actor) -> None:
    """Mark cards printed: valid now, or at pickup sites once handed over."""
    pickup_sites = {s.id for s in session.exec(select(Site).where(Site.requires_pickup))}
    for card in cards:
        _require(card, (CardState.AWAITING_PRINT, CardState.AWAITING_PICKUP),
                 N_("Only cards waiting to be printed or picked up can be printed."))
        card.printed_at = utcnow()
        if card.state == CardState.AWAITING_PRINT:
            waits = card.site_id in pickup_sites
            _set_state(session, card, CardState.AWAITING_PICKUP if waits else CardState.ACTIVE)
        record_event(session, actor, "card.print", "card", card.public_id)


def record_handover(session: Session, card: Card, actor: Actor) -> None:
    """The resident collected the card in person: it becomes valid."""
    _require(card, (CardState.AWAITING_PICKUP,), N_("This card is not waiting for pickup."))
    card.handed_over_at = utcnow()
    _set_state(session, card, CardState.ACTIVE)
    record_event(session, actor, "card.handover", "card", card.public_id)


def _end(session: Session, card: Card, state: CardState, reason: str) -> None:
    card.ended_at = utcnow()
    card.end_reason = reason
    _set_state(session, card, state)


def replace_card(
    session: Session, vault: Vault, signer: SigningKey, card: Card, reason: str,
    fee_waived: bool, actor: Actor, policy: CardPolicy, *, today: date,
) -> Card:
    """Stop a lost, stolen or damaged card at once and issue a new one (same expiry)."""
    if reason not in REPLACE_REASONS:
        raise CardNotIssuableError(N_("Choose lost, stolen or damaged."))
    _require(card, LIVE_STATES, N_("Only a current card can be replaced."))
    _end(session, card, CardState.REPLACED, reason)
    resident = session.get(Resident, card.resident_id)
    assert resident is not None
    new = _new_card(session, vault, signer, resident, actor, policy, today, card.expires_on)
    new.fee_waived = fee_waived
    session.add(new)
    record_event(session, actor, f"card.replace_{reason}", "card", card.public_id)
    return new


def renewal_window(card: Card, policy: CardPolicy) -> tuple[date, date]:
    return (card.expires_on - timedelta(days=policy.renew_days_before),
            card.expires_on + timedelta(days=policy.renew_days_after))


def renew_card(
    session: Session, vault: Vault, signer: SigningKey, card: Card, actor: Actor,
    policy: CardPolicy, *, today: date,
) -> Card:
    """Issue the next card for the same resident within the renewal window."""
    opens, closes = renewal_window(card, policy)
    if not opens <= today <= closes:
        raise CardNotIssuableError(
            N_("Renewal is possible from %(opens)s to %(closes)s."),
            opens=opens.isoformat(), closes=closes.isoformat())
    _require(card, (CardState.ACTIVE, CardState.SUSPENDED, CardState.AWAITING_PICKUP),
             N_("Only a current card can be renewed."))
    _end(session, card, CardState.REPLACED, "renewed")
    resident = session.get(Resident, card.resident_id)
    assert resident is not None
    new = _new_card(session, vault, signer, resident, actor, policy, today, None)
    record_event(session, actor, "card.renew", "card", card.public_id)
    return new


def suspend_card(session: Session, card: Card, actor: Actor) -> None:
    _require(card, (CardState.ACTIVE,), N_("Only an active card can be suspended."))
    _set_state(session, card, CardState.SUSPENDED)
    record_event(session, actor, "card.suspend", "card", card.public_id)


def unsuspend_card(session: Session, card: Card, actor: Actor) -> None:
    _require(card, (CardState.SUSPENDED,), N_("This card is not suspended."))
    _set_state(session, card, CardState.ACTIVE)
    record_event(session, actor, "card.unsuspend", "card", card.public_id)


def revoke_card(session: Session, card: Card, reason: str, actor: Actor) -> None:
    """End a card for good; a supervisor gives one of the listed reasons."""
    if reason not in REVOKE_REASONS:
        raise CardNotIssuableError(N_("Choose a reason for revoking the card."))
    _require(card, LIVE_STATES, N_("This card has ended already."))
    _end(session, card, CardState.REVOKED, reason)
    record_event(session, actor, f"card.revoke_{reason}", "card", card.public_id)


def print_queue(session: Session, site_id: int) -> list[Card]:
    """Cards waiting to be printed at a site, oldest first."""
    query = select(Card).where(Card.site_id == site_id, Card.state == CardState.AWAITING_PRINT)
    return list(session.exec(query.order_by(col(Card.issued_at))))
