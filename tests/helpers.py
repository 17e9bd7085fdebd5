"""Helpers shared by tests: shared test data, forms with CSRF, sample enrollments."""

from __future__ import annotations

import io
import json
import re
import socket
from datetime import date
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

SHARED = Path(__file__).resolve().parents[2] / "shared" / "testdata"
PASSWORD = "correct horse battery staple"


def shared_data(name: str) -> Any:
    """Parsed JSON from ../shared/testdata."""
    return json.loads((SHARED / name).read_text(encoding="utf-8"))


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
    return post_form(client, "/staff/login", {"username": username, "password": password})



def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sample_photo(size: tuple[int, int] = (900, 1200), fmt: str = "JPEG") -> bytes:
    """A synthetic portrait: a face-like oval on a plain background."""
    image = Image.new("RGB", size, (200, 215, 230))
    draw = ImageDraw.Draw(image)
    w, h = size
    draw.ellipse((w * 0.3, h * 0.2, w * 0.7, h * 0.6), fill=(224, 172, 105))
    draw.rectangle((w * 0.2, h * 0.65, w * 0.8, h), fill=(40, 60, 120))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


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
