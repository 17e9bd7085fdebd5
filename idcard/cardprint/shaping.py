"""Text on cards: the embedded fonts, font fallback, bidi order and HarfBuzz shaping.

Every line of text is shaped with HarfBuzz (joining, conjuncts, mark positioning,
kerning) and drawn as real text in embedded TrueType subsets, one glyph at a time
at HarfBuzz's positions. A glyph that no character maps to (a conjunct, a joined
Arabic form, a capital-height accent) is given a private-use code in its font, the
way reportlab's own experimental shaping does; such runs are wrapped in an
/ActualText span so copying or extracting the text still yields the name as written.
Simple runs (most Latin, Cyrillic, Greek, Han names) extract without the span.

Fonts live in static/fonts/ (see the README there); they are registered with
reportlab once per process, the first time a character needs them.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

try:
    import uharfbuzz as hb
except ImportError:  # pragma: no cover - uharfbuzz is a dependency; refuse, don't mangle
    hb = None

FONT_DIR = Path(__file__).resolve().parents[2] / "static" / "fonts"


@dataclass(frozen=True)
class FontFile:
    """One embedded font, in fallback order; `latin` fonts get no ligatures."""

    name: str
    file: str
    latin: bool = False


# Fallback order: the first font that has a character prints it. Script fonts come
# before the two big CJK fonts, which also carry (lesser) Latin glyphs.
FONTS: tuple[FontFile, ...] = (
    FontFile("IdSans", "NotoSans-Regular.ttf", latin=True),
    FontFile("IdArabic", "NotoSansArabic-Regular.ttf"),
    FontFile("IdHebrew", "NotoSansHebrew-Regular.ttf"),
    FontFile("IdDevanagari", "NotoSansDevanagari-Regular.ttf"),
    FontFile("IdBengali", "NotoSansBengali-Regular.ttf"),
    FontFile("IdEthiopic", "NotoSansEthiopic-Regular.ttf"),
    FontFile("IdArmenian", "NotoSansArmenian-Regular.ttf"),
    FontFile("IdGeorgian", "NotoSansGeorgian-Regular.ttf"),
    FontFile("IdGurmukhi", "NotoSansGurmukhi-Regular.ttf"),
    FontFile("IdGujarati", "NotoSansGujarati-Regular.ttf"),
    FontFile("IdOriya", "NotoSansOriya-Regular.ttf"),
    FontFile("IdTamil", "NotoSansTamil-Regular.ttf"),
    FontFile("IdTelugu", "NotoSansTelugu-Regular.ttf"),
    FontFile("IdKannada", "NotoSansKannada-Regular.ttf"),
    FontFile("IdMalayalam", "NotoSansMalayalam-Regular.ttf"),
    FontFile("IdSinhala", "NotoSansSinhala-Regular.ttf"),
    FontFile("IdThai", "NotoSansThai-Regular.ttf"),
    FontFile("IdLao", "NotoSansLao-Regular.ttf"),
    FontFile("IdKhmer", "NotoSansKhmer-Regular.ttf"),
    FontFile("IdMyanmar", "NotoSansMyanmar-Regular.ttf"),
    FontFile("IdTibetan", "NotoSerifTibetan-Regular.ttf"),
    FontFile("IdThaana", "NotoSansThaana-Regular.ttf"),
    FontFile("IdSyriac", "NotoSansSyriac-Regular.ttf"),
    FontFile("IdAdlam", "NotoSansAdlam-Regular.ttf"),
    FontFile("IdNKo", "NotoSansNKo-Regular.ttf"),
    FontFile("IdTifinagh", "NotoSansTifinagh-Regular.ttf"),
    FontFile("IdVai", "NotoSansVai-Regular.ttf"),
    FontFile("IdCherokee", "NotoSansCherokee-Regular.ttf"),
    FontFile("IdCanadian", "NotoSansCanadianAboriginal-Regular.ttf"),
    FontFile("IdHan", "DroidSansFallbackFull.ttf"),
    FontFile("IdHangul", "NanumGothic.ttf"),
)
BOLD = FontFile("IdSansBold", "NotoSans-Bold.ttf", latin=True)

# Joiners and variation selectors print with the character before them.
_JOINERS = frozenset((0x200C, 0x200D, 0x034F)) | frozenset(range(0xFE00, 0xFE10))
_NO_LIGATURES = {"liga": False, "clig": False, "dlig": False}
LINE_ASCENT = 1.069  # Noto Sans ascender, in em: where to put a first baseline
LINE_DESCENT = 0.293


class _Font:
    """A font loaded for coverage checks (cheap) and, on first drawing, for reportlab."""

    def __init__(self, spec: FontFile) -> None:
        self.spec = spec
        blob = hb.Blob.from_file_path(str(FONT_DIR / spec.file))
        self.face = hb.Face(blob)
        self.upem = self.face.upem
        self.hb = hb.Font(self.face)
        self.covers = frozenset(self.face.unicodes)
        self.features = _NO_LIGATURES if spec.latin else {}
        self._tt: TTFont | None = None
        self._private = 0xE000
        self._lock = threading.Lock()

    @property
    def tt(self) -> TTFont:
        """Return the reportlab font, registering it on first use."""
        if self._tt is None:
            with self._lock:
                if self._tt is None:
                    font = TTFont(self.spec.name, str(FONT_DIR / self.spec.file))
                    pdfmetrics.registerFont(font)
                    self._tt = font
        return self._tt

    def code_for(self, gid: int, wanted: int | None) -> int:
        """Return a character code that draws glyph gid, adding a private one if needed."""
        face = self.tt.face
        if wanted is not None and face.charToGlyph.get(wanted) == gid:
            return wanted
        chars = face.glyphToChar.get(gid)
        if chars:
            return int(chars[0])
        with self._lock:
            while self._private in face.charToGlyph:
                self._private += 1
            code = self._private
            face.charToGlyph[code] = gid
            face.glyphToChar[gid] = [code]
            face.charWidths[code] = face._pdfScale(face.hmetrics[gid][0])
            return code

    def width(self, code: int) -> float:
        """Return the advance the PDF will use for a code, in em."""
        return float(self.tt.face.charWidths.get(code, self.tt.face.defaultWidth)) / 1000


@cache
def _font(spec: FontFile) -> _Font:
    return _Font(spec)


def fonts() -> list[_Font]:
    """Return the fallback chain, loaded for coverage checks."""
    return [_font(spec) for spec in FONTS]


def register_fonts(specs: Sequence[FontFile] = (FONTS[0], BOLD)) -> None:
    """Load fonts into reportlab now (worker start-up) instead of on first use."""
    for spec in specs:
        _font(spec).tt  # noqa: B018 - the property registers the font


# ----------------------------------------------------------------------------- checks


def glyph_problem(text: str) -> str | None:
    """Return why text cannot be printed faithfully with the embedded fonts, or None."""
    if hb is None:
        return "The card printer cannot shape text (uharfbuzz is missing)."
    text = unicodedata.normalize("NFC", text)
    for c in text:
        problem = _character_problem(c)
        if problem:
            return problem
    for run in shape_line(text).runs:
        if any(g.gid == 0 for g in run.glyphs):
            return f"The letters “{run.text}” cannot be combined as written in the card fonts."
    return None


def _character_problem(c: str) -> str | None:
    category = unicodedata.category(c)
    label = f"U+{ord(c):04X} {unicodedata.name(c, '')}".strip()
    if category in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp") or (
        category == "Cf" and ord(c) not in _JOINERS
    ):
        return f"The name contains a control, private or unassigned character ({label})."
    if not any(ord(c) in f.covers for f in fonts()):
        return f"The character “{c}” ({label}) is not in any font the card printer has."
    return None


# ----------------------------------------------------------------------------- shaping


@dataclass(frozen=True)
class Glyph:
    gid: int
    cluster: int  # index in the run's text of the first character this glyph shows
    code: int  # character code drawing this glyph in the run's font
    x: float  # em from the start of the line
    y: float  # em above the baseline
    width: float  # advance the PDF assigns to `code`, in em


@dataclass(frozen=True)
class Run:
    font: _Font
    text: str  # logical order
    glyphs: tuple[Glyph, ...]  # visual order
    plain: bool  # the glyph codes spell `text`, so no /ActualText is needed


@dataclass(frozen=True)
class ShapedLine:
    text: str
    runs: tuple[Run, ...]  # visual order
    width: float  # em


@lru_cache(maxsize=256)  # labels and the card being drawn; per-card values don't repeat
def shape_line(text: str, bold: bool = False) -> ShapedLine:
    """Shape one line: fonts by fallback, runs in visual order, glyphs positioned in em."""
    text = unicodedata.normalize("NFC", text)
    chain = fonts()
    if bold:
        chain = [_font(BOLD), *chain[1:]]
    pieces = _bidi_runs(text, _assign_fonts(text, chain))
    x = 0.0
    runs = []
    for font, level, chunk in pieces:
        run, x = _shape_run(font, chunk, level % 2 == 1, x)
        runs.append(run)
    return ShapedLine(text, tuple(runs), x)


def _assign_fonts(text: str, chain: list[_Font]) -> list[_Font]:
    """Pick a font per character: strong characters by fallback, the rest follow."""
    chosen: list[_Font | None] = []
    for c in text:
        cp = ord(c)
        if _follows(c):
            chosen.append(None)
        else:
            chosen.append(next((f for f in chain if cp in f.covers), chain[0]))
    result: list[_Font] = []
    for i, c in enumerate(text):
        font = chosen[i]
        if font is None:
            cp = ord(c)
            before = result[-1] if result else None
            after = next((f for f in chosen[i + 1 :] if f is not None), None)
            font = next(
                (f for f in (before, after) if f is not None and cp in f.covers),
                next((f for f in chain if cp in f.covers), chain[0]),
            )
        result.append(font)
    return result


def _follows(c: str) -> bool:
    """Characters that take their neighbours' font: marks, joiners, spaces, punctuation."""
    category = unicodedata.category(c)
    return category[0] in "MZPS" or ord(c) in _JOINERS or "0" <= c <= "9"


