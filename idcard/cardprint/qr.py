"""QR Code (ISO/IEC 18004, model 2) encoder built for printing cards quickly.

Why our own: the card's QR must be chosen by the standard's mask penalty rules, and
evaluating those rules module by module in Python (as the `qrcode` package does) costs
~13 ms, which is most of a card. Here every matrix is one big integer (bit y*n+x is
the module in row y, column x; a second integer holds the transpose), so each penalty
rule is a handful of whole-matrix bit operations. The result is bit-for-bit the matrix
`qrcode` makes for the same segments, version, level and mask, and the penalty equals
`qrcode.util.lost_point` (tests check both), in ~1/25 of the time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from operator import itemgetter

from idcard.cardprint import qr_layout
from idcard.cardprint.qr_layout import LEVELS, Layout, alignment_positions, raw_modules

__all__ = ["LEVELS", "QrCapacityError", "QrMatrix", "alignment_positions", "encode",
           "encode_segments", "penalty"]


# Error-correction codewords per block and number of blocks, index = version - 1.
_ECC_PER_BLOCK = {
    "L": (7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
          28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
    "M": (10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
          26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28),
    "Q": (13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
          28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
    "H": (17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
          30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
}
_NUM_BLOCKS = {
    "L": (1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8,
          8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25),
    "M": (1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
          17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49),
    "Q": (1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
          23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68),
    "H": (1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
          25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81),
}

NUMERIC, ALPHANUMERIC, BYTE = 1, 2, 4  # mode indicators
_MODES = (NUMERIC, ALPHANUMERIC, BYTE)
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_ALNUM_VALUE = {c: i for i, c in enumerate(_ALNUM)}
_VERSION_GROUPS = ((1, 9), (10, 26), (27, 40))
_COUNT_BITS = {NUMERIC: (10, 12, 14), ALPHANUMERIC: (9, 11, 13), BYTE: (8, 16, 16)}


class QrCapacityError(ValueError):
    """The text does not fit any QR version at the requested level."""


@dataclass(frozen=True)
class QrMatrix:
    """A finished symbol: `size` x `size` modules, without the quiet zone."""

    version: int
    level: str
    mask: int
    size: int
    bits: int  # bit y*size+x is 1 when the module at row y, column x is dark

    def is_dark(self, y: int, x: int) -> bool:
        return bool(self.bits >> (y * self.size + x) & 1)

    def rows(self) -> list[str]:
        """Return each row as a string of '0' (light) and '1' (dark)."""
        n = self.size
        flat = format(self.bits, f"0{n * n}b")[::-1]
        return [flat[y * n : (y + 1) * n] for y in range(n)]


def encode(text: str, level: str = "M") -> QrMatrix:
    """Encode text in the smallest version that fits, choosing the mask by penalty."""
    segments, version = _fit(text, level)
    return encode_segments(segments, version, level)


def encode_segments(
    segments: list[tuple[int, str]], version: int, level: str, mask: int | None = None
) -> QrMatrix:
    """Encode explicit (mode, text) segments; with mask=None pick the lowest penalty."""
    layout = qr_layout.layout(version)
    codewords = _add_ecc(_data_codewords(segments, version, level), version, level)
    stream = format(int.from_bytes(codewords, "big"), f"0{8 * len(codewords)}b") + "0"
    rows = int("".join(itemgetter(*layout.row_order)(stream)), 2)
    cols = int("".join(itemgetter(*layout.col_order)(stream)), 2)
    candidates = range(8) if mask is None else (mask,)
    best: tuple[int, int, int] | None = None
    for m in candidates:
        bits = _masked(layout, layout.format_rows[level][m], rows, m, transpose=False)
        if mask is None:
            bits_t = _masked(layout, layout.format_cols[level][m], cols, m, transpose=True)
            score = penalty(bits, bits_t, layout.size)
            if best is None or score < best[0]:
                best = (score, m, bits)
        else:
            best = (0, m, bits)
    assert best is not None
    return QrMatrix(version, level, best[1], layout.size, best[2])


def _masked(layout: Layout, fmt: int, data: int, m: int, *, transpose: bool) -> int:
    if transpose:
        return layout.function_cols | fmt | ((data ^ layout.mask_cols[m]) & layout.region_cols)
    return layout.function_rows | fmt | ((data ^ layout.mask_rows[m]) & layout.region_rows)


# ----------------------------------------------------------------------------- penalty


def penalty(bits: int, bits_t: int, n: int) -> int:
    """Return the standard's penalty N1+N2+N3+N4 for a matrix and its transpose."""
    v = _validity(n)
    score = _runs(bits, v) + _runs(bits_t, v) + _finders(bits, v) + _finders(bits_t, v)
    eq = ~(bits ^ (bits >> 1)) & v.pair
    vertical = ~(bits ^ (bits >> n)) & v.below
    score += 3 * (eq & (eq >> n) & vertical).bit_count()
    dark_percent = bits.bit_count() * 100 / (n * n)
    return score + 10 * int(abs(dark_percent - 50) / 5)


