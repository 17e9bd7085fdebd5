"""Sheets of cards with cut marks, and batch printing in constant memory.

reportlab keeps every page of a document in memory until `save()`, photos included
(~60 kB a card), so one canvas for 10,000 cards would hold ~600 MB. Instead each
*unit* (one card, or one sheet of up to ten cards: fronts page then backs page) is
rendered as a small, complete reportlab PDF, in worker processes when there are
several cores, and the parent splices the units' objects into one output PDF as
they arrive, in order. The parent keeps only the offsets of objects written so far
(8 bytes each) and at most a few units in flight, so memory stays flat.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import re
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import BinaryIO, Literal, TypeVar

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from idcard.issuance import card_pdf, card_text
from idcard.issuance.card_pdf import CARD_HEIGHT, CARD_WIDTH, CardFace

T = TypeVar("T")
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


def slots(paper: Literal["letter", "a4"]) -> list[Slot]:
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


def render_sheet_unit(faces: list[CardFace], paper: Literal["letter", "a4"]) -> bytes:
    """Return a two-page PDF: up to ten fronts with cut marks, then their backs."""
    out = io.BytesIO()
    canvas = card_pdf.new_canvas(out, PAPERS[paper])
    places = slots(paper)
    for side in ("front", "back"):
        for face, slot in zip(faces, places, strict=False):
            x, y = slot.front if side == "front" else slot.back
            canvas.saveState()
            canvas.translate(x, y)
            (card_pdf.draw_front if side == "front" else card_pdf.draw_back)(canvas, face)
            canvas.restoreState()
        _cut_marks(canvas, paper, side)
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def _cut_marks(canvas: Canvas, paper: Literal["letter", "a4"], side: str) -> None:
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


# ----------------------------------------------------------------------------- batches


def write_cards(
    faces: Iterable[CardFace],
    out: BinaryIO,
    *,
    layout: card_pdf.Layout,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> int:
    """Write every card into one PDF on `out`, in order, in constant memory.

    layout "card": two ID-1 pages per card; "letter"/"a4": sheets of ten with cut
    marks, fronts page then backs page. workers=None uses up to two processes
    (0 renders in this process). progress(n) is called with the number of cards
    written so far after each card or sheet. Returns the number of cards.
    """
    per_unit = 1 if layout == "card" else CARDS_PER_SHEET
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


def render_unit(faces: list[CardFace], layout: card_pdf.Layout) -> tuple[int, bytes]:
    """Render one card or one sheet; runs in a worker process."""
    if layout == "card":
        return 1, card_pdf.render_card(faces[0])
    return len(faces), render_sheet_unit(faces, layout)


def render_units(units: list[list[CardFace]], layout: card_pdf.Layout) -> list[tuple[int, bytes]]:
    """Render several units in one task, so per-task overhead is paid once per batch."""
    return [render_unit(unit, layout) for unit in units]


def _rendered(
    units: Iterator[list[CardFace]], layout: card_pdf.Layout, workers: int
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
    card_text.register_fonts()


# ----------------------------------------------------------------------------- splicing

_XREF = re.compile(rb"startxref\s+(\d+)")
_REF = re.compile(rb"(\d+) 0 R\b")
_XREF_HEAD = re.compile(rb"xref\s+(\d+) (\d+)\s+")
_TRAILER_REF = re.compile(rb"/(Root|Info) (\d+) 0 R")
_STREAM = re.compile(rb"\bstream\r?\n")
_PAGE = re.compile(rb"/Type /Page(?![A-Za-z])")


class PdfSplicer:
    """Write reportlab PDFs' pages into one PDF as they come, keeping only offsets.

    Object 1 is the catalog and 2 the page tree (written last, when its kids are
    known). Every other object of each unit is copied with its references renumbered;
    the unit's catalog, page tree and info are dropped and its pages re-parented.
    """

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.position = 0
        self.offsets = array("Q", [0, 0, 0])  # index = object number; 0 unused
        self.kids = array("L")
        self._write(b"%PDF-1.4\n%\x93\x8c\x8b\x9e idcard\n")
        self._object(1, b"<< /Type /Catalog /Pages 2 0 R >>")

    def add(self, pdf: bytes) -> None:
        """Append every page of a reportlab-made PDF."""
        objects, root, info = _parse(pdf)
        pages = _pages_ref(objects[root])
        renumber = {pages: 2}
        for number in sorted(objects):
            if number not in (root, info, pages):
                renumber[number] = len(self.offsets) + len(renumber) - 1
        for number in sorted(objects):
            new = renumber.get(number, 2)
            if new == 2:
                continue
            body = _renumbered(objects[number], renumber)
            if _PAGE.search(body) and not _STREAM.search(body):
                self.kids.append(new)
            self._object(new, body)

    def close(self) -> None:
        """Write the page tree, cross-reference table and trailer, a slice at a time."""
        self.offsets[2] = self.position
        self._write(b"2 0 obj\n<< /Type /Pages /Count %d /Kids [" % len(self.kids))
        for start in range(0, len(self.kids), 4096):
            chunk = self.kids[start : start + 4096]
            self._write(b"".join(b" %d 0 R" % kid for kid in chunk))
        self._write(b" ] >>\nendobj\n")
        xref_at = self.position
        self._write(b"xref\n0 %d\n0000000000 65535 f \n" % len(self.offsets))
        for start in range(1, len(self.offsets), 4096):
            chunk = self.offsets[start : start + 4096]
            self._write(b"".join(b"%010d 00000 n \n" % offset for offset in chunk))
        trailer = f"trailer\n<< /Size {len(self.offsets)} /Root 1 0 R >>\nstartxref\n{xref_at}\n"
        self._write(trailer.encode() + b"%%EOF\n")
        self.out.flush()

    def _object(self, number: int, body: bytes) -> None:
        if number >= len(self.offsets):
            self.offsets.extend([0] * (number + 1 - len(self.offsets)))
        self.offsets[number] = self.position
        self._write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.position += len(data)


def _parse(pdf: bytes) -> tuple[dict[int, bytes], int, int]:
    """Return {number: body} for every object of a reportlab PDF, with /Root and /Info.

    Objects are located through the cross-reference table (fixed 20-byte entries), so
    nothing scans the binary stream data.
    """
    xref_at = int(_XREF.search(pdf, max(0, len(pdf) - 64)).group(1))  # type: ignore[union-attr]
    head = _XREF_HEAD.match(pdf, xref_at)
    if head is None:
        raise ValueError("not a PDF with a classic cross-reference table")
    first, count = int(head.group(1)), int(head.group(2))
    table = head.end()
    located = []
    for i in range(count):
        entry = pdf[table + 20 * i : table + 20 * i + 20]
        if entry[17:18] == b"n":
            located.append((int(entry[:10]), first + i))
    located.sort()
    objects: dict[int, bytes] = {}
    for k, (start, number) in enumerate(located):
        end = located[k + 1][0] if k + 1 < len(located) else xref_at
        chunk = pdf[start:end]
        objects[number] = chunk[chunk.index(b"obj") + 3 : chunk.rindex(b"endobj")].strip(b"\r\n ")
    refs = dict(_TRAILER_REF.findall(pdf, table + 20 * count))
    return objects, int(refs[b"Root"]), int(refs[b"Info"])


def _pages_ref(catalog: bytes) -> int:
    match = re.search(rb"/Pages (\d+) 0 R", catalog)
    if match is None:
        raise ValueError("catalog without a page tree")
    return int(match.group(1))


def _renumbered(body: bytes, renumber: dict[int, int]) -> bytes:
    """Renumber references in the object's dictionary, never inside stream data."""
    stream = _STREAM.search(body)
    head, tail = (body[: stream.start()], body[stream.start() :]) if stream else (body, b"")
    head = _REF.sub(lambda m: b"%d 0 R" % renumber[int(m.group(1))], head)
    return head + tail
