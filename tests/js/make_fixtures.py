"""Write tests/js/fixtures/python-verdicts.json: cases with the Python reference's verdicts.

The JS verifier (static/js/idcard-verifier/verifier.js) must accept exactly what the
Python reference (the idcard_verifier package) accepts. This script builds many card
tokens and status list tokens (the format's vectors, mutations of them, and hand-made
encodings that are correctly signed but not in the form the service writes), asks the
Python code about each, and saves the answers. tests/js/differential.test.mjs replays them in Node.

Everything is deterministic (Ed25519 is, and the mutations are), so re-running this
gives the same file. Run from the repository root:

    .venv/bin/python tests/js/make_fixtures.py
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import struct
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import cbor2

from idcard.statuslist import sign_status_list
from idcard.tokens import CardClaims, SigningKey, encode_token, jwk, key_set
from idcard_verifier.card import decode_token
from idcard_verifier.cose import InvalidToken, sig_structure
from idcard_verifier.statuslist import InvalidStatusList, read_status_list

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "fixtures" / "python-verdicts.json"
VECTORS = json.loads((ROOT / "docs" / "token-vectors.json").read_text())

KEY = SigningKey.from_private_bytes(bytes.fromhex(VECTORS["signing_key"]["private_key_d_hex"]))
# A second, "retired" key that is still in the key set, and an outsider that is not.
OTHER = SigningKey.from_private_bytes(hashlib.sha256(b"idcard js fixtures: other key").digest())
OUTSIDER = SigningKey.from_private_bytes(hashlib.sha256(b"idcard js fixtures: outsider").digest())
KEYS = key_set([KEY.public_bytes, OTHER.public_bytes])
JWKS = {"keys": [jwk(KEY.kid, KEY.public_bytes), jwk(OTHER.kid, OTHER.public_bytes)]}

TODAY = date(2026, 3, 1)
EPOCH = date(1970, 1, 1)
VECTOR_TOKEN = VECTORS["card_token"]["token"]
VECTOR_MESSAGE = bytes.fromhex(VECTORS["card_token"]["cose_sign1_hex"])
VECTOR_PAYLOAD = bytes.fromhex(VECTORS["card_token"]["payload_hex"])
VECTOR_PROTECTED = bytes.fromhex(VECTORS["card_token"]["protected_hex"])
HANDLE = bytes.fromhex(VECTORS["card_token"]["claims"]["handle_hex"])
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def b32(message: bytes) -> str:
    return base64.b32encode(message).rstrip(b"=").decode("ascii")


def bstr(data: bytes) -> bytes:
    return cbor2.dumps(data)


def long_bstr(data: bytes) -> bytes:
    """A byte string with a needlessly long (2-byte) length head."""
    return b"\x59" + struct.pack(">H", len(data)) + data


def envelope(
    protected: bytes,
    payload: bytes,
    signature: bytes,
    *,
    unprotected: bytes = b"\xa0",
    head: bytes = b"\xd2\x84",
    protected_item: bytes | None = None,
    payload_item: bytes | None = None,
    signature_item: bytes | None = None,
    tail: bytes = b"",
) -> bytes:
    """Assemble a COSE_Sign1 by hand, so any part can be spelled in any way."""
    return (
        head
        + (protected_item or bstr(protected))
        + unprotected
        + (payload_item or bstr(payload))
        + (signature_item or bstr(signature))
        + tail
    )


def sign(key: SigningKey, protected: bytes, payload: bytes) -> bytes:
    return key.private.sign(sig_structure(protected, payload))


def signed(protected: bytes, payload: bytes, key: SigningKey = KEY, **parts: Any) -> bytes:
    """A correctly signed COSE_Sign1 around exactly these protected and payload bytes."""
    return envelope(protected, payload, sign(key, protected, payload), **parts)


def protected_for(key: SigningKey = KEY) -> bytes:
    return cbor2.dumps({1: -8, 4: key.kid}, canonical=True)


def payload(
    version: bytes = b"\x01",
    handle: bytes = b"\x50" + HANDLE,
    expires: bytes = b"\x19\x57\xbc",
    list_id: bytes = b"\x03",
    index: bytes = b"\x1a\x00\x01\x81\xcd",
    head: bytes = b"\xa5",
    extra: bytes = b"",
    tail: bytes = b"",
) -> bytes:
    """The vector's payload map, written field by field so any field can be misspelled."""
    return (
        head
        + b"\x01"
        + version
        + b"\x02"
        + handle
        + b"\x03"
        + expires
        + b"\x04"
        + list_id
        + b"\x05"
        + index
        + extra
        + tail
    )


