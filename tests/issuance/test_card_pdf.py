"""Card PDFs: CR80 pages, a scannable vector QR, faithful names in every script."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from PIL import Image, ImageChops
from reportlab.pdfgen.canvas import Canvas

from idcard.issuance import card_pdf, card_text
from idcard.issuance.card_pdf import CardLayoutError, render_card, unprintable_reason
from tests.issuance.card_helpers import NAMES, make_face, pdftotext, rasterize, words

DPI = 300
MM_PER_PX = 25.4 / DPI


def _names(*scripts: str) -> list[str]:
    return [n["name"] for n in NAMES if n["script"] in scripts]


def test_card_has_two_pages_of_cr80_size(tmp_path: Path) -> None:
    pdf = render_card(make_face())
    reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(242.65, abs=0.01)
        assert float(page.mediabox.height) == pytest.approx(153.01, abs=0.01)
    for image in rasterize(pdf, tmp_path):
        width, height = image.size
        assert abs(width - 1011) <= 2 and abs(height - 638) <= 2


def test_back_qr_decodes_to_exactly_the_qr_text_and_is_at_least_20_mm(tmp_path: Path) -> None:
    face = make_face()
    back = rasterize(render_card(face), tmp_path)[1]
    found = zxingcpp.read_barcodes(back)
    assert [b.text for b in found] == [face.qr_text]
    assert found[0].ec_level == "M"
    symbol_px = _symbol_width_px(found[0])
    version = card_pdf.card_qr.encode(face.qr_text).version
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
def test_front_text_holds_the_exact_name_number_and_dates(name: str, tmp_path: Path) -> None:
    pdf = render_card(make_face(name=name))
    text = words(pdftotext(pdf, tmp_path, page=1))
    assert words(unicodedata.normalize("NFC", name)) in text
    assert "4829 1357 0164" in text
    assert "1990-03-15" in text and "2031-05-01" in text


@pytest.mark.parametrize("name", _names("Latin", "Cyrillic", "Greek"))
def test_pypdf_extracts_the_same_name(name: str) -> None:
    pdf = render_card(make_face(name=name))
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert words(unicodedata.normalize("NFC", name)) in words(unicodedata.normalize("NFC", text))


def test_the_longest_name_is_printed_whole(tmp_path: Path) -> None:
    name = max((n["name"] for n in NAMES), key=len)
    pdf = render_card(make_face(name=name))
    text = words(pdftotext(pdf, tmp_path, page=1))
    assert name in text  # every word, in order
    lines, size = card_pdf._fit_name(name)  # type: ignore[misc]
    assert 2 <= len(lines) <= 3 and size >= 6


def test_a_name_too_long_for_one_line_wraps_to_two_at_full_size() -> None:
    fitted = card_pdf._fit_name("María José Pérez-Rodríguez")
    assert fitted is not None
    lines, size = fitted
    assert [line.text for line in lines] == ["María José", "Pérez-Rodríguez"]
    assert size == card_pdf._NAME_MAX


def test_a_name_that_cannot_fit_is_refused_not_cut() -> None:
    name = " ".join(["Wolfeschlegelsteinhausenbergerdorff"] * 12)
    assert unprintable_reason(name) is not None
    with pytest.raises(CardLayoutError):
        render_card(make_face(name=name))


def test_all_fonts_are_embedded(tmp_path: Path) -> None:
    faces = [make_face(name=n["name"]) for n in NAMES]
    source = tmp_path / "all.pdf"
    source.write_bytes(card_pdf.render_sheet(faces, "letter"))
    listing = subprocess.run(["pdffonts", str(source)], check=True, capture_output=True,
                             text=True).stdout.splitlines()[2:]
    assert len(listing) >= 9  # Latin, Arabic, Hebrew, Indic, Ethiopic, Han, Hangul ...
    for row in listing:
        assert re.search(r"\bTrueType\b.*\byes yes yes\b", row), row


def test_back_carries_nothing_personal(tmp_path: Path) -> None:
    face = make_face()
    back = words(pdftotext(render_card(face), tmp_path, page=2))
    assert "Scan to check this card" in back and "City of Example" in back
    for personal in ("María", "Pérez", "4829", "1990", "2031", "Shelter", "Main Street"):
        assert personal not in back


def test_gender_and_address_are_printed_only_when_given(tmp_path: Path) -> None:
    with_all = words(pdftotext(render_card(make_face()), tmp_path, page=1))
    assert "GENDER X" in with_all
    assert "c/o Grace Shelter 123 Main Street Example City, NY 10001" in with_all
    bare = words(pdftotext(render_card(make_face(gender=None, address_lines=())), tmp_path, 1))
    assert "GENDER" not in bare and "ADDRESS" not in bare and "Shelter" not in bare


def test_labels_come_from_one_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(card_pdf.LABELS, "date_of_birth", "Fecha de nacimiento")
    text = words(pdftotext(render_card(make_face()), tmp_path, page=1))
    assert "FECHA DE NACIMIENTO 1990-03-15" in text


# --- shaped scripts: checked by rendering --------------------------------------------


def _render_line(draw: object, tmp_path: Path, name: str) -> Image.Image:
    """Rasterize whatever `draw(canvas)` puts on a 400x80 pt page, as grayscale."""
    out = io.BytesIO()
    canvas = card_pdf.new_canvas(out, (400, 80))
    draw(canvas)  # type: ignore[operator]
    canvas.showPage()
    canvas.save()
    folder = tmp_path / name
    folder.mkdir()
    return rasterize(out.getvalue(), folder, dpi=150)[0].convert("L")


def _ours(tmp_path: Path, text: str, name: str) -> Image.Image:
    line = card_text.shape_line(text)
    return _render_line(lambda c: card_text.draw_line(c, line, 10, 30, 30), tmp_path, name)


def _naive(tmp_path: Path, text: str, font: str, name: str) -> Image.Image:
    """reportlab's plain drawString: one nominal glyph per character, left to right."""

    def draw(canvas: Canvas) -> None:
        card_text.register_fonts([s for s in card_text.FONTS if s.name == font])
        canvas.setFont(font, 30)
        canvas.drawString(10, 30, text)

    return _render_line(draw, tmp_path, name)