def _runs(bits: int, v: _Validity) -> int:
    # A run of L >= 5 equal modules costs L-2 = (L-4 windows of five) + 2 per run.
    eq = ~(bits ^ (bits >> 1)) & v.pair
    five = eq & (eq >> 1) & (eq >> 2) & (eq >> 3)
    starts = five & ~(five << 1)
    return five.bit_count() + 2 * starts.bit_count()


def _finders(bits: int, v: _Validity) -> int:
    # 1:1:3:1:1 dark-light-dark-light-dark with four light modules after or before.
    d = [bits >> k for k in range(11)]
    light = [~x for x in d]
    core = light[1] & d[4] & light[5] & d[6] & light[9] & v.eleven
    after = d[0] & d[2] & d[3] & light[7] & light[8] & light[10]
    before = light[0] & light[2] & light[3] & d[7] & d[8] & d[10]
    return 40 * ((core & after).bit_count() + (core & before).bit_count())


@dataclass(frozen=True)
class _Validity:
    pair: int  # module x and x+1 are in the same row
    below: int  # module has a row below it
    eleven: int  # an 11-module window starting here stays in the row


@cache
def _validity(n: int) -> _Validity:
    def rows_with(first_cols: int) -> int:
        return sum(((1 << first_cols) - 1) << (y * n) for y in range(n))

    return _Validity(
        pair=rows_with(n - 1),
        below=(1 << (n * (n - 1))) - 1,
        eleven=rows_with(n - 10),
    )


# ----------------------------------------------------------------------------- data


def _fit(text: str, level: str) -> tuple[list[tuple[int, str]], int]:
    runs = [(m.lastindex - 1, m.group()) for m in _RUN.finditer(text)]  # type: ignore[operator]
    for group, (low, high) in enumerate(_VERSION_GROUPS):
        if 8 * _data_capacity(high, level) < _lower_bound_bits(runs):
            continue
        segments = _segment(runs, group)
        bits = sum(_segment_bits(mode, chunk, group) for mode, chunk in segments)
        for version in range(low, high + 1):
            if bits <= 8 * _data_capacity(version, level):
                return segments, version
    raise QrCapacityError(f"{len(text)} characters do not fit a QR code at level {level}")


# Runs of one character class: digits, other alphanumeric-mode characters, the rest.
_RUN = re.compile(r"([0-9]+)|([A-Z $%*+\-./:]+)|([^0-9A-Z $%*+\-./:]+)")


def _lower_bound_bits(runs: list[tuple[int, str]]) -> int:
    return sum(_sixths(cls, chunk) for cls, chunk in runs) // 6


def _segment(runs: list[tuple[int, str]], group: int) -> list[tuple[int, str]]:
    """Split runs into mode segments with (nearly) the fewest bits.

    Dynamic programming over runs of one character class, costs in sixths of a bit as
    in Nayuki's optimal segmentation; splitting inside such a run never saves a
    header, so deciding per run is enough.
    """
    if not runs:
        return []
    head = [(4 + _COUNT_BITS[m][group]) * 6 for m in _MODES]
    costs = head[:]
    choices: list[tuple[int, ...]] = []
    for cls, chunk in runs:
        new_costs = []
        came = []
        for m in range(3):
            if m < cls:  # this mode cannot hold the run
                new_costs.append(1 << 60)
                came.append(m)
                continue
            entry = [costs[p] + (0 if p == m else head[m]) for p in range(3)]
            prev = entry.index(min(entry))
            new_costs.append(entry[prev] + _sixths(m, chunk))
            came.append(prev)
        costs = new_costs
        choices.append(tuple(came))
    mode = min(range(3), key=costs.__getitem__)
    chosen = [0] * len(runs)
    for i in range(len(runs) - 1, -1, -1):
        chosen[i] = mode
        mode = choices[i][mode]
    segments: list[tuple[int, str]] = []
    for (_, chunk), m in zip(runs, chosen, strict=True):
        if segments and segments[-1][0] == _MODES[m]:
            segments[-1] = (_MODES[m], segments[-1][1] + chunk)
        else:
            segments.append((_MODES[m], chunk))
    return segments


