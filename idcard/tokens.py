"""The card token: a COSE_Sign1 (RFC 9052) envelope signed with Ed25519.

The QR on a card holds `<public_url>/v#<TOKEN>`, where TOKEN is the upper-case,
unpadded Base32 of a tagged COSE_Sign1 whose payload carries a random handle, the
expiry, the card's place in a status list and a format version: nothing personal.
docs/token-format.md describes the format for outside implementers.

Decoding is strict on purpose: every structure must be exactly what `encode_token`
writes (deterministic CBOR, no trailing bytes, no extra header or payload fields), so
one card has exactly one token text and a verifier never guesses. Everything wrong
raises the same `InvalidToken`, because partners learn only "valid" or "not valid".
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

COSE_SIGN1_TAG = 18
HEADER_ALG = 1
HEADER_CRIT = 2
HEADER_KID = 4
ALG_EDDSA = -8

KID_BYTES = 8
HANDLE_BYTES = 16
TOKEN_VERSION = 1
MAX_TOKEN_CHARS = 512  # a real token is ~190 characters; refuse anything far larger unread

CLAIM_VERSION = 1
CLAIM_HANDLE = 2
CLAIM_EXPIRES_ON = 3
CLAIM_LIST_ID = 4
CLAIM_INDEX = 5
_CLAIM_KEYS = frozenset({CLAIM_VERSION, CLAIM_HANDLE, CLAIM_EXPIRES_ON, CLAIM_LIST_ID, CLAIM_INDEX})

MAX_UINT32 = 2**32 - 1
_EPOCH = date(1970, 1, 1)
_MAX_DAYS = (date.max - _EPOCH).days
_BASE32_TEXT = re.compile(r"[A-Z2-7]+")


class InvalidToken(Exception):
    """A token or COSE message that does not verify, for whatever reason.

    `signature_checked` says whether an Ed25519 verification was spent before the
    failure; verifiers use it to make every refusal cost about the same time.
    """

    def __init__(self, reason: str, *, signature_checked: bool = False) -> None:
        super().__init__(reason)
        self.signature_checked = signature_checked


@dataclass(frozen=True)
class CardClaims:
    """What a card token asserts: an opaque handle, an expiry and a status-list slot."""

    handle: bytes
    expires_on: date
    list_id: int
    index: int
    version: int = TOKEN_VERSION


def key_id(public_key: bytes) -> bytes:
    """Derive a key id: the first 8 bytes of SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(public_key).digest()[:KID_BYTES]


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key with the key id verifiers look it up by."""

    private: Ed25519PrivateKey
    kid: bytes

    @classmethod
    def from_private_bytes(cls, raw: bytes) -> SigningKey:
        """Load a raw 32-byte Ed25519 private key (RFC 8032 seed)."""
        private = Ed25519PrivateKey.from_private_bytes(raw)
        return cls(private, key_id(_raw_public(private.public_key())))

    @classmethod
    def generate(cls) -> SigningKey:
        """Create a fresh random signing key."""
        return cls.from_private_bytes(Ed25519PrivateKey.generate().private_bytes_raw())

    @property
    def public_bytes(self) -> bytes:
        """Return the raw 32-byte public key."""
        return _raw_public(self.private.public_key())


def _raw_public(public: Ed25519PublicKey) -> bytes:
    """Return a public key's raw 32 bytes."""
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_set(public_keys: Iterable[bytes]) -> dict[bytes, bytes]:
    """Index raw public keys by their key id, as `decode_token` expects them."""
    return {key_id(public): public for public in public_keys}


def jwk(kid: bytes, public_key: bytes) -> dict[str, str]:
    """Describe a public key as a JWK (RFC 8037), for the published key set."""
    x = base64.urlsafe_b64encode(public_key).rstrip(b"=").decode("ascii")
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid.hex(), "alg": "EdDSA", "use": "sig"}


def new_handle() -> bytes:
    """Return a fresh random 128-bit card handle."""
    return secrets.token_bytes(HANDLE_BYTES)


# --- COSE_Sign1 -------------------------------------------------------------------


def _sig_structure(protected: bytes, payload: bytes) -> bytes:
    """Build the bytes Ed25519 signs (RFC 9052 section 4.4), with empty external AAD."""
    return cbor2.dumps(["Signature1", protected, b"", payload])


def sign_cose(
    payload: bytes, key: SigningKey, extra_headers: Mapping[int, Any] | None = None
) -> bytes:
    """Wrap `payload` in a tagged COSE_Sign1 with alg and kid (plus extras) protected."""
    headers: dict[int, Any] = {HEADER_ALG: ALG_EDDSA, HEADER_KID: key.kid, **(extra_headers or {})}
    protected = cbor2.dumps(headers, canonical=True)
    signature = key.private.sign(_sig_structure(protected, payload))
    return _encode_sign1(protected, payload, signature)


def _encode_sign1(protected: bytes, payload: bytes, signature: bytes) -> bytes:
    """Encode the tagged COSE_Sign1 array with an empty unprotected header."""
    return cbor2.dumps(cbor2.CBORTag(COSE_SIGN1_TAG, [protected, {}, payload, signature]))