def _differs(a: Image.Image, b: Image.Image) -> int:
    return sum(ImageChops.difference(a, b).histogram()[65:])


def _ink(image: Image.Image) -> int:
    return sum(image.histogram()[:128])


def test_hebrew_reads_right_to_left(tmp_path: Path) -> None:
    name = "שרה לוי"
    ours = _ours(tmp_path, name, "ours")
    mirrored_by_hand = _naive(tmp_path, name[::-1], "IdHebrew", "reversed")
    assert _ink(ours) > 500
    assert _differs(ours, mirrored_by_hand) < 0.02 * _ink(ours)
    assert _differs(ours, _naive(tmp_path, name, "IdHebrew", "logical")) > 0.3 * _ink(ours)


def test_arabic_letters_join_and_read_right_to_left(tmp_path: Path) -> None:
    name = "محمد عبد الله"
    ours = _ours(tmp_path, name, "ours")
    isolated_reversed = _naive(tmp_path, name[::-1], "IdArabic", "isolated")
    unjoined = _ours(tmp_path, "\u200c".join(name), "unjoined")  # ZWNJ blocks joining
    assert _ink(ours) > 500
    assert _differs(ours, isolated_reversed) > 0.2 * _ink(ours)
    assert _differs(ours, unjoined) > 0.2 * _ink(ours)
    # The first letter written (meem) is the rightmost glyph, the last one the leftmost.
    glyphs = card_text.shape_line(name).runs[0].glyphs
    assert max(glyphs, key=lambda g: g.x).cluster == 0
    assert min(glyphs, key=lambda g: g.x).cluster == len(name) - 1


@pytest.mark.parametrize(
    ("name", "font", "conjunct"),
    [("अनुराग शर्मा", "IdDevanagari", "र्मा"), ("রবীন্দ্রনাথ ঠাকুর", "IdBengali", "ন্দ্র")],
)
def test_indic_conjuncts_are_shaped(name: str, font: str, conjunct: str, tmp_path: Path) -> None:
    spec = next(s for s in card_text.FONTS if s.name == font)
    hb_font = card_text._font(spec)
    naive = [hb_font.hb.get_nominal_glyph(ord(c)) for c in conjunct]
    shaped = [g.gid for g in card_text.shape_line(conjunct).runs[0].glyphs]
    assert shaped != naive
    assert any(gid not in naive for gid in shaped)  # a conjunct/reph form, not a letter
    ours = _ours(tmp_path, name, "ours")
    assert _ink(ours) > 300
    assert _differs(ours, _naive(tmp_path, name, font, "naive")) > 0.1 * _ink(ours)
    # A zero-width non-joiner after the virama blocks the conjunct: it must look different.
    broken = name.replace("\u094d", "\u094d\u200c").replace("\u09cd", "\u09cd\u200c")
    assert _differs(ours, _ours(tmp_path, broken, "broken")) > 0.1 * _ink(ours)


def test_every_sample_name_renders_without_missing_glyphs(tmp_path: Path) -> None:
    for entry in NAMES:
        line = card_text.shape_line(entry["name"])
        assert all(g.gid != 0 for run in line.runs for g in run.glyphs), entry["name"]


# --- refusing what cannot be printed ---------------------------------------------------


@pytest.mark.parametrize("name", [n["name"] for n in NAMES])
def test_every_sample_name_is_printable(name: str) -> None:
    assert unprintable_reason(name) is None


@pytest.mark.parametrize(
    "name",
    ["Ana 😀 Lopez", "𒀀𒀁 Cuneiform", "𐀀𐀁 Linear B", "Ana\u0000Lopez", "Ana\u202eLopez",
     "Ana \ue000", "", "   "],
)
def test_unprintable_names_are_refused_with_a_reason(name: str) -> None:
    reason = unprintable_reason(name)
    assert reason is not None and len(reason) > 10


def test_refusal_names_the_character() -> None:
    reason = unprintable_reason("Ana 😀")
    assert reason is not None and "U+1F600" in reason
