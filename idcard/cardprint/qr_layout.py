"""The fixed parts of a QR symbol per version: function patterns, data order, masks.

Everything here depends only on the version (and the level, for format bits), so it
is computed once per version and kept as big integers in row and column order; see
`qr` for how they are combined with a card's data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

LEVELS = "LMQH"
_LEVEL_FORMAT_BITS = {"L": 1, "M": 0, "Q": 3, "H": 2}


def raw_modules(version: int) -> int:
    """Modules left for data and error correction (codeword bits plus remainder)."""
    result = (16 * version + 128) * version + 64
    if version >= 2:
        count = version // 7 + 2
        result -= (25 * count - 10) * count - 55
        if version >= 7:
            result -= 36
    return result


@dataclass(frozen=True)
class Layout:
    size: int
    function_rows: int  # dark function modules, format area left light
    function_cols: int
    region_rows: int  # data modules (where the mask applies)
    region_cols: int
    mask_rows: tuple[int, ...]
    mask_cols: tuple[int, ...]
    format_rows: dict[str, tuple[int, ...]]  # level -> mask -> dark format modules
    format_cols: dict[str, tuple[int, ...]]
    row_order: tuple[int, ...]  # matrix bit (most significant first) -> stream index
    col_order: tuple[int, ...]


_MASKS = (
    lambda y, x: (y + x) % 2 == 0,
    lambda y, x: y % 2 == 0,
    lambda y, x: x % 3 == 0,
    lambda y, x: (y + x) % 3 == 0,
    lambda y, x: (y // 2 + x // 3) % 2 == 0,
    lambda y, x: (x * y) % 2 + (x * y) % 3 == 0,
    lambda y, x: ((x * y) % 2 + (x * y) % 3) % 2 == 0,
    lambda y, x: ((x + y) % 2 + (x * y) % 3) % 2 == 0,
)


def alignment_positions(version: int) -> list[int]:
    """Return the row/column centres of alignment patterns for a version."""
    if version == 1:
        return []
    count = version // 7 + 2
    step = (version * 8 + count * 3 + 5) // (count * 4 - 4) * 2
    size = 4 * version + 17
    return [6] + sorted(size - 7 - i * step for i in range(count - 1))


@lru_cache(maxsize=8)
def layout(version: int) -> Layout:
    """Everything about a version's symbol that does not depend on the data."""
    n = 4 * version + 17
    dark = _function_modules(version, n)
    order = _zigzag(n, dark)
    filler = 8 * (raw_modules(version) // 8)  # stream index of the trailing "0"
    stream_index = {pos: (i if i < filler else filler) for i, pos in enumerate(order)}
    formats = {level: [_format_modules(n, level, m) for m in range(8)] for level in LEVELS}
    return Layout(
        size=n,
        function_rows=_as_int(n, lambda y, x: dark.get((y, x), False), False),
        function_cols=_as_int(n, lambda y, x: dark.get((y, x), False), True),
        region_rows=_as_int(n, lambda y, x: (y, x) not in dark, False),
        region_cols=_as_int(n, lambda y, x: (y, x) not in dark, True),
        mask_rows=tuple(_as_int(n, f, False) for f in _MASKS),
        mask_cols=tuple(_as_int(n, f, True) for f in _MASKS),
        format_rows={level: tuple(_dark_bits(n, mods, False) for mods in formats[level])
                     for level in LEVELS},
        format_cols={level: tuple(_dark_bits(n, mods, True) for mods in formats[level])
                     for level in LEVELS},
        row_order=_orders(n, stream_index, filler, False),
        col_order=_orders(n, stream_index, filler, True),
    )


def _function_modules(version: int, n: int) -> dict[tuple[int, int], bool]:
    """The modules that carry no data, (y, x) -> dark: finders, timing, alignment, format."""
    dark: dict[tuple[int, int], bool] = {}
    for i in range(n):  # timing patterns
        dark[(6, i)] = dark[(i, 6)] = i % 2 == 0
    for cy, cx in ((3, 3), (3, n - 4), (n - 4, 3)):  # finders with separators
        for dy in range(-4, 5):
            for dx in range(-4, 5):
                y, x = cy + dy, cx + dx
                if 0 <= y < n and 0 <= x < n:
                    dark[(y, x)] = max(abs(dy), abs(dx)) not in (2, 4)
    positions = alignment_positions(version)
    last = len(positions) - 1
    for i, cy in enumerate(positions):
        for j, cx in enumerate(positions):
            if (i, j) in ((0, 0), (0, last), (last, 0)):
                continue
            for dy in range(-2, 3):
                for dx in range(-2, 3):
                    dark[(cy + dy, cx + dx)] = max(abs(dy), abs(dx)) != 1
    for y, x in _format_positions(n):
        dark[(y, x)] = False
    dark[(n - 8, 8)] = True  # the dark module
    if version >= 7:
        _version_modules(version, n, dark)
    return dark


def _version_modules(version: int, n: int, dark: dict[tuple[int, int], bool]) -> None:
    rem = version
    for _ in range(12):
        rem = (rem << 1) ^ ((rem >> 11) * 0x1F25)
    vbits = version << 12 | rem
    for i in range(18):
        a, b = n - 11 + i % 3, i // 3
        dark[(b, a)] = dark[(a, b)] = bool(vbits >> i & 1)


def _bit(n: int, y: int, x: int, transpose: bool) -> int:
    return (x * n + y) if transpose else (y * n + x)


def _as_int(n: int, pred: Callable[[int, int], bool], transpose: bool) -> int:
    """The matrix of `pred` as one integer (bit y*n+x, or x*n+y transposed)."""
    total = 0
    for y in range(n):
        for x in range(n):
            if pred(y, x):
                total |= 1 << _bit(n, y, x, transpose)
    return total


def _dark_bits(n: int, modules: dict[tuple[int, int], bool], transpose: bool) -> int:
    return sum(1 << _bit(n, y, x, transpose) for (y, x), on in modules.items() if on)


def _orders(
    n: int, stream_index: dict[tuple[int, int], int], filler: int, transpose: bool,
) -> tuple[int, ...]:
    out = [filler] * (n * n)
    for (y, x), i in stream_index.items():
        out[_bit(n, y, x, transpose)] = i
    return tuple(reversed(out))


def _zigzag(n: int, function: dict[tuple[int, int], bool]) -> list[tuple[int, int]]:
    order = []
    right = n - 1
    while right >= 1:
        if right == 6:
            right = 5
        upward = ((right + 1) & 2) == 0
        for vert in range(n):
            y = n - 1 - vert if upward else vert
            for x in (right, right - 1):
                if (y, x) not in function:
                    order.append((y, x))
        right -= 2
    return order


def _format_positions(n: int) -> list[tuple[int, int]]:
    return list(_format_modules(n, "M", 0))


def _format_modules(n: int, level: str, mask: int) -> dict[tuple[int, int], bool]:
    data = _LEVEL_FORMAT_BITS[level] << 3 | mask
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    bits = (data << 10 | rem) ^ 0x5412
    out: dict[tuple[int, int], bool] = {}

    def put(x: int, y: int, i: int) -> None:
        out[(y, x)] = bool(bits >> i & 1)

    for i in range(6):
        put(8, i, i)
    put(8, 7, 6)
    put(8, 8, 7)
    put(7, 8, 8)
    for i in range(9, 15):
        put(14 - i, 8, i)
    for i in range(8):
        put(n - 1 - i, 8, i)
    for i in range(8, 15):
        put(8, n - 15 + i, i)
    return out
