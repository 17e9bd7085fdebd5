"""The card's QR encoder: the same symbols as the qrcode package, chosen by penalty."""

from __future__ import annotations

import random
import string

import pytest
import qrcode
import qrcode.util
import zxingcpp
from PIL import Image

from idcard.cardprint import qr

LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
MODES = {
    qr.NUMERIC: qrcode.util.MODE_NUMBER,
    qr.ALPHANUMERIC: qrcode.util.MODE_ALPHA_NUM,
    qr.BYTE: qrcode.util.MODE_8BIT_BYTE,
}


def _reference(segments: list[tuple[int, str]], version: int, level: str, mask: int) -> list:
    code = qrcode.QRCode(version=version, error_correction=LEVELS[level], mask_pattern=mask)
    for mode, chunk in segments:
        code.add_data(qrcode.util.QRData(chunk.encode(), mode=MODES[mode], check_data=False))
    code.make(fit=False)
    return code.modules


def _transpose_bits(matrix: qr.QrMatrix) -> int:
    n = matrix.size
    return sum(1 << (x * n + y) for y in range(n) for x in range(n) if matrix.is_dark(y, x))


def _payloads(count: int) -> list[tuple[str, str]]:
    rng = random.Random(20261122)
    out = []
    for _ in range(count):
        level = rng.choice("LMQH")
        kind = rng.random()
        if kind < 0.4:
            size = rng.randint(1, 260)
            token = "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(size))
            text = "https://id.example.org/v#" + token
        elif kind < 0.6:
            text = "".join(rng.choice(string.digits) for _ in range(rng.randint(1, 400)))
        else:
            size = rng.randint(1, 150)
            text = "".join(rng.choice(string.printable[:94] + "éü€") for _ in range(size))
        out.append((text, level))
    return out


@pytest.mark.parametrize(("text", "level"), _payloads(40))
def test_matrix_and_penalties_match_the_qrcode_package(text: str, level: str) -> None:
    chosen = qr.encode(text, level)
    segments, version = qr._fit(text, level)
    assert chosen.version == version
    scores = []
    for mask in range(8):
        mine = qr.encode_segments(segments, version, level, mask=mask)
        reference = _reference(segments, version, level, mask)
        assert mine.rows() == ["".join("1" if m else "0" for m in row) for row in reference]
        score = qr.penalty(mine.bits, _transpose_bits(mine), mine.size)
        assert score == qrcode.util.lost_point(reference)
        scores.append(score)
    assert chosen.mask == scores.index(min(scores))  # the standard's rule: lowest penalty


def test_alignment_patterns_match_the_standard_table() -> None:
    for version in range(1, 41):
        assert qr.alignment_positions(version) == list(qrcode.util.pattern_position(version))


@pytest.mark.parametrize(
    "text",
    [
        "https://id.example.org/v#" + "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZPJ" * 4,
        "0123456789" * 9,
        "HELLO WORLD $%*+-./:",
        "mixed Text 123 with ÜTF-8 é",
    ],
)
def test_symbols_decode_to_exactly_the_text(text: str) -> None:
    matrix = qr.encode(text, "M")
    scale, quiet = 4, 4
    side = (matrix.size + 2 * quiet) * scale
    image = Image.new("L", (side, side), 255)
    for y, row in enumerate(matrix.rows()):
        for x, bit in enumerate(row):
            if bit == "1":
                left, top = (x + quiet) * scale, (y + quiet) * scale
                image.paste(0, (left, top, left + scale, top + scale))
    found = zxingcpp.read_barcodes(image)
    assert [b.text for b in found] == [text]


def test_a_card_token_url_fits_version_10_at_level_m() -> None:
    # COSE_Sign1 with an Ed25519 signature and a small payload is ~120 bytes: 192 Base32.
    token = "".join(random.Random(1).choice(string.ascii_uppercase + "234567") for _ in range(192))
    matrix = qr.encode("https://id.example-city.gov/v#" + token, "M")
    assert matrix.version <= 10


def test_text_too_long_for_any_version_is_refused() -> None:
    with pytest.raises(qr.QrCapacityError):
        qr.encode("x" * 3000, "H")
