"""Card text: font fallback per script, bidi order, shaping, extractable text."""

from __future__ import annotations

import pytest

from idcard.issuance import card_text
from idcard.issuance.card_text import glyph_problem, shape_line


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
    for spec in (*card_text.FONTS, card_text.BOLD):
        assert (card_text.FONT_DIR / spec.file).stat().st_size > 10_000
    licences = sorted(p.name for p in card_text.FONT_DIR.glob("LICENSE-*"))
    assert len(licences) == 3
    total = sum(p.stat().st_size for p in card_text.FONT_DIR.iterdir())
    assert total < 25 * 1024 * 1024
