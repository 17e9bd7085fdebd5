"""What a card shows, and the ID-1 (CR80) size it is printed at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from reportlab.lib.units import mm

from idcard.errors import UserError

CARD_WIDTH = 85.6 * mm
CARD_HEIGHT = 53.98 * mm
CARD_SIZE = (CARD_WIDTH, CARD_HEIGHT)

Layout = Literal["card", "letter", "a4"]
Paper = Literal["letter", "a4"]


@dataclass(frozen=True)
class CardDesign:
    """The city's look, from settings: name, colours (0-255 RGB) and an optional logo."""

    city_name: str
    primary_rgb: tuple[int, int, int] = (0, 76, 140)
    accent_rgb: tuple[int, int, int] = (242, 169, 0)
    logo_path: Path | None = None


@dataclass(frozen=True)
class CardFace:
    """What one card shows; photo_jpeg is the normalized 600x800 JPEG."""

    name: str
    date_of_birth: date
    card_number: str
    expires_on: date
    photo_jpeg: bytes
    qr_text: str
    design: CardDesign
    gender: str | None = None
    address_lines: tuple[str, ...] = ()


class CardLayoutError(UserError):
    """Something on the face cannot be printed whole; nothing is cut silently."""


def group_in_fours(digits: str) -> str:
    """Group digits in fours for print, as every card shows its number."""
    digits = "".join(digits.split())
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))
