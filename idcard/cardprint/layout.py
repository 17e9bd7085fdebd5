"""Where things sit on the card's front, and whether a name fits there.

Enrollment asks `unprintable_reason(name)` before it stores a name, so that a name
the card cannot print faithfully is refused at the counter, not mangled on the card.
"""

from __future__ import annotations

from reportlab.lib.units import mm

from idcard.cardprint import shaping
from idcard.cardprint.face import CARD_HEIGHT, CARD_WIDTH
from idcard.errors import N_

MARGIN = 4 * mm
BAND = 10 * mm
PHOTO_W = 20 * mm
PHOTO_H = 26.67 * mm
PHOTO_TOP = CARD_HEIGHT - 13 * mm
COLUMN_X = MARGIN + PHOTO_W + 4 * mm
COLUMN_W = CARD_WIDTH - COLUMN_X - MARGIN
NAME_MAX = 12.0
NAME_READABLE = 6.0  # below this, a third line is allowed for a bigger size
NAME_MIN = 4.5
NAME_LEADING = 1.15
NAME_BOX_H = 2 * NAME_MAX * NAME_LEADING

FittedName = tuple[list[shaping.ShapedLine], float]


def unprintable_reason(name: str) -> str | None:
    """Return why a name cannot be printed faithfully on a card, or None if it can."""
    if not name.strip():
        return N_("The name is empty.")
    problem = shaping.glyph_problem(name)
    if problem:
        return problem
    if fit_name(name) is None:
        return N_("The name is too long to print on the card, even in small type.")
    return None


def fit_name(name: str) -> FittedName | None:
    """Choose lines and size for the name: one line, else two, shrinking; never cut."""
    words = name.split()
    best: FittedName | None = None
    for count in range(1, min(3, len(words)) + 1):
        lines = _balanced(words, count)
        widest = max(line.width for line in lines)
        height_limit = NAME_BOX_H / (count * NAME_LEADING) if count > 1 else NAME_MAX
        size = min(NAME_MAX, COLUMN_W / max(widest, 1e-6), height_limit)
        if best is None or size > best[1] + 0.01:
            if count == 3 and best is not None and best[1] >= NAME_READABLE:
                break
            best = (lines, size)
        if best[1] >= NAME_MAX:
            break
    if best is None or best[1] < NAME_MIN:
        return None
    return best


def _balanced(words: list[str], count: int) -> list[shaping.ShapedLine]:
    """Split words into `count` lines whose widest line is as narrow as possible."""
    if count == 1:
        return [shaping.shape_line(" ".join(words))]
    widths = [shaping.shape_line(w).width for w in words]
    space = shaping.shape_line("a b").width - shaping.shape_line("ab").width

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
    return [shaping.shape_line(" ".join(words[a:b])) for a, b in pairs]
