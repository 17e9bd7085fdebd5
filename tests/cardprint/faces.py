"""Card faces for the printing tests: every field filled, one change at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from idcard.cardprint.face import CardDesign, CardFace
from tests.helpers import read_data, sample_photo

NAMES = read_data("names.json")
TOKEN_URL = "https://id.example.org/v#" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" * 6
PHOTO = sample_photo((600, 800))  # the normalized portrait's size


def make_face(**changes: object) -> CardFace:
    face = CardFace(
        name="María José Pérez-Rodríguez",
        date_of_birth=date(1990, 3, 15),
        card_number="482913570164",
        expires_on=date(2031, 5, 1),
        photo_jpeg=PHOTO,
        qr_text=TOKEN_URL,
        design=CardDesign("City of Example", (0, 76, 140), (242, 169, 0)),
        gender="X",
        address_lines=("c/o Grace Shelter", "123 Main Street", "Example City, NY 10001"),
    )
    return replace(face, **changes)  # type: ignore[arg-type]


def sample_faces(count: int) -> list[CardFace]:
    """`count` faces told apart by name ("Card Holder 07"), number and QR text ("#CARD07")."""
    return [
        make_face(
            name=f"Card Holder {k:02d}",
            card_number=f"{k:04d}00000000",
            qr_text=f"https://id.example.org/v#CARD{k:02d}" + "Q" * 120,
        )
        for k in range(count)
    ]
