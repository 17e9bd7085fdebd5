"""Print-ready card PDFs: ID-1 (CR80) front and back, one card per document.

Plain values in, PDF bytes out. Sheets of cards are in `sheet`, batches in `batch`;
fonts, shaping and bidi in `shaping`; where things sit and whether a name fits in
`layout`; the QR matrix in `qr`.
"""

from __future__ import annotations

import io
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from idcard.cardprint import qr, shaping
from idcard.cardprint.face import (
    CARD_HEIGHT,
    CARD_SIZE,
    CARD_WIDTH,
    CardDesign,
    CardFace,
    CardLayoutError,
    group_in_fours,
)
from idcard.cardprint.layout import (
    BAND,
    COLUMN_W,
    COLUMN_X,
    MARGIN,
    NAME_BOX_H,
    NAME_LEADING,
    NAME_MIN,
    PHOTO_H,
    PHOTO_TOP,
    PHOTO_W,
    fit_name,
)
from idcard.cardprint.qr_draw import draw_qr, qr_width
from idcard.errors import N_

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


def new_canvas(out: BinaryIO, pagesize: tuple[float, float]) -> Canvas:
    """Return a canvas set up for speed: compressed, binary streams, no page bookkeeping."""
    rl_config.useA85 = 0  # ASCII85 only inflates binary streams; every reader takes them
    shaping.register_fonts()
    # A TrueType initial font keeps reportlab from adding an unembedded Helvetica.
    canvas = Canvas(out, pagesize=pagesize, pageCompression=1, invariant=1,
                    initialFontName=shaping.FONTS[0].name)
    canvas.setCreator("idcard")
    return canvas


# ----------------------------------------------------------------------------- front

_LABEL_SIZE = 5.0
_VALUE_SIZE = 8.5
_GREY = (0.35, 0.35, 0.35)
_INK = (0.08, 0.08, 0.08)


def draw_front(canvas: Canvas, face: CardFace) -> None:
    """Draw the front of a card with its lower left corner at the origin."""
    design = face.design
    _band(canvas, design, BAND, LABELS["card_title"])
    photo_x, photo_y = MARGIN, PHOTO_TOP - PHOTO_H
    canvas.drawImage(_photo(face.photo_jpeg), photo_x, photo_y, PHOTO_W, PHOTO_H)
    canvas.setStrokeColorRGB(*_GREY)
    canvas.setLineWidth(0.3)
    canvas.rect(photo_x, photo_y, PHOTO_W, PHOTO_H, stroke=1, fill=0)

    y = PHOTO_TOP
    y = _label(canvas, LABELS["name"], COLUMN_X, y)
    fitted = fit_name(face.name)
    if fitted is None:
        raise CardLayoutError(N_("The name is too long to print on the card."))
    lines, size = fitted
    canvas.setFillColorRGB(*_INK)
    baseline = y - size * shaping.LINE_ASCENT * 0.92
    for line in lines:
        shaping.draw_line(canvas, line, COLUMN_X, baseline, size)
        baseline -= size * NAME_LEADING
    y -= NAME_BOX_H + 2

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
    width = CARD_WIDTH - 2 * MARGIN
    if design.logo_path is not None:
        logo = _logo(design.logo_path)
        side = height - 2 * mm
        canvas.drawImage(logo, CARD_WIDTH - MARGIN - side, CARD_HEIGHT - height + 1 * mm,
                         side, side, mask="auto", preserveAspectRatio=True)
        width -= side + 2 * mm
    canvas.setFillColorRGB(*_on(primary))
    city = shaping.shape_line(design.city_name, bold=True)
    size = min(11.0, width / max(city.width, 1e-6))
    top = CARD_HEIGHT - height
    shaping.draw_line(canvas, city, MARGIN, top + height * 0.5, size)
    sub = shaping.shape_line(subtitle.upper())
    shaping.draw_line(canvas, sub, MARGIN, top + height * 0.18,
                        min(5.5, width / max(sub.width, 1e-6)))


def _label(canvas: Canvas, text: str, x: float, top: float) -> float:
    canvas.setFillColorRGB(*_GREY)
    line = shaping.shape_line(text.upper())
    shaping.draw_line(canvas, line, x, top - _LABEL_SIZE * 0.8, _LABEL_SIZE)
    return top - _LABEL_SIZE * 1.1


def _field_row(
    canvas: Canvas,
    fields: list[tuple[str, str]],
    top: float,
    offsets: tuple[float, ...],
    size: float = _VALUE_SIZE,
) -> float:
    for (label, value), dx in zip(fields, offsets, strict=False):
        y = _label(canvas, label, COLUMN_X + dx, top)
        canvas.setFillColorRGB(*_INK)
        line = shaping.shape_line(value)
        shaping.draw_line(canvas, line, COLUMN_X + dx, y - size * 0.85, size)
    return top - _LABEL_SIZE * 1.1 - size * 1.15 - 2


def _address(canvas: Canvas, lines: tuple[str, ...], top: float) -> None:
    y = _label(canvas, LABELS["address"], COLUMN_X, top)
    room = y - 2.2 * mm
    size = min(7.0, room / (len(lines) * 1.15))
    shaped = [shaping.shape_line(text) for text in lines]
    widest = max(line.width for line in shaped)
    size = min(size, COLUMN_W / max(widest, 1e-6))
    if size < NAME_MIN:
        raise CardLayoutError(N_("The address is too long to print on the card."))
    canvas.setFillColorRGB(*_INK)
    for line in shaped:
        y -= size * 1.15
        shaping.draw_line(canvas, line, COLUMN_X, y + size * 0.25, size)


# ----------------------------------------------------------------------------- back


def draw_back(canvas: Canvas, face: CardFace) -> None:
    """Draw the back: city band, the QR code as vectors and a line on how to check."""
    design = face.design
    _band(canvas, design, BAND, LABELS["card_title"])
    matrix = qr.encode(face.qr_text, "M")
    width = qr_width(matrix.size)
    room_top = CARD_HEIGHT - BAND - 1 * mm
    x = MARGIN
    y = (room_top - width) / 2
    draw_qr(canvas, matrix, x, y, width)

    text_x = x + width + 3 * mm
    text_w = CARD_WIDTH - text_x - MARGIN
    canvas.setFillColorRGB(*_INK)
    heading = shaping.shape_line(LABELS["scan"], bold=True)
    size = min(9.0, text_w / heading.width)
    top = y + width - 4 * mm
    shaping.draw_line(canvas, heading, text_x, top, size)
    canvas.setFillColorRGB(*_GREY)
    help_size = 6.0
    for i, line in enumerate(_wrap(LABELS["scan_help"], text_w, help_size)):
        shaping.draw_line(canvas, line, text_x, top - size * 0.6 - (i + 1) * help_size * 1.3,
                            help_size)
    canvas.setFillColorRGB(*_rgb(design.primary_rgb))
    canvas.rect(0, 0, CARD_WIDTH, 1.5 * mm, stroke=0, fill=1)


def _wrap(text: str, width: float, size: float) -> list[shaping.ShapedLine]:
    lines: list[shaping.ShapedLine] = []
    current: list[str] = []
    for word in text.split():
        trial = shaping.shape_line(" ".join([*current, word]))
        if current and trial.width * size > width:
            lines.append(shaping.shape_line(" ".join(current)))
            current = [word]
        else:
            current.append(word)
    if current:
        lines.append(shaping.shape_line(" ".join(current)))
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


