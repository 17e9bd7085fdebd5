"""Sheets of ten cards with cut marks, backs mirrored for duplex."""

from __future__ import annotations

import io

import pypdf
import pytest
import zxingcpp
from reportlab.lib.units import mm

from idcard.cardprint import sheet
from idcard.cardprint.face import CARD_HEIGHT, CARD_WIDTH
from tests.cardprint.faces import sample_faces
from tests.pdfs import pdftotext, rasterize, words

DPI = 150
PT_PER_PX = 72 / DPI
PAGE_SIZES = {"letter": (612.0, 792.0), "a4": (595.28, 841.89)}


def _card_index(text: str) -> int:
    return int(text.split("#CARD")[1][:2])


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_sheet_pages_have_the_paper_size(paper: str) -> None:
    pdf = sheet.render_sheet(sample_faces(3), paper)  # type: ignore[arg-type]
    reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)
    assert len(reader.pages) == 2
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (width, height) == pytest.approx(PAGE_SIZES[paper], abs=0.01)


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_each_back_lands_behind_its_front_after_long_edge_duplex(paper: str) -> None:
    faces = sample_faces(10)
    pdf = sheet.render_sheet(faces, paper)  # type: ignore[arg-type]
    front_text = words(pdftotext(pdf, page=1))
    assert all(f"Card Holder {k:02d}" in front_text for k in range(10))
    front, back = rasterize(pdf, dpi=DPI)
    page_w, page_h = PAGE_SIZES[paper]
    found = zxingcpp.read_barcodes(back)
    assert sorted(_card_index(b.text) for b in found) == list(range(10))
    places = sheet.slots(paper)  # type: ignore[arg-type]
    for barcode in found:
        p = barcode.position
        cx = (p.top_left.x + p.bottom_right.x) / 2 * PT_PER_PX
        cy = page_h - (p.top_left.y + p.bottom_right.y) / 2 * PT_PER_PX
        mirrored_x = page_w - cx  # where this point sits once the sheet is turned over
        fx, fy = places[_card_index(barcode.text)].front
        assert fx < mirrored_x < fx + CARD_WIDTH and fy < cy < fy + CARD_HEIGHT


def test_sheet_front_has_cut_marks_outside_the_cards() -> None:
    pdf = sheet.render_sheet(sample_faces(10), "letter")
    front = rasterize(pdf, dpi=DPI)[0].convert("L")
    places = sheet.slots("letter")
    page_h = PAGE_SIZES["letter"][1]
    top = places[0].front[1] + CARD_HEIGHT
    bottom = places[-1].front[1]
    mark = sheet.MARK_OFFSET + sheet.MARK_LENGTH / 2

    def dark(x_pt: float, y_pt: float) -> bool:
        x, y = round(x_pt / PT_PER_PX), round((page_h - y_pt) / PT_PER_PX)
        return min(front.getpixel((x + dx, y + dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1)) < 128

    for slot in places[:2]:  # every column edge, above and below the grid
        for x in (slot.front[0], slot.front[0] + CARD_WIDTH):
            assert dark(x, top + mark) and dark(x, bottom - mark)
            assert not dark(x + 2 * mm, top + mark)  # a mark, not a band
    left = places[0].front[0]
    for slot in places[::2]:  # every row edge, left of the grid
        assert dark(left - mark, slot.front[1])