def _bidi_levels(text: str) -> list[int]:
    """Resolve embedding levels, a simplified Unicode bidi algorithm (no explicit codes).

    Strong letters set the direction; numbers read left to right; neutrals between two
    runs of one direction take it, others take the paragraph's; marks follow their base.
    Names hardly ever mix directions, so this is enough to keep each script's order.
    """
    classes = [unicodedata.bidirectional(c) for c in text]
    first = next((k for k in classes if k in ("L", "R", "AL")), "L")
    para = 1 if first in ("R", "AL") else 0
    kinds: list[str | None] = []  # "L", "R", "N" (number) or None (neutral)
    last_strong = "R" if para else "L"
    for k in classes:
        if k == "L" or k in ("R", "AL"):
            last_strong = "L" if k == "L" else "R"
            kinds.append(last_strong)
        elif k in ("EN", "AN"):
            kinds.append("N" if last_strong == "R" else "L")
        elif k == "NSM" and kinds:
            kinds.append(kinds[-1])
        else:
            kinds.append(None)
    levels = []
    for i, kind in enumerate(kinds):
        if kind is None:
            before = next((k for k in reversed(kinds[:i]) if k is not None), "R" if para else "L")
            after = next((k for k in kinds[i + 1 :] if k is not None), "R" if para else "L")
            as_rtl = {before.replace("N", "R"), after.replace("N", "R")}
            kind = as_rtl.pop() if len(as_rtl) == 1 else ("R" if para else "L")
        if kind == "R":
            levels.append(1)
        elif kind == "N":
            levels.append(2)
        else:
            levels.append(2 if para else 0)
    return levels


