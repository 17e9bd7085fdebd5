"""Card PDFs: CR80 pages, a scannable vector QR, faithful names in every script."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from PIL import Image

from idcard.cardprint import batch, layout, pdf, qr
from idcard.cardprint.pdf import render_card
from tests.cardprint.faces import NAMES, make_face
from tests.pdfs import font_rows, pdftotext, rasterize, words

DPI = 300
MM_PER_PX = 25.4 / DPI


def _names(*scripts: str) -> list[str]:
    return [n["name"] for n in NAMES if n["script"] in scripts]


def test_card_has_two_pages_of_cr80_size() -> None:
    pdf = render_card(make_face())
    reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(242.65, abs=0.01)
        assert float(page.mediabox.height) == pytest.approx(153.01, abs=0.01)
    for image in rasterize(pdf):
        width, height = image.size
        assert abs(width - 1011) <= 2 and abs(height - 638) <= 2


def test_back_qr_decodes_to_exactly_the_qr_text_and_is_at_least_20_mm() -> None:
    face = make_face()
    back = rasterize(render_card(face))[1]
    found = zxingcpp.read_barcodes(back)
    assert [b.text for b in found] == [face.qr_text]
    assert found[0].ec_level == "M"
    symbol_px = _symbol_width_px(found[0])
    version = qr.encode(face.qr_text).version
    modules = 17 + 4 * version
    with_quiet_zone_mm = symbol_px * (modules + 8) / modules * MM_PER_PX
    assert with_quiet_zone_mm >= 20
    _assert_quiet_zone_is_white(back, found[0], symbol_px / modules)


def _symbol_width_px(barcode: zxingcpp.Barcode) -> float:
    p = barcode.position
    return float(max(p.top_right.x, p.bottom_right.x) - min(p.top_left.x, p.bottom_left.x))


def _assert_quiet_zone_is_white(
    image: Image.Image, barcode: zxingcpp.Barcode, module: float
) -> None:
    p = barcode.position
    left, top = min(p.top_left.x, p.bottom_left.x), min(p.top_left.y, p.top_right.y)
    right, bottom = max(p.top_right.x, p.bottom_right.x), max(p.bottom_left.y, p.bottom_right.y)
    margin = int(4 * module) - 2
    gray = image.convert("L")
    for box in (
        (left - margin, top, left - 2, bottom),  # left quiet zone
        (right + 2, top, right + margin, bottom),
        (left, top - margin, right, top - 2),
        (left, bottom + 2, right, bottom + margin),
    ):
        assert gray.crop(box).getextrema()[0] > 200, box


def test_qr_is_drawn_as_vector_rectangles_not_an_image() -> None:
    pdf = render_card(make_face())
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    back = reader.pages[1]
    assert "/XObject" not in back["/Resources"] or not back["/Resources"]["/XObject"]
    content = back.get_contents().get_data().decode("latin-1")
    assert content.count(" re\n") > 200  # one rectangle per dark run of modules


@pytest.mark.parametrize("name", _names("Latin", "Cyrillic", "Greek", "Han", "Han/Kana"))
def test_front_text_holds_the_exact_name_number_and_dates(name: str) -> None:
    pdf = render_card(make_face(name=name))
    text = words(pdftotext(pdf, page=1))
    assert words(unicodedata.normalize("NFC", name)) in text
    assert "4829 1357 0164" in text
    assert "1990-03-15" in text and "2031-05-01" in text


@pytest.mark.parametrize("name", _names("Latin", "Cyrillic", "Greek"))
def test_pypdf_extracts_the_same_name(name: str) -> None:
    pdf = render_card(make_face(name=name))
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert words(unicodedata.normalize("NFC", name)) in words(unicodedata.normalize("NFC", text))


def test_the_longest_name_is_printed_whole() -> None:
    name = max((n["name"] for n in NAMES), key=len)
    pdf = render_card(make_face(name=name))
    text = words(pdftotext(pdf, page=1))
    assert name in text  # every word, in order
    lines, size = layout.fit_name(name)  # type: ignore[misc]
    assert 2 <= len(lines) <= 3 and size >= 6


def test_all_fonts_are_embedded(tmp_path: Path) -> None:
    faces = [make_face(name=n["name"]) for n in NAMES]
    source = tmp_path / "all.pdf"
    with source.open("wb") as out:
        batch.write_cards(faces, out, layout="letter", workers=0)
    listing = font_rows(source)
    assert len(listing) >= 9  # Latin, Arabic, Hebrew, Indic, Ethiopic, Han, Hangul ...
    for row in listing:
        assert re.search(r"\bTrueType\b.*\byes yes yes\b", row), row


def test_back_carries_nothing_personal() -> None:
    face = make_face()
    back = words(pdftotext(render_card(face), page=2))
    assert "Scan to check this card" in back and "City of Example" in back
    for personal in ("María", "Pérez", "4829", "1990", "2031", "Shelter", "Main Street"):
        assert personal not in back


def test_gender_and_address_are_printed_only_when_given() -> None:
    with_all = words(pdftotext(render_card(make_face()), page=1))
    assert "GENDER X" in with_all
    assert "c/o Grace Shelter 123 Main Street Example City, NY 10001" in with_all
    bare = words(pdftotext(render_card(make_face(gender=None, address_lines=())), 1))
    assert "GENDER" not in bare and "ADDRESS" not in bare and "Shelter" not in bare


def test_labels_come_from_one_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(pdf.LABELS, "date_of_birth", "Fecha de nacimiento")
    text = words(pdftotext(render_card(make_face()), page=1))
    assert "FECHA DE NACIMIENTO 1990-03-15" in text
