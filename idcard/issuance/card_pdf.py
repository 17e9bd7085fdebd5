"""Print-ready card PDFs: ID-1 (CR80) front and back, one card per document.

Pure domain code: plain values in, PDF bytes out. Sheets of cards and streaming batch
printing live in `card_sheet`; fonts, shaping and bidi in `card_text`; the QR
matrix in `card_qr`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Literal

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from idcard.errors import N_, UserError
from idcard.issuance import card_qr, card_text
from idcard.issuance.card_numbers import group_in_fours
from idcard.issuance.card_qr_draw import draw_qr, qr_width

CARD_WIDTH = 85.6 * mm
CARD_HEIGHT = 53.98 * mm
CARD_SIZE = (CARD_WIDTH, CARD_HEIGHT)

# Every word printed on a card, in one place, marked for translation (printed in
# English for now: one card serves readers of every language).
LABELS = {
    "card_title": N_("Resident identification card"),
    "name": N_("Name"),
    "date_of_birth": N_("Date of birth"),
    "expires": N_("Expires"),
    "gender": N_("Gender"),
    "card_number": N_("Card number"),
    "address": N_("Address"),
    "scan": N_("Scan to check this card"),
    "scan_help": N_(
        "Point any phone camera at the code. The check runs on the phone "
        "and nothing about it is recorded."
    ),
}

Layout = Literal["card", "letter", "a4"]


@dataclass(frozen=True)
class CardDesign:
    """The city's look, from settings: name, colours (0-255 RGB) and an optional logo."""

    city_name: str
    primary_rgb: tuple[int, int, int] = (0, 76, 140)
    accent_rgb: tuple[int, int, int] = (242, 169, 0)
    logo_path: Path | None = None


@dataclass(frozen=True)
class CardFace:
    """What one card shows; photo_jpeg is the normalized 600x800 JPEG."""

    name: str
    date_of_birth: date
    card_number: str
    expires_on: date
    photo_jpeg: bytes
    qr_text: str
    design: CardDesign
    gender: str | None = None
    address_lines: tuple[str, ...] = ()


class CardLayoutError(UserError):
    """Something on the face cannot be printed whole; nothing is cut silently."""


def render_card(face: CardFace) -> bytes:
    """Return a two-page PDF (front, back) of one card at ID-1 size."""
    out = io.BytesIO()
    canvas = new_canvas(out, CARD_SIZE)
    draw_front(canvas, face)
    canvas.showPage()
    draw_back(canvas, face)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def render_sheet(faces: Iterable[CardFace], paper: Literal["letter", "a4"]) -> bytes:
    """Return sheets of cards with cut marks: each fronts page followed by its backs."""
    from idcard.issuance import card_sheet

    out = io.BytesIO()
    card_sheet.write_cards(faces, out, layout=paper, workers=0)
    return out.getvalue()