# --- card tokens ------------------------------------------------------------------------


def token_cases() -> list[tuple[str, Any, date]]:
    cases: list[tuple[str, Any, date]] = [("the vector", VECTOR_TOKEN, TODAY)]
    for when in ("2031-06-30", "2031-07-01", "1970-01-01"):
        cases.append((f"the vector on {when}", VECTOR_TOKEN, date.fromisoformat(when)))
    cases += [(item["why"], item["token"], TODAY) for item in VECTORS["invalid_tokens"]]
    cases.append(("the alg -19 vector", VECTORS["ed25519_alg"]["token"], TODAY))

    # Valid tokens of every size, signed by both keys in the set, and one by an outsider.
    for index, list_id, expires in [
        (0, 0, EPOCH + timedelta(days=20_000)),
        (2**32 - 1, 2**32 - 1, date(9999, 12, 31)),
        (23, 24, TODAY),
        (255, 256, TODAY + timedelta(days=1)),
        (65535, 65536, date(2040, 1, 1)),
    ]:
        claims = CardClaims(HANDLE, expires, list_id, index)
        cases.append((f"valid, index {index} list {list_id}", encode_token(claims, KEY), TODAY))
        cases.append((f"valid, other key, index {index}", encode_token(claims, OTHER), TODAY))
    cases.append(
        (
            "signed by a key not in the set",
            encode_token(CardClaims(HANDLE, date(2031, 6, 30), 3, 1), OUTSIDER),
            TODAY,
        )
    )
    cases.append(
        (
            "expired yesterday",
            encode_token(CardClaims(HANDLE, TODAY - timedelta(days=1), 3, 1), KEY),
            TODAY,
        )
    )
    cases.append(("expires today", encode_token(CardClaims(HANDLE, TODAY, 3, 1), KEY), TODAY))

    # Text: every character changed, every length, odd characters.
    for position in range(len(VECTOR_TOKEN)):
        char = VECTOR_TOKEN[position]
        swapped = ALPHABET[(ALPHABET.index(char) + 1) % 32]
        cases.append(
            (
                f"character {position} changed",
                VECTOR_TOKEN[:position] + swapped + VECTOR_TOKEN[position + 1 :],
                TODAY,
            )
        )
    for length in range(len(VECTOR_TOKEN)):
        cases.append((f"cut to {length} characters", VECTOR_TOKEN[:length], TODAY))
    for suffix in [
        "A",
        "Q",
        "AA",
        "AAA",
        "AAAAAAAA",
        "=",
        "===",
        " ",
        "\n",
        "0",
        "1",
        "8",
        "9",
        "a",
    ]:
        cases.append((f"followed by {suffix!r}", VECTOR_TOKEN + suffix, TODAY))
    for prefix in [" ", "#", "A", "\ufeff"]:
        cases.append((f"preceded by {prefix!r}", prefix + VECTOR_TOKEN, TODAY))
    cases += [
        ("empty", "", TODAY),
        ("513 characters", "A" * 513, TODAY),
        ("512 characters", "A" * 512, TODAY),
        ("padded to a multiple of 8", VECTOR_TOKEN + "=" * (-len(VECTOR_TOKEN) % 8), TODAY),
        ("a space inside", VECTOR_TOKEN[:50] + " " + VECTOR_TOKEN[50:], TODAY),
        ("mixed case", VECTOR_TOKEN[:10].lower() + VECTOR_TOKEN[10:], TODAY),
        (
            "full-width letters",
            "".join(chr(ord(c) + 0xFEE0) if c.isalpha() else c for c in VECTOR_TOKEN),
            TODAY,
        ),
        ("the QR text, not the token", VECTORS["card_token"]["qr_text"], TODAY),
        ("Base32hex alphabet", base64.b32hexencode(VECTOR_MESSAGE).rstrip(b"=").decode(), TODAY),
    ]
    # A token whose last character carries non-zero unused bits (189 % 8 = 5: 1 spare bit).
    last = ALPHABET.index(VECTOR_TOKEN[-1])
    cases.append(("non-zero unused bit", VECTOR_TOKEN[:-1] + ALPHABET[last | 1], TODAY))

    # Bytes: every byte flipped in three ways, dropped, and doubled.
    for position in range(len(VECTOR_MESSAGE)):
        for mask in (0x01, 0x80, 0xFF):
            changed = bytearray(VECTOR_MESSAGE)
            changed[position] ^= mask
            cases.append((f"byte {position} xor {mask:#x}", b32(bytes(changed)), TODAY))
        cases.append(
            (
                f"byte {position} dropped",
                b32(VECTOR_MESSAGE[:position] + VECTOR_MESSAGE[position + 1 :]),
                TODAY,
            )
        )
        cases.append(
            (
                f"byte {position} doubled",
                b32(VECTOR_MESSAGE[: position + 1] + VECTOR_MESSAGE[position:]),
                TODAY,
            )
        )

    # Correctly signed, but not the form the service writes.
    p, q = VECTOR_PROTECTED, VECTOR_PAYLOAD
    s = sign(KEY, p, q)
    kid = KEY.kid
    hand_made: list[tuple[str, bytes]] = [
        ("rebuilt vector (sanity)", signed(p, q)),
        ("tag 18 in a 2-byte head", signed(p, q, head=b"\xd8\x12\x84")),
        ("tag 55799 around the envelope", signed(p, q, head=b"\xd9\xd9\xf7\xd2\x84")),
        ("tag 98 instead of 18", signed(p, q, head=b"\xd8\x62\x84")),
        ("untagged", signed(p, q, head=b"\x84")),
        ("indefinite-length array", signed(p, q, head=b"\xd2\x9f", tail=b"\xff")),
        ("3-element array", b"\xd2\x83" + bstr(p) + b"\xa0" + bstr(q)),
        ("5-element array", signed(p, q, head=b"\xd2\x85", tail=b"\x40")),
        ("protected in a long head", signed(p, q, protected_item=long_bstr(p))),
        ("payload in a long head", signed(p, q, payload_item=long_bstr(q))),
        ("signature in a long head", envelope(p, q, s, signature_item=long_bstr(s))),
        ("payload as indefinite bytes", signed(p, q, payload_item=b"\x5f" + bstr(q) + b"\xff")),
        ("nil payload", envelope(p, q, s, payload_item=b"\xf6")),
        ("payload in tag 24", signed(p, q, payload_item=b"\xd8\x18" + bstr(q))),
        ("63-byte signature", envelope(p, q, s[:63])),
        ("65-byte signature", envelope(p, q, s + b"\x00")),
        ("unprotected as indefinite empty map", signed(p, q, unprotected=b"\xbf\xff")),
        ("unprotected as empty array", signed(p, q, unprotected=b"\x80")),
        ("unprotected with kid too", signed(p, q, unprotected=b"\xa1\x04\x48" + kid)),
        ("unprotected with content type", signed(p, q, unprotected=b"\xa1\x03\x00")),
        ("unprotected with a text label", signed(p, q, unprotected=b"\xa1\x61\x78\x00")),
        ("kid only unprotected", signed(b"\xa1\x01\x27", q, unprotected=b"\xa1\x04\x48" + kid)),
        ("empty protected bytes", signed(b"", q, unprotected=b"\xa2\x01\x27\x04\x48" + kid)),
        ("protected keys in the other order", signed(b"\xa2\x04\x48" + kid + b"\x01\x27", q)),
        ("protected alg in a long head", signed(b"\xa2\x01\x38\x07\x04\x48" + kid, q)),
        ("protected alg as a bignum", signed(b"\xa2\x01\xc3\x41\x07\x04\x48" + kid, q)),
        ("protected alg -7 (ES256)", signed(b"\xa2\x01\x26\x04\x48" + kid, q)),
        ("protected alg -19 (Ed25519, RFC 9864)", signed(b"\xa2\x01\x32\x04\x48" + kid, q)),
        ("protected alg -19 in a long head", signed(b"\xa2\x01\x38\x12\x04\x48" + kid, q)),
        ("protected alg -9", signed(b"\xa2\x01\x28\x04\x48" + kid, q)),
        ("protected alg as text", signed(b"\xa2\x01\x65EdDSA\x04\x48" + kid, q)),
        ("protected alg -8.0", signed(b"\xa2\x01\xf9\xc8\x00\x04\x48" + kid, q)),
        ("protected with content type", signed(b"\xa3\x01\x27\x03\x00\x04\x48" + kid, q)),
        ("protected with crit", signed(b"\xa3\x01\x27\x02\x81\x03\x04\x48" + kid, q)),
        ("protected with typ", signed(b"\xa3\x01\x27\x04\x48" + kid + b"\x10\x61\x78", q)),
        ("protected as indefinite map", signed(b"\xbf\x01\x27\x04\x48" + kid + b"\xff", q)),
        ("protected with a duplicate alg", signed(b"\xa3\x01\x27\x01\x27\x04\x48" + kid, q)),
        ("protected kid in a long head", signed(b"\xa2\x01\x27\x04\x58\x08" + kid, q)),
        ("protected kid as text", signed(b"\xa2\x01\x27\x04\x70" + kid.hex().encode(), q)),
        ("protected kid 7 bytes", signed(b"\xa2\x01\x27\x04\x47" + kid[:7], q)),
        ("protected kid 9 bytes", signed(b"\xa2\x01\x27\x04\x49" + kid + b"\x00", q)),
        ("protected kid in tag 55799", signed(b"\xa2\x01\x27\x04\xd9\xd9\xf7\x48" + kid, q)),
        ("protected in tag 55799", signed(b"\xd9\xd9\xf7" + p, q)),
        ("protected followed by a byte", signed(p + b"\x00", q)),
        ("protected with a bool label", signed(b"\xa3\x01\x27\x04\x48" + kid + b"\xf5\x00", q)),
        ("protected with a float label", signed(b"\xa2\xf9\x3c\x00\x27\x04\x48" + kid, q)),
        ("protected as an array", signed(b"\x82\x01\x27", q)),
        ("payload with trailing byte", signed(p, q + b"\x00")),
        ("payload keys out of order", signed(p, b"\xa5\x02\x50" + HANDLE + b"\x01\x01" + q[21:])),
        ("payload as indefinite map", signed(p, payload(head=b"\xbf", tail=b"\xff"))),
        ("payload version in a long head", signed(p, payload(version=b"\x18\x01"))),
        ("payload version true", signed(p, payload(version=b"\xf5"))),
        ("payload version 1.0", signed(p, payload(version=b"\xf9\x3c\x00"))),
        ("payload version as a bignum", signed(p, payload(version=b"\xc2\x41\x01"))),
        ("payload version 0", signed(p, payload(version=b"\x00"))),
        ("payload version 2", signed(p, payload(version=b"\x02"))),
        ("payload handle 15 bytes", signed(p, payload(handle=b"\x4f" + HANDLE[:15]))),
        ("payload handle 17 bytes", signed(p, payload(handle=b"\x51" + HANDLE + b"\x00"))),
        ("payload handle as text", signed(p, payload(handle=b"\x70" + b"A" * 16))),
        ("payload handle indefinite", signed(p, payload(handle=b"\x5f\x50" + HANDLE + b"\xff"))),
        ("payload handle long head", signed(p, payload(handle=b"\x58\x10" + HANDLE))),
        ("payload expiry in a 4-byte head", signed(p, payload(expires=b"\x1a\x00\x00\x57\xbc"))),
        ("payload expiry as a float", signed(p, payload(expires=b"\xfa\x46\xaf\x78\x00"))),
        ("payload expiry negative", signed(p, payload(expires=b"\x20"))),
        ("payload expiry as a bignum", signed(p, payload(expires=b"\xc2\x42\x57\xbc"))),
        ("payload expiry 9999-12-31", signed(p, payload(expires=b"\x1a\x00\x2c\xc0\xa0"))),
        ("payload expiry past 9999-12-31", signed(p, payload(expires=b"\x1a\x00\x2c\xc0\xa1"))),
        ("payload expiry 2^64-1", signed(p, payload(expires=b"\x1b" + b"\xff" * 8))),
        ("payload list id 2^32-1", signed(p, payload(list_id=b"\x1a\xff\xff\xff\xff"))),
        (
            "payload list id 2^32",
            signed(p, payload(list_id=b"\x1b\x00\x00\x00\x01\x00\x00\x00\x00")),
        ),
        ("payload list id -1", signed(p, payload(list_id=b"\x20"))),
        ("payload list id as text", signed(p, payload(list_id=b"\x61\x33"))),
        ("payload list id null", signed(p, payload(list_id=b"\xf6"))),
        (
            "payload index in an 8-byte head",
            signed(p, payload(index=b"\x1b\x00\x00\x00\x00\x00\x01\x81\xcd")),
        ),
        (
            "payload index in tag 55799",
            signed(p, payload(index=b"\xd9\xd9\xf7\x1a\x00\x01\x81\xcd")),
        ),
        ("payload index 2^32", signed(p, payload(index=b"\x1b\x00\x00\x00\x01\x00\x00\x00\x00"))),
        ("payload with field 6", signed(p, payload(head=b"\xa6", extra=b"\x06\x00"))),
        ("payload with a text field", signed(p, payload(head=b"\xa6", extra=b"\x61\x78\x00"))),
        ("payload with field 5 twice", signed(p, payload(head=b"\xa6", extra=b"\x05\x00"))),
        ("payload with field 0", signed(p, b"\xa6\x00\x00" + q[1:])),
        ("payload without field 5", signed(p, q[:-6].replace(b"\xa5", b"\xa4", 1))),
        (
            "payload as an array",
            signed(p, b"\x85" + b"\x01\x50" + HANDLE + b"\x19\x57\xbc\x03\x1a\x00\x01\x81\xcd"),
        ),
        ("payload map with float label 1.0", signed(p, b"\xa5\xf9\x3c\x00\x01" + q[3:])),
        ("payload map with true label", signed(p, b"\xa5\xf5\x01" + q[3:])),
        (
            "payload text in place of bytes",
            envelope(p, q, s, payload_item=cbor2.dumps(q.decode("latin-1"))),
        ),
        ("signature by an outsider under our kid", envelope(p, q, sign(OUTSIDER, p, q))),
        (
            "other key's kid with our signature",
            envelope(protected_for(OTHER), q, sign(KEY, protected_for(OTHER), q)),
        ),
        ("all zero signature", envelope(p, q, bytes(64))),
        (
            "signature with S + L (malleated)",
            envelope(
                p,
                q,
                s[:32]
                + (
                    int.from_bytes(s[32:], "little")
                    + 2**252
                    + 27742317777372353535851937790883648493
                ).to_bytes(32, "little"),
            ),
        ),
    ]
    cases += [(why, b32(message), TODAY) for why, message in hand_made]

    # Not strings at all.
    cases += [("number", 12345, TODAY), ("null", None, TODAY), ("list", [VECTOR_TOKEN], TODAY)]
    return cases