def _bidi_runs(text: str, chosen: list[_Font]) -> list[tuple[_Font, int, str]]:
    """Split into (font, level, text) runs and put them in visual order."""
    levels = _bidi_levels(text)
    runs: list[tuple[_Font, int, str]] = []
    for c, font, level in zip(text, chosen, levels, strict=True):
        if runs and runs[-1][0] is font and runs[-1][1] == level:
            runs[-1] = (font, level, runs[-1][2] + c)
        else:
            runs.append((font, level, c))
    for floor in range(max(levels, default=0), 0, -1):
        i = 0
        while i < len(runs):
            if runs[i][1] >= floor:
                j = i
                while j < len(runs) and runs[j][1] >= floor:
                    j += 1
                runs[i:j] = runs[i:j][::-1]
                i = j
            else:
                i += 1
    return runs


def _shape_run(font: _Font, text: str, rtl: bool, x: float) -> tuple[Run, float]:
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.direction = "rtl" if rtl else "ltr"
    hb.shape(font.hb, buf, font.features)
    scale = 1.0 / font.upem
    glyphs = []
    plain = not rtl and len(buf.glyph_infos) == len(text)
    for i, (info, pos) in enumerate(zip(buf.glyph_infos, buf.glyph_positions, strict=True)):
        wanted = ord(text[info.cluster]) if info.cluster < len(text) else None
        code = font.code_for(info.codepoint, wanted)
        plain = plain and info.cluster == i and code == ord(text[i])
        glyphs.append(
            Glyph(
                gid=info.codepoint,
                cluster=info.cluster,
                code=code,
                x=x + pos.x_offset * scale,
                y=pos.y_offset * scale,
                width=font.width(code),
            )
        )
        x += pos.x_advance * scale
    return Run(font, text, tuple(glyphs), plain), x


