"""The card's QR code drawn as vectors: one filled rectangle per run of dark modules.

Vectors print sharply at any printer resolution; module widths are snapped to whole
dots of a 300 dpi card printer where that keeps the code at least QR_MIN_WIDTH wide.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate
from operator import add

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from idcard.cardprint.qr import QrMatrix

QR_MIN_WIDTH = 20 * mm  # including the quiet zone
QR_TARGET_WIDTH = 30 * mm
QR_QUIET_MODULES = 4
PRINTER_DOT = 25.4 / 300 * mm  # snap QR modules to whole dots of a 300 dpi card printer
_DARK_RUNS = re.compile("(1+)")


def qr_width(size: int) -> float:
    """Return the printed QR width (with quiet zone) for a symbol of `size` modules."""
    modules = size + 2 * QR_QUIET_MODULES
    dots = int(QR_TARGET_WIDTH / modules / PRINTER_DOT)
    module = dots * PRINTER_DOT
    if module * modules < QR_MIN_WIDTH:
        module = QR_MIN_WIDTH / modules
    return module * modules


def draw_qr(canvas: Canvas, matrix: QrMatrix, x: float, y: float, width: float) -> None:
    """Draw the QR with its quiet zone as filled rectangles: white square, dark runs."""
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, width, width, stroke=0, fill=1)
    module = width / (matrix.size + 2 * QR_QUIET_MODULES)
    origin_x = x + QR_QUIET_MODULES * module
    origin_y = y + width - QR_QUIET_MODULES * module
    canvas.setFillColorRGB(0, 0, 0)
    ops = _qr_path(matrix)
    m = f"{module:.5f}"
    canvas.addLiteral(f"q {m} 0 0 -{m} {origin_x:.4f} {origin_y:.4f} cm\n{ops}f\nQ")


def _qr_path(matrix: QrMatrix) -> str:
    """Return PDF path operators, one rectangle per horizontal dark run, in module units."""
    n = matrix.size
    flat = format(matrix.bits, f"0{n * n}b")[::-1]
    joined = "0".join(flat[y * n : (y + 1) * n] for y in range(n)) + "0"
    parts = _DARK_RUNS.split(joined)  # light, dark, light, dark, ..., light
    lengths = list(map(len, parts))
    starts = list(accumulate(lengths))[0::2][:-1]
    origins, sizes = _qr_tables(n)
    dark_lengths = lengths[1::2]
    return "".join(map(add, map(origins.__getitem__, starts), map(sizes.__getitem__, dark_lengths)))


@lru_cache(maxsize=8)
def _qr_tables(n: int) -> tuple[list[str], list[str]]:
    stride = n + 1
    origins = [f"{i % stride} {i // stride} " for i in range(stride * n + 1)]
    sizes = [f"{k} 1 re\n" for k in range(n + 2)]
    return origins, sizes
