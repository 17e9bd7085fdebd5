"""Card text: font fallback per script, bidi order, shaping, extractable text."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops
from reportlab.pdfgen.canvas import Canvas

from idcard.cardprint import pdf, shaping
from idcard.cardprint.shaping import glyph_problem, shape_line
from tests.cardprint.faces import NAMES
from tests.pdfs import rasterize


@pytest.mark.parametrize(
    ("name", "font"),
    [("Łukasz Żółć", "IdSans"), ("Владимир Ёлкин", "IdSans"), ("محمد عبد الله", "IdArabic"),
     ("שרה לוי", "IdHebrew"), ("李小龙", "IdHan"), ("山田 太郎", "IdHan"), ("김민준", "IdHangul"),
     ("अनुराग शर्मा", "IdDevanagari"), ("রবীন্দ্রনাথ ঠাকুর", "IdBengali"), ("አበበ ቢቂላ", "IdEthiopic")],
)
def test_each_script_prints_in_one_run_of_its_font(name: str, font: str) -> None:
    line = shape_line(name)
    assert [run.font.spec.name for run in line.runs] == [font]  # spaces follow their words


def test_mixed_directions_keep_each_word_readable() -> None:
    line = shape_line("Ahmed محمد Ali")
    words = [run.text.strip() for run in line.runs if run.text.strip()]
    assert words == ["Ahmed", "محمد", "Ali"]  # left to right on the card
    fonts = [run.font.spec.name for run in line.runs if run.text.strip()]
    assert fonts == ["IdSans", "IdArabic", "IdSans"]


def test_right_to_left_paragraph_orders_latin_words_after_on_the_left() -> None:
    line = shape_line("محمد Ahmed")
    assert [run.text.strip() for run in line.runs] == ["Ahmed", "محمد"]  # Arabic on the right


def test_latin_marks_are_positioned_by_the_font_not_left_dangling() -> None:
    line = shape_line("Ọ̀")  # capital with a combining grave: needs GPOS mark attachment
    base, mark = line.runs[0].glyphs
    assert mark.y > 0.1  # raised above the capital
    assert base.x < mark.x < base.x + base.width + 0.05


def test_plain_latin_runs_need_no_actual_text_but_shaped_ones_do() -> None:
    assert shape_line("Jean-Baptiste Étienne").runs[0].plain
    assert not shape_line("محمد").runs[0].plain
    assert not shape_line("शर्मा").runs[0].plain


def test_no_ligatures_in_latin_names_so_text_extracts_letter_by_letter() -> None:
    run = shape_line("Fiona Schaeffler").runs[0]
    assert run.plain and "".join(chr(g.code) for g in run.glyphs) == "Fiona Schaeffler"


def test_glyph_problem_accepts_joiners_and_refuses_what_no_font_has() -> None:
    assert glyph_problem("می\u200cخواهم") is None  # Persian zero-width non-joiner
    assert glyph_problem("Ana 😀") is not None
    assert glyph_problem("𠮷田") is not None  # CJK Extension B: not in the embedded fonts


def test_fonts_are_vendored_with_their_licences() -> None:
    for spec in (*shaping.FONTS, shaping.BOLD):
        assert (shaping.FONT_DIR / spec.file).stat().st_size > 10_000
    licences = sorted(p.name for p in shaping.FONT_DIR.glob("LICENSE-*"))
    assert len(licences) == 3
    total = sum(p.stat().st_size for p in shaping.FONT_DIR.iterdir())
    assert total < 25 * 1024 * 1024


# --- shaped scripts: checked by rendering --------------------------------------------


def _render_line(draw: object) -> Image.Image:
    """Rasterize whatever `draw(canvas)` puts on a 400x80 pt page, as grayscale."""
    out = io.BytesIO()
    canvas = pdf.new_canvas(out, (400, 80))
    draw(canvas)  # type: ignore[operator]
    canvas.showPage()
    canvas.save()
    return rasterize(out.getvalue(), dpi=150)[0].convert("L")


def _ours(text: str) -> Image.Image:
    line = shaping.shape_line(text)
    return _render_line(lambda c: shaping.draw_line(c, line, 10, 30, 30))


def _naive(text: str, font: str) -> Image.Image:
    """reportlab's plain drawString: one nominal glyph per character, left to right."""

    def draw(canvas: Canvas) -> None:
        shaping.register_fonts([s for s in shaping.FONTS if s.name == font])
        canvas.setFont(font, 30)
        canvas.drawString(10, 30, text)

    return _render_line(draw)


def _differs(a: Image.Image, b: Image.Image) -> int:
    return sum(ImageChops.difference(a, b).histogram()[65:])


def _ink(image: Image.Image) -> int:
    return sum(image.histogram()[:128])


def test_hebrew_reads_right_to_left() -> None:
    name = "שרה לוי"
    ours = _ours(name)
    mirrored_by_hand = _naive(name[::-1], "IdHebrew")
    assert _ink(ours) > 500
    assert _differs(ours, mirrored_by_hand) < 0.02 * _ink(ours)
    assert _differs(ours, _naive(name, "IdHebrew")) > 0.3 * _ink(ours)


def test_arabic_letters_join_and_read_right_to_left() -> None:
    name = "محمد عبد الله"
    ours = _ours(name)
    isolated_reversed = _naive(name[::-1], "IdArabic")
    unjoined = _ours("\u200c".join(name))  # ZWNJ blocks joining
    assert _ink(ours) > 500
    assert _differs(ours, isolated_reversed) > 0.2 * _ink(ours)
    assert _differs(ours, unjoined) > 0.2 * _ink(ours)
    # The first letter written (meem) is the rightmost glyph, the last one the leftmost.
    glyphs = shaping.shape_line(name).runs[0].glyphs
    assert max(glyphs, key=lambda g: g.x).cluster == 0
    assert min(glyphs, key=lambda g: g.x).cluster == len(name) - 1


@pytest.mark.parametrize(
    ("name", "font", "conjunct"),
    [("अनुराग शर्मा", "IdDevanagari", "र्मा"), ("রবীন্দ্রনাথ ঠাকুর", "IdBengali", "ন্দ্র")],
)
def test_indic_conjuncts_are_shaped(name: str, font: str, conjunct: str) -> None:
    spec = next(s for s in shaping.FONTS if s.name == font)
    hb_font = shaping._font(spec)
    naive = [hb_font.hb.get_nominal_glyph(ord(c)) for c in conjunct]
    shaped = [g.gid for g in shaping.shape_line(conjunct).runs[0].glyphs]
    assert shaped != naive
    assert any(gid not in naive for gid in shaped)  # a conjunct/reph form, not a letter
    ours = _ours(name)
    assert _ink(ours) > 300
    assert _differs(ours, _naive(name, font)) > 0.1 * _ink(ours)
    # A zero-width non-joiner after the virama blocks the conjunct: it must look different.
    broken = name.replace("\u094d", "\u094d\u200c").replace("\u09cd", "\u09cd\u200c")
    assert _differs(ours, _ours(broken)) > 0.1 * _ink(ours)


def test_every_sample_name_renders_without_missing_glyphs() -> None:
    for entry in NAMES:
        line = shaping.shape_line(entry["name"])
        assert all(g.gid != 0 for run in line.runs for g in run.glyphs), entry["name"]
