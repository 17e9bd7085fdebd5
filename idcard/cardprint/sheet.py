"""Sheets of cards with cut marks, for offices without a card printer.

Up to ten cards a page on Letter or A4: a page of fronts, then a page of their backs
mirrored so that long-edge duplex puts each back behind its front.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from idcard.cardprint import pdf
from idcard.cardprint.face import CARD_HEIGHT, CARD_WIDTH, CardFace, Paper

PAPERS = {"letter": LETTER, "a4": A4}
COLUMNS, ROWS = 2, 5
CARDS_PER_SHEET = COLUMNS * ROWS
COLUMN_GAP = 6 * mm  # rows touch: one cut separates them; columns get a gutter
MARK_LENGTH = 3 * mm
MARK_OFFSET = 1 * mm  # marks stop short of the cards so they never print on one


@dataclass(frozen=True)
class Slot:
    """Where a card sits on a sheet: lower-left corner of its front and of its back."""

    front: tuple[float, float]
    back: tuple[float, float]


def slots(paper: Paper) -> list[Slot]:
    """Return the card positions, left to right and top to bottom on the fronts page.

    Backs are mirrored left-right so that after long-edge duplex each back lands
    behind its front.
    """
    page_w, page_h = PAPERS[paper]
    grid_w = COLUMNS * CARD_WIDTH + (COLUMNS - 1) * COLUMN_GAP
    left = (page_w - grid_w) / 2
    top = (page_h + ROWS * CARD_HEIGHT) / 2
    result = []
    for row in range(ROWS):
        y = top - (row + 1) * CARD_HEIGHT
        for col in range(COLUMNS):
            x = left + col * (CARD_WIDTH + COLUMN_GAP)
            result.append(Slot(front=(x, y), back=(page_w - x - CARD_WIDTH, y)))
    return result


def render_sheet(faces: list[CardFace], paper: Paper) -> bytes:
    """Return a two-page PDF: up to ten fronts with cut marks, then their backs."""
    out = io.BytesIO()
    canvas = pdf.new_canvas(out, PAPERS[paper])
    places = slots(paper)
    for side in ("front", "back"):
        for face, slot in zip(faces, places, strict=False):
            x, y = slot.front if side == "front" else slot.back
            canvas.saveState()
            canvas.translate(x, y)
            (pdf.draw_front if side == "front" else pdf.draw_back)(canvas, face)
            canvas.restoreState()
        _cut_marks(canvas, paper, side)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _cut_marks(canvas: Canvas, paper: Paper, side: str) -> None:
    page_w, _ = PAPERS[paper]
    places = slots(paper)
    xs = sorted({p.front[0] if side == "front" else p.back[0] for p in places})
    edges_x = sorted({*xs, *(x + CARD_WIDTH for x in xs)})
    edges_y = sorted({p.front[1] for p in places} | {places[0].front[1] + CARD_HEIGHT})
    low, high = edges_y[0], edges_y[-1]
    left, right = edges_x[0], edges_x[-1]
    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.setLineWidth(0.25)
    for x in edges_x:
        canvas.line(x, high + MARK_OFFSET, x, high + MARK_OFFSET + MARK_LENGTH)
        canvas.line(x, low - MARK_OFFSET, x, low - MARK_OFFSET - MARK_LENGTH)
    for y in edges_y:
        canvas.line(left - MARK_OFFSET, y, left - MARK_OFFSET - MARK_LENGTH, y)
        canvas.line(right + MARK_OFFSET, y, right + MARK_OFFSET + MARK_LENGTH, y)



