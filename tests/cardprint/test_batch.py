"""Batches: any number of cards into one PDF, in order, in constant memory."""

from __future__ import annotations

import io

import pypdf
import pytest

from idcard.cardprint import batch
from tests.cardprint.faces import sample_faces
from tests.pdfs import assert_poppler_reads_cleanly, pdftotext, words


def test_write_cards_streams_25_cards_on_sheets_with_progress() -> None:
    seen: list[int] = []
    out = io.BytesIO()
    count = batch.write_cards(iter(sample_faces(25)), out, layout="letter", progress=seen.append,
                                   workers=0)
    assert count == 25
    assert seen == [10, 20, 25]
    reader = pypdf.PdfReader(io.BytesIO(out.getvalue()), strict=True)
    assert len(reader.pages) == 6  # three sheets: fronts, backs
    assert_poppler_reads_cleanly(out.getvalue())


def test_write_cards_with_worker_processes_keeps_order() -> None:
    seen: list[int] = []
    out = io.BytesIO()
    count = batch.write_cards(sample_faces(25), out, layout="card", progress=seen.append, workers=2)
    assert count == 25 and seen == list(range(1, 26))
    pdf = out.getvalue()
    reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)
    assert len(reader.pages) == 50
    assert float(reader.pages[49].mediabox.width) == pytest.approx(242.65, abs=0.01)
    for k in (0, 13, 24):
        assert f"Card Holder {k:02d}" in words(pdftotext(pdf, page=2 * k + 1))
    assert_poppler_reads_cleanly(pdf)


def test_write_cards_of_nothing_is_an_empty_but_valid_pdf() -> None:
    out = io.BytesIO()
    assert batch.write_cards([], out, layout="a4", workers=0) == 0
    assert len(pypdf.PdfReader(io.BytesIO(out.getvalue()), strict=True).pages) == 0
