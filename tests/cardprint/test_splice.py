"""Splicing reportlab PDFs into one while keeping only object offsets."""

from __future__ import annotations

import io

import pypdf

from idcard.cardprint.pdf import render_card
from idcard.cardprint.splice import PdfSplicer
from tests.cardprint.faces import make_face


def test_splicer_renumbers_objects_so_every_page_keeps_its_own_photo_and_fonts() -> None:
    out = io.BytesIO()
    writer = PdfSplicer(out)
    first = render_card(make_face(name="Ana First"))
    second = render_card(make_face(name="Владимир Second"))
    writer.add(first)
    writer.add(second)
    writer.close()
    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()), strict=True)
    texts = [page.extract_text() for page in reader.pages]
    assert "Ana First" in texts[0] and "Владимир Second" in texts[2]
    assert reader.pages[0]["/Resources"]["/XObject"] != {}