def loads_exact(data: bytes) -> Any:
    """Decode one CBOR item that must fill `data` exactly; raise InvalidToken otherwise."""
    stream = io.BytesIO(data)
    try:
        item = cbor2.CBORDecoder(stream).decode()
    except Exception:  # cbor2 raises many types on hostile input; all mean "not ours"
        raise InvalidToken("malformed CBOR") from None
    if stream.tell() != len(data):
        raise InvalidToken("trailing bytes after CBOR item")
    return item


def _is_canonical(item: Any, data: bytes) -> bool:
    """Tell whether `data` is the deterministic encoding of `item`."""
    try:
        return cbor2.dumps(item, canonical=True) == data
    except Exception:  # e.g. a cyclic structure built from shared-value tags
        return False


def _label_map(item: Any) -> dict[Any, Any]:
    """Check a header map: labels are ints or text (never bools, floats or arrays)."""
    if type(item) is not dict or any(type(label) not in (int, str) for label in item):
        raise InvalidToken("header is not a map of int or text labels")
    return item


@dataclass(frozen=True)
class _Sign1:
    """The four parts of a parsed COSE_Sign1, the protected header decoded."""

    protected_bytes: bytes
    protected: dict[Any, Any]
    unprotected: dict[Any, Any]
    payload: bytes
    signature: bytes


def _parse_sign1(message: bytes) -> _Sign1:
    """Parse a tagged COSE_Sign1 whose algorithm, in the protected header, is EdDSA."""
    item = loads_exact(message)
    if type(item) is not cbor2.CBORTag or item.tag != COSE_SIGN1_TAG:
        raise InvalidToken("not a tagged COSE_Sign1")
    parts = item.value
    if type(parts) is not list or len(parts) != 4:
        raise InvalidToken("COSE_Sign1 is not a 4-element array")
    protected_bytes, unprotected, payload, signature = parts
    if not all(type(part) is bytes for part in (protected_bytes, payload, signature)):
        raise InvalidToken("COSE_Sign1 parts have the wrong types")  # a nil payload too
    protected = _label_map(loads_exact(protected_bytes)) if protected_bytes else {}
    _check_headers(protected, _label_map(unprotected))
    return _Sign1(protected_bytes, protected, unprotected, payload, signature)


def _check_headers(protected: dict[Any, Any], unprotected: dict[Any, Any]) -> None:
    """Require EdDSA in the protected bucket, no critical extensions, no label twice."""
    if protected.get(HEADER_ALG) != ALG_EDDSA or type(protected[HEADER_ALG]) is not int:
        raise InvalidToken("algorithm is not EdDSA")
    if HEADER_CRIT in protected or HEADER_CRIT in unprotected:
        raise InvalidToken("critical header parameters are not supported")
    if protected.keys() & unprotected.keys():
        raise InvalidToken("header label in both buckets")


@functools.lru_cache(maxsize=64)
def _public_key(raw: bytes) -> VerifyKey:
    """Parse a raw public key once: a service has a handful of keys, checked very often.

    Verification uses libsodium (PyNaCl): it checks an Ed25519 signature in about half
    the time OpenSSL takes here, and verification is the hot path of the verify API.
    """
    try:
        return VerifyKey(raw)
    except (TypeError, ValueError):
        raise ValueError("a public key must be 32 bytes") from None


def _check_signature(message: _Sign1, public_key: bytes) -> None:
    """Verify the Ed25519 signature over the Sig_structure."""
    if len(message.signature) != 64:
        raise InvalidToken("signature has the wrong length")
    signed = _sig_structure(message.protected_bytes, message.payload)
    try:
        _public_key(public_key).verify(signed, message.signature)
    except BadSignatureError:
        raise InvalidToken("bad signature", signature_checked=True) from None


def verify_cose_sign1(message: bytes, public_key: bytes) -> bytes:
    """Verify any tagged COSE_Sign1 signed with EdDSA by `public_key`; return its payload."""
    parsed = _parse_sign1(message)
    _check_signature(parsed, public_key)
    return parsed.payload


def open_signed(message: bytes, public_keys: Mapping[bytes, bytes]) -> tuple[dict[Any, Any], bytes]:
    """Verify a COSE_Sign1 this service wrote; return its protected header and payload.

    Beyond `verify_cose_sign1`, the envelope must be deterministically encoded, the
    unprotected header empty (a kid there is never trusted) and the protected kid known.
    """
    parsed = _parse_sign1(message)
    if parsed.unprotected or not _is_canonical(parsed.protected, parsed.protected_bytes):
        raise InvalidToken("envelope is not in the form this service writes")
    if _encode_sign1(parsed.protected_bytes, parsed.payload, parsed.signature) != message:
        raise InvalidToken("envelope is not deterministically encoded")
    kid = parsed.protected.get(HEADER_KID)
    if type(kid) is not bytes or kid not in public_keys:
        raise InvalidToken("unknown key id")
    _check_signature(parsed, public_keys[kid])
    return parsed.protected, parsed.payload


