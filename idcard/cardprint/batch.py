"""Batch printing in constant memory: any number of cards into one PDF.

reportlab keeps every page of a document in memory until `save()`, photos included
(~60 kB a card), so one canvas for 10,000 cards would hold ~600 MB. Instead each
*unit* (one card, or one sheet of up to ten cards: fronts page then backs page) is
rendered as a small, complete reportlab PDF, in worker processes when there are
several cores, and `splice.PdfSplicer` copies the units' objects into one output PDF
as they arrive, in order. The parent keeps only the offsets of objects written so far
(8 bytes each) and at most a few units in flight, so memory stays flat.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import BinaryIO, TypeVar

from idcard.cardprint import pdf, shaping, sheet
from idcard.cardprint.face import CardFace, Layout
from idcard.cardprint.splice import PdfSplicer

T = TypeVar("T")


def write_cards(
    faces: Iterable[CardFace],
    out: BinaryIO,
    *,
    layout: Layout,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> int:
    """Write every card into one PDF on `out`, in order, in constant memory.

    layout "card": two ID-1 pages per card; "letter"/"a4": sheets of ten with cut
    marks, fronts page then backs page. workers=None uses up to two processes
    (0 renders in this process). progress(n) is called with the number of cards
    written so far after each card or sheet. Returns the number of cards.
    """
    per_unit = 1 if layout == "card" else sheet.CARDS_PER_SHEET
    units = _chunks(iter(faces), per_unit)
    if workers is None:
        workers = min(2, os.cpu_count() or 1)
    writer = PdfSplicer(out)
    count = 0
    for size, unit_pdf in _rendered(units, layout, workers):
        writer.add(unit_pdf)
        count += size
        if progress is not None:
            progress(count)
    writer.close()
    return count


def _chunks(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while chunk := list(islice(items, size)):
        yield chunk


def render_unit(faces: list[CardFace], layout: Layout) -> tuple[int, bytes]:
    """Render one card or one sheet; runs in a worker process."""
    if layout == "card":
        return 1, pdf.render_card(faces[0])
    return len(faces), sheet.render_sheet(faces, layout)


def render_units(units: list[list[CardFace]], layout: Layout) -> list[tuple[int, bytes]]:
    """Render several units in one task, so per-task overhead is paid once per batch."""
    return [render_unit(unit, layout) for unit in units]


def _rendered(
    units: Iterator[list[CardFace]], layout: Layout, workers: int
) -> Iterator[tuple[int, bytes]]:
    if workers <= 0:
        for unit in units:
            yield render_unit(unit, layout)
        return
    # forkserver: safe beside a web server's threads (unlike fork), and the server
    # imports reportlab and the fonts once for every worker (unlike spawn).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    per_task = 8 if layout == "card" else 1
    tasks = _chunks(units, per_task)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker) as pool:
        pending: deque[Future[list[tuple[int, bytes]]]] = deque()
        window = 3 * workers  # tasks in flight: enough to keep workers busy, no more
        for task in tasks:
            pending.append(pool.submit(render_units, task, layout))
            if len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _start_worker() -> None:
    shaping.register_fonts()


