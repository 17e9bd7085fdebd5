"""Helpers for card tests: enroll, issue, print, and read the token back from the PDF."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import zxingcpp
from PIL import Image
from sqlmodel import select

from idcard.models import Card
from tests.helpers import enroll, post_form


def enrolled_resident(client: Any, **overrides: Any) -> str:
    """Enroll through the web; return the resident id."""
    response = enroll(client, **overrides)
    assert response.status_code == 302, response.text[:500]
    return str(response.headers["Location"].rsplit("/", 1)[1])


def issue(client: Any, resident_id: str) -> None:
    page = f"/staff/residents/{resident_id}"
    response = post_form(client, f"{page}/cards", {}, page_url=page)
    assert response.status_code == 302


def latest_card(session: Any, resident_id: str) -> Card:
    session.expire_all()
    return session.exec(select(Card).where(Card.resident_id == resident_id)
                        .order_by(Card.id.desc())).first()  # type: ignore[union-attr]


def print_pdf(client: Any, card: Card) -> bytes:
    page = f"/staff/residents/{card.resident_id}"
    response = post_form(client, f"/staff/cards/{card.id}/print", {}, page_url=page)
    assert response.status_code == 200, response.text[:500]
    assert response.mimetype == "application/pdf"
    return bytes(response.data)


def rendered_pages(pdf: bytes, dpi: int = 300) -> list[Image.Image]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "card.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(Path(tmp) / "p")],
                       check=True)
        return [Image.open(io.BytesIO(p.read_bytes())) for p in sorted(Path(tmp).glob("p*.png"))]


def qr_texts(image: Image.Image) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def token_from_pdf(pdf: bytes) -> str:
    """Decode the QR on the card's back page and return the token after '#'."""
    texts = [text for page in rendered_pages(pdf) for text in qr_texts(page)]
    assert len(texts) == 1, texts
    return texts[0].split("#", 1)[1]


def verify(client: Any, token: str) -> str:
    response = client.post("/api/v1/verify", json={"token": token})
    assert response.status_code == 200
    return str(response.get_json()["result"])
