"""The card token: upper-case Base32 of a COSE_Sign1 whose payload names a card's status.

The payload is not a CWT: its integer keys 1 to 5 are this format's own fields
(docs/token-format.md section 1.1), not `iss`, `sub`, `aud`, `exp` and `nbf`.
Decoding is strict on purpose: every structure must be exactly what the issuer writes
(deterministic CBOR, no trailing bytes, no extra header or payload fields), so one card
has exactly one token text and a verifier never guesses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum
from typing import Any

import cbor2

from idcard_verifier.cose import (
    HEADER_ALG,
    HEADER_KID,
    InvalidToken,
    Sign1,
    check_form,
    check_signature,
    loads_exact,
    sign1_from_item,
    signer_key,
)

HANDLE_BYTES = 16
TOKEN_VERSION = 1
MAX_TOKEN_CHARS = 512  # a real token is ~190 characters; refuse anything far larger unread
MAX_UINT32 = 2**32 - 1

CLAIM_VERSION = 1
CLAIM_HANDLE = 2
CLAIM_EXPIRES_ON = 3
CLAIM_LIST_ID = 4  # with the issuer's URL, the draft's status_list "uri" (see list_uri)
CLAIM_INDEX = 5  # the draft's status_list "idx"
_CLAIM_KEYS = frozenset({CLAIM_VERSION, CLAIM_HANDLE, CLAIM_EXPIRES_ON, CLAIM_LIST_ID, CLAIM_INDEX})

_EPOCH = date(1970, 1, 1)
_MAX_DAYS = (date.max - _EPOCH).days
_BASE32_TEXT = re.compile(r"[A-Z2-7]+")
# RFC 4648 Base32 digits mapped onto the digits int(..., 32) reads, so decoding runs in C.
_TO_INT_DIGITS = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
                               "0123456789abcdefghijklmnopqrstuv")
_VALID_LENGTHS_MOD_8 = {0, 2, 4, 5, 7}  # what whole bytes can leave as the last group


class Step(IntEnum):
    """The stages of checking a card token, in the order they run."""

    TEXT = 1  # the Base32 text decoded to bytes
    CBOR = 2  # the bytes decoded as one CBOR item (loads_exact), or refused
    ENVELOPE = 3  # the item read as a COSE_Sign1, its headers checked (sign1_from_item)
    FORM = 4  # the envelope compared with the issuer's form (check_form), or refused
    SIGNATURE = 5  # the kid's key found and the signature verified, or refused
    PAYLOAD = 6  # the protected labels checked and the payload decoded (payload_fields)
    CLAIMS = 7  # the payload's fields checked (claims_from_fields)


@dataclass(frozen=True)
class CardClaims:
    """What a card token asserts: an opaque handle, an expiry and a status-list slot."""

    handle: bytes
    expires_on: date
    list_id: int
    index: int
    version: int = TOKEN_VERSION


def claims_payload(claims: CardClaims) -> bytes:
    """Encode claims as the deterministic CBOR payload map (keys 1 to 5 in order)."""
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


def list_uri(issuer_url: str, list_id: int) -> str:
    """The status list a card names, as the draft's status_list "uri" (the list's `sub`)."""
    return f"{issuer_url.rstrip('/')}/api/v1/status-lists/{list_id}"


def token_from_text(text: str) -> str:
    """The token in a scanned text: the fragment of a verify URL, or the text itself."""
    return text.strip().split("#", 1)[-1]


def token_bytes(token: object) -> bytes:
    """Decode canonical upper-case unpadded Base32 of acceptable length (Step.TEXT)."""
    if type(token) is not str or len(token) > MAX_TOKEN_CHARS:
        raise InvalidToken("token is not a string of acceptable length")
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


def payload_fields(message: Sign1) -> Any:
    """Check the protected header's labels and decode the payload (Step.PAYLOAD)."""
    if message.protected.keys() != {HEADER_ALG, HEADER_KID}:
        raise InvalidToken("unexpected protected header parameters")
    return loads_exact(message.payload)


def claims_from_fields(fields: Any, payload: bytes) -> CardClaims:
    """Read the decoded payload: exactly version 1's fields, as the issuer writes them."""
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
    if claims_payload(claims) != payload:
        raise InvalidToken("payload is not deterministically encoded")
    return claims


def decode_token(token: object, public_keys: Mapping[bytes, bytes], *, today: date) -> CardClaims:
    """Verify a token's text, envelope, signature, claims and expiry; return its claims.

    `public_keys` maps key id to raw public key: every key whose cards may still be
    valid. Any failure, an expiry before `today` included, raises InvalidToken, whose
    `done` says how many steps ran to their end.
    """
    done = 0
    try:
        message = token_bytes(token)
        done = Step.TEXT
        try:
            item = loads_exact(message)
        finally:
            done = Step.CBOR  # cbor2 refusing costs more than decoding in full
        envelope = sign1_from_item(item)
        done = Step.ENVELOPE
        try:
            check_form(envelope, message)
        finally:
            done = Step.FORM  # check_form does all its work before it refuses
        public_key = signer_key(envelope, public_keys)
        try:
            check_signature(envelope, public_key)
        finally:
            done = Step.SIGNATURE  # a bad signature cost the whole verification too
        fields = payload_fields(envelope)
        done = Step.PAYLOAD
        claims = claims_from_fields(fields, envelope.payload)
        done = Step.CLAIMS
    except InvalidToken as error:
        error.done = done
        raise
    if claims.expires_on < today:
        raise InvalidToken("card expired", done=Step.CLAIMS)
    return claims