def write_cards(
    faces: Iterable[CardFace],
    out: BinaryIO,
    *,
    layout: Layout,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> int:
    """Stream any number of cards into one PDF in constant memory; return the count."""
    from idcard.issuance import card_sheet

    return card_sheet.write_cards(faces, out, layout=layout, progress=progress, workers=workers)


def unprintable_reason(name: str) -> str | None:
    """Return why a name cannot be printed faithfully on a card, or None if it can."""
    if not name.strip():
        return N_("The name is empty.")
    problem = card_text.glyph_problem(name)
    if problem:
        return problem
    if _fit_name(name) is None:
        return N_("The name is too long to print on the card, even in small type.")
    return None


def new_canvas(out: BinaryIO, pagesize: tuple[float, float]) -> Canvas:
    """Return a canvas set up for speed: compressed, binary streams, no page bookkeeping."""
    rl_config.useA85 = 0  # ASCII85 only inflates binary streams; every reader takes them
    card_text.register_fonts()
    # A TrueType initial font keeps reportlab from adding an unembedded Helvetica.
    canvas = Canvas(out, pagesize=pagesize, pageCompression=1, invariant=1,
                    initialFontName=card_text.FONTS[0].name)
    canvas.setCreator("idcard")
    return canvas


# ----------------------------------------------------------------------------- front

_MARGIN = 4 * mm
_BAND = 10 * mm
_PHOTO_W = 20 * mm
_PHOTO_H = 26.67 * mm
_PHOTO_TOP = CARD_HEIGHT - 13 * mm
_COLUMN_X = _MARGIN + _PHOTO_W + 4 * mm
_COLUMN_W = CARD_WIDTH - _COLUMN_X - _MARGIN
_NAME_MAX = 12.0
_NAME_READABLE = 6.0  # below this, a third line is allowed for a bigger size
_NAME_MIN = 4.5
_NAME_LEADING = 1.15
_NAME_BOX_H = 2 * _NAME_MAX * _NAME_LEADING
_LABEL_SIZE = 5.0
_VALUE_SIZE = 8.5
_GREY = (0.35, 0.35, 0.35)
_INK = (0.08, 0.08, 0.08)


def draw_front(canvas: Canvas, face: CardFace) -> None:
    """Draw the front of a card with its lower left corner at the origin."""
    design = face.design
    _band(canvas, design, _BAND, LABELS["card_title"])
    photo_x, photo_y = _MARGIN, _PHOTO_TOP - _PHOTO_H
    canvas.drawImage(_photo(face.photo_jpeg), photo_x, photo_y, _PHOTO_W, _PHOTO_H)
    canvas.setStrokeColorRGB(*_GREY)
    canvas.setLineWidth(0.3)
    canvas.rect(photo_x, photo_y, _PHOTO_W, _PHOTO_H, stroke=1, fill=0)

    y = _PHOTO_TOP
    y = _label(canvas, LABELS["name"], _COLUMN_X, y)
    fitted = _fit_name(face.name)
    if fitted is None:
        raise CardLayoutError(N_("The name is too long to print on the card."))
    lines, size = fitted
    canvas.setFillColorRGB(*_INK)
    baseline = y - size * card_text.LINE_ASCENT * 0.92
    for line in lines:
        card_text.draw_line(canvas, line, _COLUMN_X, baseline, size)
        baseline -= size * _NAME_LEADING
    y -= _NAME_BOX_H + 2

    columns = [
        (LABELS["date_of_birth"], format_date(face.date_of_birth)),
        (LABELS["expires"], format_date(face.expires_on)),
    ]
    if face.gender:
        columns.append((LABELS["gender"], face.gender))
    y = _field_row(canvas, columns, y, (0, 22 * mm, 42 * mm))
    y = _field_row(canvas, [(LABELS["card_number"], group_in_fours(face.card_number))], y,
                   (0,), size=10.0)
    if face.address_lines:
        _address(canvas, face.address_lines, y)
    canvas.setFillColorRGB(*_rgb(design.primary_rgb))
    canvas.rect(0, 0, CARD_WIDTH, 1.5 * mm, stroke=0, fill=1)


def _band(canvas: Canvas, design: CardDesign, height: float, subtitle: str) -> None:
    primary = _rgb(design.primary_rgb)
    canvas.setFillColorRGB(*primary)
    canvas.rect(0, CARD_HEIGHT - height, CARD_WIDTH, height, stroke=0, fill=1)
    canvas.setFillColorRGB(*_rgb(design.accent_rgb))
    canvas.rect(0, CARD_HEIGHT - height - 1 * mm, CARD_WIDTH, 1 * mm, stroke=0, fill=1)
    width = CARD_WIDTH - 2 * _MARGIN
    if design.logo_path is not None:
        logo = _logo(design.logo_path)
        side = height - 2 * mm
        canvas.drawImage(logo, CARD_WIDTH - _MARGIN - side, CARD_HEIGHT - height + 1 * mm,
                         side, side, mask="auto", preserveAspectRatio=True)
        width -= side + 2 * mm
    canvas.setFillColorRGB(*_on(primary))
    city = card_text.shape_line(design.city_name, bold=True)
    size = min(11.0, width / max(city.width, 1e-6))
    top = CARD_HEIGHT - height
    card_text.draw_line(canvas, city, _MARGIN, top + height * 0.5, size)
    sub = card_text.shape_line(subtitle.upper())
    card_text.draw_line(canvas, sub, _MARGIN, top + height * 0.18,
                        min(5.5, width / max(sub.width, 1e-6)))


def _label(canvas: Canvas, text: str, x: float, top: float) -> float:
    canvas.setFillColorRGB(*_GREY)
    line = card_text.shape_line(text.upper())
    card_text.draw_line(canvas, line, x, top - _LABEL_SIZE * 0.8, _LABEL_SIZE)
    return top - _LABEL_SIZE * 1.1


def _field_row(
    canvas: Canvas,
    fields: list[tuple[str, str]],
    top: float,
    offsets: tuple[float, ...],
    size: float = _VALUE_SIZE,
) -> float:
    for (label, value), dx in zip(fields, offsets, strict=False):
        y = _label(canvas, label, _COLUMN_X + dx, top)
        canvas.setFillColorRGB(*_INK)
        line = card_text.shape_line(value)
        card_text.draw_line(canvas, line, _COLUMN_X + dx, y - size * 0.85, size)
    return top - _LABEL_SIZE * 1.1 - size * 1.15 - 2


def _address(canvas: Canvas, lines: tuple[str, ...], top: float) -> None:
    y = _label(canvas, LABELS["address"], _COLUMN_X, top)
    room = y - 2.2 * mm
    size = min(7.0, room / (len(lines) * 1.15))
    shaped = [card_text.shape_line(text) for text in lines]
    widest = max(line.width for line in shaped)
    size = min(size, _COLUMN_W / max(widest, 1e-6))
    if size < _NAME_MIN:
        raise CardLayoutError(N_("The address is too long to print on the card."))
    canvas.setFillColorRGB(*_INK)
    for line in shaped:
        y -= size * 1.15
        card_text.draw_line(canvas, line, _COLUMN_X, y + size * 0.25, size)


def _fit_name(name: str) -> tuple[list[card_text.ShapedLine], float] | None:
    """Choose lines and size for the name: one line, else two, shrinking; never cut."""
    words = name.split()
    best: tuple[list[card_text.ShapedLine], float] | None = None
    for count in range(1, min(3, len(words)) + 1):
        lines = _balanced(words, count)
        widest = max(line.width for line in lines)
        height_limit = _NAME_BOX_H / (count * _NAME_LEADING) if count > 1 else _NAME_MAX
        size = min(_NAME_MAX, _COLUMN_W / max(widest, 1e-6), height_limit)
        if best is None or size > best[1] + 0.01:
            if count == 3 and best is not None and best[1] >= _NAME_READABLE:
                break
            best = (lines, size)
        if best[1] >= _NAME_MAX:
            break
    if best is None or best[1] < _NAME_MIN:
        return None
    return best


def _balanced(words: list[str], count: int) -> list[card_text.ShapedLine]:
    """Split words into `count` lines whose widest line is as narrow as possible."""
    if count == 1:
        return [card_text.shape_line(" ".join(words))]
    widths = [card_text.shape_line(w).width for w in words]
    space = card_text.shape_line("a b").width - card_text.shape_line("ab").width

    def width(i: int, j: int) -> float:
        return sum(widths[i:j]) + space * (j - i - 1)

    n = len(words)
    cuts: tuple[int, ...]
    if count == 2:
        cuts = min(((k,) for k in range(1, n)), key=lambda c: max(width(0, c[0]), width(c[0], n)))
    else:
        cuts = min(
            ((a, b) for a in range(1, n - 1) for b in range(a + 1, n)),
            key=lambda c: max(width(0, c[0]), width(c[0], c[1]), width(c[1], n)),
        )
    bounds = [0, *cuts, n]
    pairs = zip(bounds, bounds[1:], strict=False)
    return [card_text.shape_line(" ".join(words[a:b])) for a, b in pairs]


# ----------------------------------------------------------------------------- back


def draw_back(canvas: Canvas, face: CardFace) -> None:
    """Draw the back: city band, the QR code as vectors and a line on how to check."""
    design = face.design
    _band(canvas, design, _BAND, LABELS["card_title"])
    matrix = card_qr.encode(face.qr_text, "M")
    width = qr_width(matrix.size)
    room_top = CARD_HEIGHT - _BAND - 1 * mm
    x = _MARGIN
    y = (room_top - width) / 2
    draw_qr(canvas, matrix, x, y, width)

    text_x = x + width + 3 * mm
    text_w = CARD_WIDTH - text_x - _MARGIN
    canvas.setFillColorRGB(*_INK)
    heading = card_text.shape_line(LABELS["scan"], bold=True)
    size = min(9.0, text_w / heading.width)
    top = y + width - 4 * mm
    card_text.draw_line(canvas, heading, text_x, top, size)
    canvas.setFillColorRGB(*_GREY)
    help_size = 6.0
    for i, line in enumerate(_wrap(LABELS["scan_help"], text_w, help_size)):
        card_text.draw_line(canvas, line, text_x, top - size * 0.6 - (i + 1) * help_size * 1.3,
                            help_size)
    canvas.setFillColorRGB(*_rgb(design.primary_rgb))
    canvas.rect(0, 0, CARD_WIDTH, 1.5 * mm, stroke=0, fill=1)


def _wrap(text: str, width: float, size: float) -> list[card_text.ShapedLine]:
    lines: list[card_text.ShapedLine] = []
    current: list[str] = []
    for word in text.split():
        trial = card_text.shape_line(" ".join([*current, word]))
        if current and trial.width * size > width:
            lines.append(card_text.shape_line(" ".join(current)))
            current = [word]
        else:
            current.append(word)
    if current:
        lines.append(card_text.shape_line(" ".join(current)))
    return lines


# ----------------------------------------------------------------------------- helpers


def format_date(value: date) -> str:
    """Print dates as ISO 8601 (1990-03-15): the same for every reader, no translation."""
    return value.isoformat()


class JpegImage(ImageReader):
    """A JPEG that reportlab embeds as it is (DCTDecode), never decoding its pixels.

    reportlab embeds a JPEG's bytes as they are, but to name the image within the
    PDF it digests the decoded RGB pixels, which costs more than the rest of a card.
    """

    def __init__(self, jpeg: bytes) -> None:
        super().__init__(io.BytesIO(jpeg))
        self._jpeg = jpeg
        self._dataA = None  # no alpha channel: JPEG

    def getRGBData(self) -> bytes:  # noqa: N802 - reportlab's name
        return self._jpeg  # only used to name (deduplicate) the image within a PDF


def _photo(jpeg: bytes) -> ImageReader:
    return JpegImage(jpeg)


@lru_cache(maxsize=16)
def _logo(path: Path) -> ImageReader:
    return ImageReader(str(path))


def _rgb(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    r, g, b = rgb
    return r / 255, g / 255, b / 255


def _on(background: tuple[float, float, float]) -> tuple[float, float, float]:
    """Return white or near-black, whichever reads better on the background."""
    r, g, b = background
    return (1, 1, 1) if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.6 else _INK