def python_token_verdict(token: Any, today: date) -> dict[str, Any]:
    try:
        claims = decode_token(token, KEYS, today=today)
    except InvalidToken:
        return {"valid": False}
    return {
        "valid": True,
        "claims": {
            "handle_hex": claims.handle.hex(),
            "expires_on_days": (claims.expires_on - EPOCH).days,
            "list_id": claims.list_id,
            "index": claims.index,
        },
    }


# --- status lists -----------------------------------------------------------------------

IAT = VECTORS["status_list"]["iat"]
EXP = VECTORS["status_list"]["exp"]
URI = VECTORS["status_list"]["uri"]
LIST_PROTECTED = bytes.fromhex(VECTORS["status_list"]["protected_hex"])


def raw_bits(invalid: list[int], entries: int = 131_072) -> bytes:
    raw = bytearray(entries // 8)
    for index in invalid:
        raw[index >> 3] |= 1 << (index & 7)
    return bytes(raw)


VECTOR_RAW = raw_bits([0, 3, 98765, 131071])
CLEAR_RAW = raw_bits([0, 3, 131071])  # the vector card (index 98765) valid


def claims_cbor(
    raw: bytes = VECTOR_RAW,
    *,
    lst: bytes | None = None,
    sub: Any = URI,
    exp: Any = EXP,
    iat: Any = IAT,
    ttl: Any = 3600,
    list_id: Any = 3,
    bits: Any = 1,
    extra: dict[Any, Any] | None = None,
    drop: tuple[Any, ...] = (),
) -> bytes:
    status = {"bits": bits, "lst": zlib.compress(raw, 9) if lst is None else lst}
    claims = {2: sub, 4: exp, 6: iat, 65533: status, 65534: ttl, -65537: list_id, **(extra or {})}
    return cbor2.dumps({k: v for k, v in claims.items() if k not in drop})


def list_cwt(
    payload_bytes: bytes, protected: bytes = LIST_PROTECTED, key: SigningKey = KEY, **parts: Any
) -> bytes:
    return signed(protected, payload_bytes, key, **parts)


def list_protected(key: SigningKey) -> bytes:
    return cbor2.dumps({1: -8, 4: key.kid, 16: "application/statuslist+cwt"}, canonical=True)


def status_list_cases() -> list[tuple[str, bytes, int]]:
    vector = bytes.fromhex(VECTORS["status_list"]["status_list_cwt_hex"])
    good = claims_cbor()
    kid = KEY.kid
    typ = cbor2.dumps("application/statuslist+cwt")
    lst = zlib.compress(VECTOR_RAW, 9)
    with_claim_8 = good.replace(b"\xa6", b"\xa7", 1)  # room for one more claim, appended
    cases: list[tuple[str, bytes, int]] = [
        ("the vector", vector, IAT),
        ("the vector a second before exp", vector, EXP - 1),
        ("the vector at exp", vector, EXP),
        ("the vector before iat", vector, IAT - 3600),
        ("rebuilt vector claims", list_cwt(good), IAT),
        ("vector card clear", list_cwt(claims_cbor(CLEAR_RAW)), IAT),
        (
            "signed by the other key",
            list_cwt(claims_cbor(CLEAR_RAW), list_protected(OTHER), OTHER),
            IAT,
        ),
        ("signed by an outsider", list_cwt(good, list_protected(OUTSIDER), OUTSIDER), IAT),
        (
            "alg -19 (Ed25519, RFC 9864)",
            list_cwt(good, cbor2.dumps({1: -19, 4: kid, 16: "application/statuslist+cwt"},
                                       canonical=True)),
            IAT,
        ),
        ("the alg -19 vector", bytes.fromhex(VECTORS["ed25519_alg"]["status_list_cwt_hex"]), IAT),
        ("list id 7", list_cwt(claims_cbor(list_id=7)), IAT),
        ("list id 2^32-1", list_cwt(claims_cbor(list_id=2**32 - 1)), IAT),
        ("list id 2^64-1", list_cwt(claims_cbor(list_id=2**64 - 1)), IAT),
        ("list id as a bignum", list_cwt(claims_cbor(list_id=cbor2.CBORTag(2, b"\x03"))), IAT),
        ("list id negative", list_cwt(claims_cbor(list_id=-3)), IAT),
        ("list id as text", list_cwt(claims_cbor(list_id="3")), IAT),
        ("list id true", list_cwt(claims_cbor(list_id=True)), IAT),
        ("no list id", list_cwt(claims_cbor(drop=(-65537,))), IAT),
        ("no sub", list_cwt(claims_cbor(drop=(2,))), IAT),
        ("sub as bytes", list_cwt(claims_cbor(sub=URI.encode())), IAT),
        ("no iat", list_cwt(claims_cbor(drop=(6,))), IAT),
        ("iat as a float", list_cwt(claims_cbor(iat=float(IAT))), IAT),
        ("iat negative", list_cwt(claims_cbor(iat=-1)), IAT),
        ("iat 9999-12-31T23:59:59", list_cwt(claims_cbor(iat=253402300799)), IAT),
        ("iat in year 10000", list_cwt(claims_cbor(iat=253402300800)), IAT),
        ("exp in year 10000", list_cwt(claims_cbor(exp=253402300800)), IAT),
        ("exp 2^64-1", list_cwt(claims_cbor(exp=2**64 - 1)), IAT),
        ("exp 9999-12-31T23:59:59", list_cwt(claims_cbor(exp=253402300799)), IAT),
        ("exp as a float", list_cwt(claims_cbor(exp=float(EXP))), IAT),
        ("no exp", list_cwt(claims_cbor(drop=(4,))), IAT),
        ("ttl 0", list_cwt(claims_cbor(ttl=0)), IAT),
        ("ttl 2^64-1", list_cwt(claims_cbor(ttl=2**64 - 1)), IAT),
        ("ttl negative", list_cwt(claims_cbor(ttl=-1)), IAT),
        ("no ttl", list_cwt(claims_cbor(drop=(65534,))), IAT),
        ("bits 2", list_cwt(claims_cbor(bits=2)), IAT),
        ("bits true", list_cwt(claims_cbor(bits=True)), IAT),
        ("bits 1.0", list_cwt(claims_cbor(bits=1.0)), IAT),
        ("bits as a bignum", list_cwt(claims_cbor(bits=cbor2.CBORTag(2, b"\x01"))), IAT),
        (
            "lst followed by junk",
            list_cwt(claims_cbor(lst=zlib.compress(VECTOR_RAW, 9) + b"junk")),
            IAT,
        ),
        (
            "lst followed by one zero byte",
            list_cwt(claims_cbor(lst=zlib.compress(VECTOR_RAW, 9) + b"\x00")),
            IAT,
        ),
        (
            "lst followed by a second stream",
            list_cwt(claims_cbor(lst=zlib.compress(VECTOR_RAW, 9) * 2)),
            IAT,
        ),
        ("lst truncated", list_cwt(claims_cbor(lst=zlib.compress(VECTOR_RAW, 9)[:-1])), IAT),
        (
            "lst with a bad checksum",
            list_cwt(claims_cbor(lst=zlib.compress(VECTOR_RAW, 9)[:-1] + b"\x00")),
            IAT,
        ),
        ("lst raw deflate", list_cwt(claims_cbor(lst=zlib.compress(VECTOR_RAW, 9)[2:-4])), IAT),
        ("lst gzip", list_cwt(claims_cbor(lst=gzip.compress(VECTOR_RAW, mtime=0))), IAT),
        ("lst at level 0", list_cwt(claims_cbor(lst=zlib.compress(VECTOR_RAW, 0))), IAT),
        ("lst empty bytes", list_cwt(claims_cbor(lst=b"")), IAT),
        ("lst of nothing", list_cwt(claims_cbor(b"")), IAT),
        ("lst of 1 byte", list_cwt(claims_cbor(b"\x01")), IAT),
        ("lst of exactly 1 MiB", list_cwt(claims_cbor(bytes(1 << 20))), IAT),
        ("lst of 1 MiB + 1", list_cwt(claims_cbor(bytes((1 << 20) + 1))), IAT),
        ("lst as text", list_cwt(claims_cbor(lst="x")), IAT),
        (
            "lst indefinite bytes",
            list_cwt(good.replace(b"\x63lst" + bstr(lst), b"\x63lst\x5f" + bstr(lst) + b"\xff", 1)),
            IAT,
        ),
        (
            "status_list as an array",
            list_cwt(
                cbor2.dumps(
                    {
                        2: URI,
                        4: EXP,
                        6: IAT,
                        65533: [1, zlib.compress(VECTOR_RAW, 9)],
                        65534: 3600,
                        -65537: 3,
                    }
                )
            ),
            IAT,
        ),
        ("no status_list", list_cwt(claims_cbor(drop=(65533,))), IAT),
        ("claims as an array", list_cwt(cbor2.dumps([URI, EXP, IAT])), IAT),
        (
            "claims in canonical order",
            list_cwt(cbor2.dumps(cbor2.loads(good), canonical=True)),
            IAT,
        ),
        ("claims followed by a byte", list_cwt(good + b"\x00"), IAT),
        ("claims as an indefinite map", list_cwt(b"\xbf" + good[1:] + b"\xff"), IAT),
        ("claims in tag 55799", list_cwt(b"\xd9\xd9\xf7" + good), IAT),
        (
            "claims with extra claims",
            list_cwt(
                claims_cbor(
                    extra={
                        1: "https://id.example-city.gov",
                        7: b"\x01\x02",
                        "x": [1.5, None, True, {"a": b""}],
                    }
                )
            ),
            IAT,
        ),
        (
            "claims with an unknown tag",
            list_cwt(claims_cbor(extra={8: cbor2.CBORTag(300, 1)})),
            IAT,
        ),
        ("claims with a simple value", list_cwt(with_claim_8 + b"\x08\xf0"), IAT),
        ("claims with undefined", list_cwt(with_claim_8 + b"\x08\xf7"), IAT),
        ("claims with a half float", list_cwt(with_claim_8 + b"\x08\xf9\x3c\x00"), IAT),
        ("claims with a bad datetime tag", list_cwt(with_claim_8 + b"\x08\xc0\x61a"), IAT),
        ("claims with invalid UTF-8", list_cwt(with_claim_8 + b"\x08\x62\xc3\x28"), IAT),
        ("claims with a reserved byte", list_cwt(with_claim_8 + b"\x08\xfc"), IAT),
        (
            "iat twice, the last one wins",
            list_cwt(with_claim_8 + b"\x06\x1a" + struct.pack(">I", IAT - 100)),
            IAT,
        ),
        (
            "iat repeated as 6.0",
            list_cwt(with_claim_8 + b"\xf9\x46\x00\x1a" + struct.pack(">I", IAT - 100)),
            IAT,
        ),
        (
            "list id repeated as a bignum key",
            list_cwt(with_claim_8 + b"\xc3\x43\x01\x00\x00\x07"),
            IAT,
        ),
        (
            "iat in an 8-byte head",
            list_cwt(
                good.replace(
                    b"\x06\x1a" + struct.pack(">I", IAT),
                    b"\x06\x1b\x00\x00\x00\x00" + struct.pack(">I", IAT),
                    1,
                )
            ),
            IAT,
        ),
        (
            "lst before bits",
            list_cwt(
                good.replace(
                    b"\xa2\x64bits\x01\x63lst" + bstr(lst),
                    b"\xa2\x63lst" + bstr(lst) + b"\x64bits\x01",
                    1,
                )
            ),
            IAT,
        ),
        ("header without typ", list_cwt(good, cbor2.dumps({1: -8, 4: kid}, canonical=True)), IAT),
        (
            "header typ as bytes",
            list_cwt(
                good,
                b"\xa3\x01\x27\x04\x48" + kid + b"\x10\x58\x1a" + b"application/statuslist+cwt",
            ),
            IAT,
        ),
        (
            "header typ +jwt",
            list_cwt(
                good, cbor2.dumps({1: -8, 4: kid, 16: "application/statuslist+jwt"}, canonical=True)
            ),
            IAT,
        ),
        (
            "header typ with BOM",
            list_cwt(
                good,
                cbor2.dumps(
                    {1: -8, 4: kid, 16: "\ufeffapplication/statuslist+cwt"}, canonical=True
                ),
            ),
            IAT,
        ),
        (
            "header typ as CoAP number",
            list_cwt(good, cbor2.dumps({1: -8, 4: kid, 16: 61}, canonical=True)),
            IAT,
        ),
        (
            "header with an extra label",
            list_cwt(
                good,
                cbor2.dumps(
                    {1: -8, 3: 0, 4: kid, 16: "application/statuslist+cwt"}, canonical=True
                ),
            ),
            IAT,
        ),
        (
            "header typ in a long head",
            list_cwt(good, LIST_PROTECTED.replace(b"\x10\x78\x1a", b"\x10\x79\x00\x1a", 1)),
            IAT,
        ),
        (
            "typ unprotected",
            list_cwt(
                good, cbor2.dumps({1: -8, 4: kid}, canonical=True), unprotected=b"\xa1\x10" + typ
            ),
            IAT,
        ),
        ("a card token, not a list", VECTOR_MESSAGE, IAT),
        ("empty bytes", b"", IAT),
    ]
    for position in range(0, len(vector)):
        changed = bytearray(vector)
        changed[position] ^= 0x01
        cases.append((f"vector byte {position} xor 0x01", bytes(changed), IAT))
    return cases


def python_list_verdict(cwt: bytes, now: int) -> dict[str, Any]:
    try:
        status_list = read_status_list(cwt, KEYS, now=datetime.fromtimestamp(now, UTC))
    except InvalidStatusList:
        return {"valid": False}
    raw = status_list.bits
    # list_id and ttl as text: they may be past what a JSON number holds exactly.
    return {
        "valid": True,
        "list_id": str(status_list.list_id),
        "uri": status_list.uri,
        "iat": int(status_list.issued_at.timestamp()),
        "exp": int(status_list.expires_at.timestamp()),
        "ttl": str(status_list.ttl_seconds),
        "raw_bytes": len(raw),
        "raw_sha256_hex": hashlib.sha256(raw).hexdigest(),
        "invalid_indexes_sample": [
            i for i in (0, 1, 3, 98765, 131071) if i < len(raw) * 8 and raw[i >> 3] >> (i & 7) & 1
        ],
    }


def main() -> None:
    tokens = []
    for why, token, today in token_cases():
        tokens.append(
            {
                "why": why,
                "token": token,
                "today": today.isoformat(),
                **python_token_verdict(token, today),
            }
        )
    lists = []
    for why, cwt, now in status_list_cases():
        lists.append(
            {"why": why, "cwt_hex": cwt.hex(), "now": now, **python_list_verdict(cwt, now)}
        )
    # A signed list in which the vector card is valid, for the end-to-end checks.
    clear = sign_status_list(
        CLEAR_RAW, 3, KEY, issued_at=datetime.fromtimestamp(IAT, UTC), ttl_seconds=3600, uri=URI
    )
    # Cards in list 3 at chosen indexes, for the status bit checks (the last is past the end).
    status_tokens = [
        {
            "index": index,
            "token": encode_token(CardClaims(HANDLE, date(2031, 6, 30), 3, index), KEY),
        }
        for index in (0, 1, 2, 3, 4, 98764, 98765, 98766, 131070, 131071, 131072, 2**32 - 1)
    ]
    fixture = {
        "about": "Generated by tests/js/make_fixtures.py from idcard_verifier/card.py and "
        "idcard_verifier/statuslist.py: each case carries the Python reference's verdict.",
        "jwks": JWKS,
        "outsider_jwk": jwk(OUTSIDER.kid, OUTSIDER.public_bytes),
        "clear_status_list": {
            "cwt_hex": clear.hex(),
            "list_id": 3,
            "iat": IAT,
            "exp": EXP,
            "invalid_indexes": [0, 3, 131071],
        },
        "status_tokens": status_tokens,
        "tokens": tokens,
        "status_lists": lists,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n")
    valid_tokens = sum(case["valid"] for case in tokens)
    valid_lists = sum(case["valid"] for case in lists)
    print(
        f"{OUT}: {len(tokens)} tokens ({valid_tokens} valid), "
        f"{len(lists)} status lists ({valid_lists} valid)"
    )


if __name__ == "__main__":
    main()