# --- the card token ---------------------------------------------------------------


def _check_claims(claims: CardClaims) -> None:
    """Refuse claims the format cannot carry, before anything is signed."""
    if type(claims.handle) is not bytes or len(claims.handle) != HANDLE_BYTES:
        raise ValueError("handle must be 16 bytes")
    if claims.expires_on < _EPOCH:
        raise ValueError("expiry before 1970-01-01")
    for value in (claims.version, claims.list_id, claims.index):
        if type(value) is not int or not 0 <= value <= MAX_UINT32:
            raise ValueError("version, list id and index must be 32-bit unsigned integers")


def _claims_payload(claims: CardClaims) -> bytes:
    """Encode claims as the deterministic CBOR payload map."""
    return cbor2.dumps(
        {
            CLAIM_VERSION: claims.version,
            CLAIM_HANDLE: claims.handle,
            CLAIM_EXPIRES_ON: (claims.expires_on - _EPOCH).days,
            CLAIM_LIST_ID: claims.list_id,
            CLAIM_INDEX: claims.index,
        },
        canonical=True,
    )


def encode_token(claims: CardClaims, key: SigningKey) -> str:
    """Sign the claims and return the token text for the QR."""
    _check_claims(claims)
    message = sign_cose(_claims_payload(claims), key)
    return base64.b32encode(message).rstrip(b"=").decode("ascii")


# RFC 4648 Base32 digits mapped onto the digits int(..., 32) reads, so decoding runs in C.
_TO_INT_DIGITS = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
                               "0123456789abcdefghijklmnopqrstuv")
_VALID_LENGTHS_MOD_8 = {0, 2, 4, 5, 7}  # what whole bytes can leave as the last group


def _from_base32(token: str) -> bytes:
    """Decode canonical upper-case unpadded Base32, refusing any other spelling."""
    if not _BASE32_TEXT.fullmatch(token) or len(token) % 8 not in _VALID_LENGTHS_MOD_8:
        raise InvalidToken("not canonical upper-case Base32")
    size, unused = divmod(5 * len(token), 8)
    value = int(token.translate(_TO_INT_DIGITS), 32)
    # Unused trailing bits must be zero, so no two texts name the same token.
    if value & ((1 << unused) - 1):
        raise InvalidToken("non-canonical Base32")
    return (value >> unused).to_bytes(size, "big")


def _uint(value: Any, maximum: int = MAX_UINT32) -> int:
    """Return `value` if it is a plain unsigned int within range (bools are not ints here)."""
    if type(value) is not int or not 0 <= value <= maximum:
        raise InvalidToken("field is not an unsigned integer in range")
    return value


def _claims_from_payload(payload: bytes) -> CardClaims:
    """Parse the payload map; it must be exactly what `_claims_payload` writes."""
    fields = loads_exact(payload)
    if type(fields) is not dict or fields.get(CLAIM_VERSION) != TOKEN_VERSION:
        raise InvalidToken("unsupported token version")
    if fields.keys() != _CLAIM_KEYS or not all(type(label) is int for label in fields):
        raise InvalidToken("payload fields are not those of version 1")
    handle = fields[CLAIM_HANDLE]
    if type(handle) is not bytes or len(handle) != HANDLE_BYTES:
        raise InvalidToken("handle is not 16 bytes")
    claims = CardClaims(
        handle=handle,
        expires_on=_EPOCH + timedelta(days=_uint(fields[CLAIM_EXPIRES_ON], _MAX_DAYS)),
        list_id=_uint(fields[CLAIM_LIST_ID]),
        index=_uint(fields[CLAIM_INDEX]),
        version=_uint(fields[CLAIM_VERSION]),
    )
    if _claims_payload(claims) != payload:
        raise InvalidToken("payload is not deterministically encoded")
    return claims


def decode_token(token: str, public_keys: Mapping[bytes, bytes], *, today: date) -> CardClaims:
    """Verify a token's signature, version and expiry; return its claims.

    `public_keys` maps key id to raw public key: every key whose cards may still be
    valid (retired keys included, revoked keys left out). Any failure, including an
    expiry before `today`, raises InvalidToken.
    """
    if type(token) is not str or len(token) > MAX_TOKEN_CHARS:
        raise InvalidToken("token is not a string of acceptable length")
    protected, payload = open_signed(_from_base32(token), public_keys)
    try:
        if protected.keys() != {HEADER_ALG, HEADER_KID}:
            raise InvalidToken("unexpected protected header parameters")
        claims = _claims_from_payload(payload)
        if claims.expires_on < today:
            raise InvalidToken("card expired")
    except InvalidToken as error:
        raise InvalidToken(str(error), signature_checked=True) from None
    return claims


def qr_text(public_url: str, token: str) -> str:
    """Return the QR content: the verify page URL with the token in its fragment."""
    return f"{public_url.rstrip('/')}/v#{token}"
