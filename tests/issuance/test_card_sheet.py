"""Sheets of ten cards with cut marks, backs mirrored for duplex; streaming batches."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from reportlab.lib.units import mm

from idcard.issuance import card_pdf, card_sheet
from idcard.issuance.card_pdf import CARD_HEIGHT, CARD_WIDTH, CardFace
from tests.issuance.card_helpers import make_face, pdftotext, rasterize, words

DPI = 150
PT_PER_PX = 72 / DPI
PAGE_SIZES = {"letter": (612.0, 792.0), "a4": (595.28, 841.89)}


def _faces(count: int) -> list[CardFace]:
    return [
        make_face(
            name=f"Card Holder {k:02d}",
            card_number=f"{k:04d}00000000",
            qr_text=f"https://id.example.org/v#CARD{k:02d}" + "Q" * 120,
        )
        for k in range(count)
    ]


def _card_index(text: str) -> int:
    return int(text.split("#CARD")[1][:2])


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_sheet_pages_have_the_paper_size(paper: str) -> None:
    pdf = card_pdf.render_sheet(_faces(3), paper)  # type: ignore[arg-type]
    reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)
    assert len(reader.pages) == 2
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (width, height) == pytest.approx(PAGE_SIZES[paper], abs=0.01)


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_each_back_lands_behind_its_front_after_long_edge_duplex(
    paper: str, tmp_path: Path
) -> None:
    faces = _faces(10)
    pdf = card_pdf.render_sheet(faces, paper)  # type: ignore[arg-type]
    front_text = words(pdftotext(pdf, tmp_path, page=1))
    assert all(f"Card Holder {k:02d}" in front_text for k in range(10))
    front, back = rasterize(pdf, tmp_path, dpi=DPI)
    page_w, page_h = PAGE_SIZES[paper]
    found = zxingcpp.read_barcodes(back)
    assert sorted(_card_index(b.text) for b in found) == list(range(10))
    places = card_sheet.slots(paper)  # type: ignore[arg-type]
    for barcode in found:
        p = barcode.position
        cx = (p.top_left.x + p.bottom_right.x) / 2 * PT_PER_PX
        cy = page_h - (p.top_left.y + p.bottom_right.y) / 2 * PT_PER_PX
        mirrored_x = page_w - cx  # where this point sits once the sheet is turned over
        fx, fy = places[_card_index(barcode.text)].front
        assert fx < mirrored_x < fx + CARD_WIDTH and fy < cy < fy + CARD_HEIGHT


def test_sheet_front_has_cut_marks_outside_the_cards(tmp_path: Path) -> None:
    pdf = card_pdf.render_sheet(_faces(10), "letter")
    front = rasterize(pdf, tmp_path, dpi=DPI)[0].convert("L")
    places = card_sheet.slots("letter")
    page_h = PAGE_SIZES["letter"][1]
    top = places[0].front[1] + CARD_HEIGHT
    bottom = places[-1].front[1]
    mark = card_sheet.MARK_OFFSET + card_sheet.MARK_LENGTH / 2

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


def test_write_cards_streams_25_cards_on_sheets_with_progress(tmp_path: Path) -> None:
    seen: list[int] = []
    out = io.BytesIO()
    count = card_sheet.write_cards(iter(_faces(25)), out, layout="letter", progress=seen.append,
                                   workers=0)
    assert count == 25
    assert seen == [10, 20, 25]
    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()), strict=True)
    assert len(reader.pages) == 6  # three sheets: fronts, backs
    _assert_poppler_reads_cleanly(out.getvalue(), tmp_path)


def test_write_cards_with_worker_processes_keeps_order(tmp_path: Path) -> None:
    seen: list[int] = []
    out = io.BytesIO()
    count = card_pdf.write_cards(_faces(25), out, layout="card", progress=seen.append, workers=2)
    assert count == 25 and seen == list(range(1, 26))
    pdf = out.getvalue()
    reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)
    assert len(reader.pages) == 50
    assert float(reader.pages[49].mediabox.width) == pytest.approx(242.65, abs=0.01)
    for k in (0, 13, 24):
        assert f"Card Holder {k:02d}" in words(pdftotext(pdf, tmp_path, page=2 * k + 1))
    _assert_poppler_reads_cleanly(pdf, tmp_path)


def test_write_cards_of_nothing_is_an_empty_but_valid_pdf() -> None:
    out = io.BytesIO()
    assert card_sheet.write_cards([], out, layout="a4", workers=0) == 0
    assert len(pypdf.PdfReader(io.BytesIO(out.getvalue()), strict=True).pages) == 0


def test_splicer_renumbers_objects_so_every_page_keeps_its_own_photo_and_fonts() -> None:
    out = io.BytesIO()
    writer = card_sheet.PdfSplicer(out)
    first = card_pdf.render_card(make_face(name="Ana First"))
    second = card_pdf.render_card(make_face(name="Владимир Second"))
    writer.add(first)
    writer.add(second)
    writer.close()
    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()), strict=True)
    texts = [page.extract_text() for page in reader.pages]
    assert "Ana First" in texts[0] and "Владимир Second" in texts[2]
    assert reader.pages[0]["/Resources"]["/XObject"] != {}


def _assert_poppler_reads_cleanly(pdf: bytes, tmp_path: Path) -> None:
    source = tmp_path / "batch.pdf"
    source.write_bytes(pdf)
    done = subprocess.run(["pdfinfo", str(source)], capture_output=True, text=True, check=True)
    assert done.stderr == ""
