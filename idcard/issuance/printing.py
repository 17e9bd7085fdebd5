"""Turning cards into print-ready PDFs: one card, or a whole queue in constant memory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import BinaryIO

from sqlmodel import Session

from idcard.audit import Actor
from idcard.cardprint.batch import write_cards
from idcard.cardprint.face import CardDesign, CardFace, Layout
from idcard.issuance.cards import card_number, claims, record_printed
from idcard.issuance.residents import open_record
from idcard.keys import signing_key
from idcard.models import Card, Resident, SigningKeyRecord
from idcard.settings import Settings
from idcard.tokens import encode_token, qr_text
from idcard.vault import Vault


def card_design(settings: Settings) -> CardDesign:
    """The city's name, colours and logo for the card, from settings."""
    return CardDesign(city_name=settings.city_name,
                      primary_rgb=_rgb(settings.card_primary_color),
                      accent_rgb=_rgb(settings.card_accent_color),
                      logo_path=settings.card_logo)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def card_token(session: Session, vault: Vault, card: Card) -> str:
    """The card's QR token, signed again by its own key (Ed25519 is deterministic)."""
    record = session.get(SigningKeyRecord, card.kid)
    assert record is not None
    return encode_token(claims(card), signing_key(record, vault))


def card_face(session: Session, vault: Vault, settings: Settings, card: Card) -> CardFace:
    """Everything printed on one card, opened from the resident's sealed details."""
    resident = session.get(Resident, card.resident_id)
    assert resident is not None
    key = vault.resident_key(session, resident.id)
    record = open_record(key, resident)
    details = record.details
    return CardFace(
        name=details.name, date_of_birth=details.born_on,
        card_number=card_number(key, card), expires_on=card.expires_on,
        photo_jpeg=record.photo_jpeg,
        qr_text=qr_text(settings.public_url, card_token(session, vault, card)),
        design=card_design(settings), gender=details.gender,
        address_lines=details.address.printed_lines(),
    )


def print_cards(
    session: Session, vault: Vault, settings: Settings, cards: list[Card], out: BinaryIO,
    actor: Actor, *, layout: Layout = "card", progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> int:
    """Write the cards' PDF, then mark them printed (only once the file is complete).

    Faces are opened one at a time as the writer asks for them, so memory stays flat
    however many cards are in the batch.
    """

    def faces() -> Iterator[CardFace]:
        for card in cards:
            yield card_face(session, vault, settings, card)

    count = write_cards(faces(), out, layout=layout, progress=progress, workers=workers)
    record_printed(session, cards, actor)
    return count
