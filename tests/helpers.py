"""Helpers shared by tests: test data, forms with CSRF, signing in, sample photos and
enrollments, cards issued and printed through the web."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import socket
import time
from datetime import date
from pathlib import Path
from typing import Any

import pyotp
from PIL import Image, ImageDraw
from sqlmodel import func, select

from idcard.models import Card, StaffUser, utcnow

DATA = Path(__file__).resolve().parent / "data"
PASSWORD = "correct horse battery staple"


def read_data(name: str) -> Any:
    """Parsed JSON from tests/data (see its README for where each file came from)."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))


CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def post_form(client, url: str, data: dict, *, page_url: str | None = None, **kwargs):
    """GET the form's page (`url` unless given) for its CSRF token, then POST the form."""
    page = client.get(page_url or url)
    return client.post(url, data={**data, "csrf_token": csrf_from(page.text)}, **kwargs)


def login(client, username: str, password: str = PASSWORD):
    """The password step of signing in; the response (a redirect when it was right)."""
    return post_form(client, "/staff/login", {"username": username, "password": password})


def totp_secret(username: str) -> str:
    """The authenticator secret `enroll_totp` gives an account (fixed per username)."""
    return base64.b32encode(hashlib.sha256(username.encode()).digest()[:20]).decode()


def enroll_totp(session: Any, vault: Any, user: StaffUser) -> None:
    """Set up the account's second factor directly, as if its owner had scanned the QR."""
    user.totp_sealed = vault.seal_totp_secret(user.id, totp_secret(user.username).encode())
    user.totp_since = utcnow()
    session.add(user)


def enter_code(client: Any, username: str) -> Any:
    """The second step of signing in; a code of the next 30 s if this one was used."""
    totp = pyotp.TOTP(totp_secret(username))
    response = post_form(client, "/staff/login/code", {"code": totp.now()})
    if response.status_code == 200:
        response = post_form(client, "/staff/login/code", {"code": totp.at(time.time() + 30)})
    return response


def signed_in(app: Any, username: str) -> Any:
    """A new test client of `app`, signed in as this staff member (with the code, when
    their role needs one)."""
    client = app.test_client()
    response = login(client, username)
    if response.headers.get("Location", "").endswith("/staff/login/code"):
        response = enter_code(client, username)
    assert response.status_code == 302, response.text[:500]
    return client


def count_rows(session: Any, model: Any) -> int:
    """How many rows the model's table holds."""
    return int(session.exec(select(func.count()).select_from(model)).one())


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def encode_image(image: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    """Encode a picture the way a phone or an editor would hand it over."""
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def sample_photo(size: tuple[int, int] = (900, 1200), fmt: str = "JPEG") -> bytes:
    """A synthetic portrait: a face-like oval on a plain background."""
    image = Image.new("RGB", size, (200, 215, 230))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.ellipse((w * 0.3, h * 0.2, w * 0.7, h * 0.6), fill=(224, 172, 105))
    draw.rectangle((w * 0.2, h * 0.65, w * 0.8, h), fill=(40, 60, 120))
    return encode_image(image, fmt)


def enrollment_form(**overrides: Any) -> dict[str, Any]:
    """A complete, valid enrollment form post (without the photo and CSRF token)."""
    form: dict[str, Any] = {
        "name": "María José Pérez-Rodríguez",
        "born_on": "1990-04-12",
        "gender": "",
        "language": "es",
        "address_kind": "street",
        "address_line1": "100 Main Street",
        "address_line2": "Apt 4",
        "postal_code": "10001",
        "documents": ["photo_id_with_birth_date", "utility_bill"],
    }
    form.update(overrides)
    return form


def enroll(client: Any, photo: bytes | None = None, **overrides: Any) -> Any:
    """Post an enrollment as the signed-in clerk; returns the response (not followed)."""
    data = enrollment_form(**overrides)
    data["photo"] = (io.BytesIO(sample_photo() if photo is None else photo), "photo.jpg")
    return post_form(client, "/staff/enroll", data, content_type="multipart/form-data")


def years_ago(years: int, today: date | None = None) -> str:
    """ISO date of the day `years` years before today (Feb 29 falls back to Feb 28)."""
    today = today or date.today()
    try:
        return today.replace(year=today.year - years).isoformat()
    except ValueError:
        return today.replace(year=today.year - years, day=28).isoformat()


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
    response = post_form(client, f"/staff/cards/{card.public_id}/print", {}, page_url=page)
    assert response.status_code == 200, response.text[:500]
    assert response.mimetype == "application/pdf"
    return bytes(response.data)


def printed_card(client: Any, session: Any, **overrides: Any) -> tuple[Card, bytes]:
    """Enroll a resident (form overrides as for `enroll`), issue and print their card;
    return the card as it is after printing, and the PDF."""
    resident_id = enrolled_resident(client, **overrides)
    issue(client, resident_id)
    pdf = print_pdf(client, latest_card(session, resident_id))
    return latest_card(session, resident_id), pdf


def card_action(client: Any, card: Card, action: str, **data: Any) -> Any:
    """Post a card action (revoke, suspend, renew...) from the resident's page; the
    response, which must be the redirect back."""
    page = f"/staff/residents/{card.resident_id}"
    response = post_form(client, f"/staff/cards/{card.public_id}/{action}", data,
                         page_url=page)
    assert response.status_code == 302, response.text[:500]
    return response


def verify(client: Any, token: str) -> str:
    response = client.post("/api/v1/verify", json={"token": token})
    assert response.status_code == 200
    return str(response.get_json()["result"])
