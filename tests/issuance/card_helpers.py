"""Shared helpers for the card PDF tests: a synthetic photo, faces, rasterizing."""

from __future__ import annotations

import io
import subprocess
import unicodedata
from dataclasses import replace
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw

from idcard.issuance.card_pdf import CardDesign, CardFace
from tests.helpers import shared_data

NAMES = shared_data("names.json")
TOKEN_URL = "https://id.example.org/v#" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" * 6


def photo_jpeg() -> bytes:
    image = Image.new("RGB", (600, 800), (200, 210, 220))
    draw = ImageDraw.Draw(image)
    draw.ellipse((150, 150, 450, 500), fill=(180, 140, 110))
    draw.rectangle((100, 550, 500, 800), fill=(40, 60, 120))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


PHOTO = photo_jpeg()


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


def rasterize(pdf: bytes, tmp_path: Path, dpi: int = 300) -> list[Image.Image]:
    """Render every page with poppler's pdftoppm; return them as RGB images."""
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(tmp_path / "page")],
                   check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    return [Image.open(p).convert("RGB") for p in pages]


def pdftotext(pdf: bytes, tmp_path: Path, page: int | None = None) -> str:
    source = tmp_path / "text.pdf"
    source.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    done = subprocess.run(["pdftotext", *pages, str(source), "-"], check=True,
                          capture_output=True, text=True)
    assert done.stderr == "", done.stderr
    return unicodedata.normalize("NFC", done.stdout)


def words(text: str) -> str:
    return " ".join(text.split())
