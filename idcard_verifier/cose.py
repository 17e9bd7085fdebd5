"""COSE_Sign1 (RFC 9052) signed with Ed25519, read strictly: the envelope of every card
token and status list.

Everything wrong raises the same `InvalidToken`: a verifier answers one bit and never
needs to know why a message failed.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

COSE_SIGN1_TAG = 18
HEADER_ALG = 1
HEADER_CRIT = 2
HEADER_KID = 4
HEADER_TYPE = 16  # COSE "typ" (RFC 9596)
ALG_EDDSA = -8  # RFC 9053; deprecated by RFC 9864 but the one every COSE library knows
ALG_ED25519 = -19  # RFC 9864: the same Ed25519 signatures under a fully specified name
SIGNATURE_ALGS = frozenset({ALG_EDDSA, ALG_ED25519})
SIGNATURE_BYTES = 64
_UNDECODABLE = object()


class InvalidToken(Exception):
    """A token or COSE message that does not verify, for whatever reason.

    `done` counts the steps of checking a card token (`idcard_verifier.card.Step`) that
    ran to their end before the refusal, so a server can spend the rest on a throwaway
    token and make every refusal cost the same.
    """

    def __init__(self, reason: str, *, done: int = 0) -> None:
        super().__init__(reason)
        self.done = done


def loads_exact(data: bytes) -> Any:
    """Decode one CBOR item that must fill `data` exactly; raise InvalidToken otherwise."""
    stream = io.BytesIO(data)
    try:
        item = cbor2.CBORDecoder(stream).decode()
    except Exception:  # cbor2 raises many types on hostile input; all mean "not ours"
        item = _UNDECODABLE  # refused below, outside this handler: no exception chain to build
    if item is _UNDECODABLE:
        raise InvalidToken("malformed CBOR")
    if stream.tell() != len(data):
        raise InvalidToken("trailing bytes after CBOR item")
    return item


def is_canonical(item: Any, data: bytes) -> bool:
    """Tell whether `data` is the deterministic (length-first) encoding of `item`."""
    try:
        return cbor2.dumps(item, canonical=True) == data
    except Exception:  # e.g. a cyclic structure built from shared-value tags
        return False


def sig_structure(protected: bytes, payload: bytes) -> bytes:
    """Build the bytes Ed25519 signs (RFC 9052 section 4.4), with empty external AAD."""
    return cbor2.dumps(["Signature1", protected, b"", payload])


def encode_sign1(protected: bytes, payload: bytes, signature: bytes) -> bytes:
    """Encode the tagged COSE_Sign1 array with an empty unprotected header."""
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


@dataclass(frozen=True)
class Sign1:
    """The four parts of a parsed COSE_Sign1, the protected header decoded."""

    protected_bytes: bytes
    protected: dict[Any, Any]
    unprotected: dict[Any, Any]
    payload: bytes
    signature: bytes


def _label_map(item: Any) -> dict[Any, Any]:
    """Check a header map: labels are ints or text (never bools, floats or arrays)."""
    if type(item) is not dict or any(type(label) not in (int, str) for label in item):
        raise InvalidToken("header is not a map of int or text labels")
    return item


def parse_sign1(message: bytes) -> Sign1:
    """Parse a tagged COSE_Sign1 whose algorithm, in the protected header, is Ed25519."""
    return sign1_from_item(loads_exact(message))


def sign1_from_item(item: Any) -> Sign1:
    """Read a decoded CBOR item as a tagged COSE_Sign1 with Ed25519 (-8 or -19) protected."""
    if type(item) is not cbor2.CBORTag or item.tag != COSE_SIGN1_TAG:
        raise InvalidToken("not a tagged COSE_Sign1")
    parts = item.value
    if type(parts) is not list or len(parts) != 4:
        raise InvalidToken("COSE_Sign1 is not a 4-element array")
    protected_bytes, unprotected, payload, signature = parts
    if not all(type(part) is bytes for part in (protected_bytes, payload, signature)):
        raise InvalidToken("COSE_Sign1 parts have the wrong types")  # a nil payload too
    if len(signature) != SIGNATURE_BYTES:
        raise InvalidToken("signature has the wrong length")
    protected = _label_map(loads_exact(protected_bytes)) if protected_bytes else {}
    _check_headers(protected, _label_map(unprotected))
    return Sign1(protected_bytes, protected, unprotected, payload, signature)


def _check_headers(protected: dict[Any, Any], unprotected: dict[Any, Any]) -> None:
    """Require Ed25519 (-8 or -19) protected, no critical extensions, no label twice."""
    alg = protected.get(HEADER_ALG)
    if type(alg) is not int or alg not in SIGNATURE_ALGS:
        raise InvalidToken("algorithm is not Ed25519")
    if HEADER_CRIT in protected or HEADER_CRIT in unprotected:
        raise InvalidToken("critical header parameters are not supported")
    if protected.keys() & unprotected.keys():
        raise InvalidToken("header label in both buckets")


@functools.lru_cache(maxsize=64)
def _verify_key(raw: bytes) -> VerifyKey:
    """Parse a raw public key once: a verifier has a handful of keys, checked very often.

    Verification uses libsodium (PyNaCl): it checks an Ed25519 signature in about half
    the time OpenSSL takes.
    """
    try:
        return VerifyKey(raw)
    except (TypeError, ValueError):
        raise ValueError("a public key must be 32 bytes") from None


def check_signature(message: Sign1, public_key: bytes) -> None:
    """Verify the Ed25519 signature over the Sig_structure."""
    signed = sig_structure(message.protected_bytes, message.payload)
    try:
        _verify_key(public_key).verify(signed, message.signature)
    except BadSignatureError:
        raise InvalidToken("bad signature") from None


def verify_cose_sign1(message: bytes, public_key: bytes) -> bytes:
    """Verify any tagged COSE_Sign1 signed with Ed25519 by `public_key`; return its payload.

    Looser than `open_signed`: a kid may sit in either header and the encoding need not
    be deterministic. It exists for the COSE working group's own example.
    """
    parsed = parse_sign1(message)
    check_signature(parsed, public_key)
    return parsed.payload


def check_form(parsed: Sign1, message: bytes) -> None:
    """Require the form the issuer writes: deterministic encoding, empty unprotected header.

    A kid in the unprotected header is never trusted: it is not signed. Both encodings
    are compared before refusing, so a refusal here costs the whole step.
    """
    canonical_header = is_canonical(parsed.protected, parsed.protected_bytes)
    canonical_envelope = encode_sign1(parsed.protected_bytes, parsed.payload,
                                      parsed.signature) == message
    if parsed.unprotected or not (canonical_header and canonical_envelope):
        raise InvalidToken("envelope is not deterministically encoded")


def signer_key(parsed: Sign1, public_keys: Mapping[bytes, bytes]) -> bytes:
    """The public key named by the protected kid; unknown kids are refused."""
    kid = parsed.protected.get(HEADER_KID)
    if type(kid) is not bytes or kid not in public_keys:
        raise InvalidToken("unknown key id")
    return public_keys[kid]


def open_envelope(message: bytes, public_keys: Mapping[bytes, bytes]) -> tuple[Sign1, bytes]:
    """Parse a COSE_Sign1 in the form the issuer writes; return it with its signer's key."""
    parsed = parse_sign1(message)
    check_form(parsed, message)
    return parsed, signer_key(parsed, public_keys)


def open_signed(message: bytes, public_keys: Mapping[bytes, bytes]) -> tuple[dict[Any, Any], bytes]:
    """Verify a COSE_Sign1 the issuer wrote; return its protected header and payload."""
    parsed, public_key = open_envelope(message, public_keys)
    check_signature(parsed, public_key)
    return parsed.protected, parsed.payload