def _sixths(mode_index: int, chunk: str) -> int:
    if mode_index == 0:
        return 20 * len(chunk)
    if mode_index == 1:
        return 33 * len(chunk)
    return 48 * len(chunk.encode())


def _segment_bits(mode: int, chunk: str, group: int) -> int:
    head = 4 + _COUNT_BITS[mode][group]
    if mode == NUMERIC:
        return head + 10 * (len(chunk) // 3) + (0, 4, 7)[len(chunk) % 3]
    if mode == ALPHANUMERIC:
        return head + 11 * (len(chunk) // 2) + 6 * (len(chunk) % 2)
    return head + 8 * len(chunk.encode())


def _group(version: int) -> int:
    return 0 if version <= 9 else 1 if version <= 26 else 2


def _data_codewords(segments: list[tuple[int, str]], version: int, level: str) -> bytes:
    group = _group(version)
    parts: list[str] = []
    for mode, chunk in segments:
        payload = chunk.encode() if mode == BYTE else chunk
        if len(payload) >= 1 << _COUNT_BITS[mode][group]:
            raise QrCapacityError("segment too long for its character count field")
        parts.append(f"{mode:04b}{len(payload):0{_COUNT_BITS[mode][group]}b}")
        parts.append(_segment_payload(mode, chunk))
    capacity = 8 * _data_capacity(version, level)
    bits = "".join(parts)
    if len(bits) > capacity:
        raise QrCapacityError("segments do not fit this version")
    bits += "0" * min(4, capacity - len(bits))
    bits += "0" * (-len(bits) % 8)
    padding = ("1110110000010001" * (capacity // 16 + 1))[: capacity - len(bits)]
    return int(bits + padding, 2).to_bytes(capacity // 8, "big")


def _segment_payload(mode: int, chunk: str) -> str:
    if mode == NUMERIC:
        return "".join(
            format(int(chunk[i : i + 3]), f"0{(4, 7, 10)[len(chunk[i:i + 3]) - 1]}b")
            for i in range(0, len(chunk), 3)
        )
    if mode == ALPHANUMERIC:
        values = [_ALNUM_VALUE[c] for c in chunk]
        pairs = 0
        for i in range(0, len(values) - 1, 2):
            pairs = (pairs << 11) | (values[i] * 45 + values[i + 1])
        out = format(pairs, f"0{11 * (len(chunk) // 2)}b") if len(chunk) > 1 else ""
        return out + (format(values[-1], "06b") if len(chunk) % 2 else "")
    data = chunk.encode()
    return format(int.from_bytes(data, "big"), f"0{8 * len(data)}b")


def _data_capacity(version: int, level: str) -> int:
    blocks = _NUM_BLOCKS[level][version - 1]
    return raw_modules(version) // 8 - _ECC_PER_BLOCK[level][version - 1] * blocks


# ----------------------------------------------------------------------------- Reed-Solomon

_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i] = _x
    _LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


def _gf_mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]]


@cache
def _ecc_table(degree: int) -> tuple[int, ...]:
    """For each factor f: the generator's non-leading coefficients times f, as one integer."""
    gen = [1]
    for i in range(degree):
        gen = [a ^ _gf_mul(b, _EXP[i]) for a, b in zip([*gen, 0], [0, *gen], strict=True)]
    tail = gen[1:]
    return tuple(int.from_bytes(bytes(_gf_mul(c, f) for c in tail), "big") for f in range(256))


def _ecc(data: bytes, degree: int) -> bytes:
    table = _ecc_table(degree)
    top = 8 * (degree - 1)
    keep = (1 << (8 * degree)) - 1
    rem = 0
    for byte in data:
        rem = ((rem << 8) & keep) ^ table[byte ^ (rem >> top)]
    return rem.to_bytes(degree, "big")


def _add_ecc(data: bytes, version: int, level: str) -> bytes:
    blocks_count = _NUM_BLOCKS[level][version - 1]
    degree = _ECC_PER_BLOCK[level][version - 1]
    raw = raw_modules(version) // 8
    short_count = blocks_count - raw % blocks_count
    short_len = raw // blocks_count - degree  # data codewords in a short block
    blocks: list[bytes] = []
    eccs: list[bytes] = []
    pos = 0
    for i in range(blocks_count):
        size = short_len + (0 if i < short_count else 1)
        blocks.append(data[pos : pos + size])
        eccs.append(_ecc(blocks[-1], degree))
        pos += size
    out = bytearray()
    for i in range(short_len + 1):
        out.extend(b[i] for b in blocks if i < len(b))
    for i in range(degree):
        out.extend(e[i] for e in eccs)
    return bytes(out)