# ----------------------------------------------------------------------------- drawing


def draw_line(canvas: Canvas, line: ShapedLine, x: float, y: float, size: float) -> None:
    """Draw a shaped line with its left end at (x, y) on the baseline, in the fill colour."""
    doc: Any = canvas._doc  # reportlab's documented route for dynamic fonts needs the doc
    out: list[str] = []
    for run in line.runs:
        if not run.plain:
            actual = run.text.encode("utf-16-be").hex()
            out.append(f"/Span <</ActualText <FEFF{actual}>>> BDC")
        out.append("BT")
        _emit_run(out, run, doc, x, y, size)
        out.append("ET")
        if not run.plain:
            out.append("EMC")
    canvas.addLiteral("\n".join(out))


def _emit_run(out: list[str], run: Run, doc: Any, x: float, y: float, size: float) -> None:
    tt = run.font.tt
    chars = "".join(chr(g.code) for g in run.glyphs)
    k = 0
    for subset, codes in tt.splitString(chars, doc):
        out.append(f"{tt.getSubsetInternalName(subset, doc)} {fp_str(size)} Tf")
        glyphs = run.glyphs[k : k + len(codes)]
        k += len(codes)
        pen: float | None = None
        pen_y = 0.0
        parts: list[str] = []
        for glyph, code in zip(glyphs, codes, strict=True):
            if pen is None or glyph.y != pen_y:
                if parts:
                    out.append(f"[{' '.join(parts)}] TJ")
                    parts = []
                origin = fp_str(x + glyph.x * size, y + glyph.y * size)
                out.append(f"1 0 0 1 {origin} Tm")
                pen_y = glyph.y
            else:
                gap = round((glyph.x - pen) * 1000, 1)
                if gap:
                    parts.append(fp_str(-gap))
            parts.append(f"<{code:02x}>")
            pen = glyph.x + glyph.width
        if parts:
            out.append(f"[{' '.join(parts)}] TJ")
