"""Revocation and suspension as a signed bitstring (IETF Token Status List, 1 bit).

Each card owns one random index in one list: bit 0 means valid, 1 means not valid.
The list is published as a Status List Token in CWT form (draft-ietf-oauth-status-list):
a COSE_Sign1 from `idcard.tokens`, so verifiers check it with the same keys as cards.
Lists are large (at least 131,072 entries) so that fetching one says nothing about
which card a verifier holds. Reading a list lives in `idcard_verifier.statuslist`.
"""

from __future__ import annotations

import zlib
from datetime import datetime

import cbor2

from idcard.tokens import SigningKey, sign_cose
from idcard_verifier.card import MAX_UINT32
from idcard_verifier.cose import HEADER_TYPE
from idcard_verifier.statuslist import (
    CLAIM_EXP,
    CLAIM_IAT,
    CLAIM_LIST_ID,
    CLAIM_STATUS_LIST,
    CLAIM_SUB,
    CLAIM_TTL,
    STATUS_BITS,
    STATUS_LIST_TYPE,
    unix_seconds,
)

MIN_STATUS_ENTRIES = 131_072  # 2**17, the herd each card hides in


class StatusBits:
    """A mutable 1-bit status list: entry i is bit (i mod 8) of byte (i div 8), LSB first."""

    def __init__(self, size: int = MIN_STATUS_ENTRIES) -> None:
        if size <= 0 or size % 8:
            raise ValueError("a status list holds a positive multiple of 8 entries")
        self._bytes = bytearray(size // 8)

    @classmethod
    def from_bytes(cls, raw: bytes) -> StatusBits:
        """Wrap raw (uncompressed) status list bytes."""
        bits = cls(len(raw) * 8)
        bits._bytes[:] = raw
        return bits

    def __len__(self) -> int:
        return len(self._bytes) * 8

    def _locate(self, index: int) -> tuple[int, int]:
        """Return (byte offset, bit mask) of an entry; negative indexes never wrap."""
        if type(index) is not int or not 0 <= index < len(self):
            raise IndexError("status index out of range")
        return index // 8, 1 << (index % 8)

    def set(self, index: int, invalid: bool) -> None:
        """Mark entry `index` not valid (True) or valid (False)."""
        offset, mask = self._locate(index)
        if invalid:
            self._bytes[offset] |= mask
        else:
            self._bytes[offset] &= ~mask & 0xFF

    def get(self, index: int) -> bool:
        """Tell whether entry `index` is marked not valid."""
        offset, mask = self._locate(index)
        return bool(self._bytes[offset] & mask)

    def to_bytes(self) -> bytes:
        """Return the raw, uncompressed bitstring."""
        return bytes(self._bytes)


def compress(raw: bytes) -> bytes:
    """Compress raw status bytes with zlib (RFC 1950) at level 9, as the draft asks."""
    return zlib.compress(raw, 9)


def status_list_cbor(raw: bytes) -> bytes:
    """Encode the draft's CBOR status_list map: {"bits": 1, "lst": zlib bytes}."""
    # Key order follows the draft's own example (not length-first) so ours match it.
    return cbor2.dumps({"bits": STATUS_BITS, "lst": compress(raw)})


def sign_status_list(
    raw_bits: bytes,
    list_id: int,
    key: SigningKey,
    *,
    issued_at: datetime,
    ttl_seconds: int,
    uri: str,
    valid_seconds: int = 86_400,
) -> bytes:
    """Sign a Status List Token (CWT) for `raw_bits`.

    `ttl_seconds` tells verifiers how long they may cache it; `valid_seconds` (from
    `issued_at`) sets `exp`, after which no verifier may trust it. Publish a fresh one
    well before then.
    """
    if len(raw_bits) * 8 < MIN_STATUS_ENTRIES:
        raise ValueError("a published status list holds at least 131,072 entries")
    if not 0 <= list_id <= MAX_UINT32 or not 0 < ttl_seconds <= valid_seconds:
        raise ValueError("list id out of range, or ttl not within the validity")
    iat = unix_seconds(issued_at)
    # Claims in deterministic (length-first) label order; the draft's status_list inside.
    claims = {
        CLAIM_SUB: uri,
        CLAIM_EXP: iat + valid_seconds,
        CLAIM_IAT: iat,
        CLAIM_STATUS_LIST: {"bits": STATUS_BITS, "lst": compress(raw_bits)},
        CLAIM_TTL: ttl_seconds,
        CLAIM_LIST_ID: list_id,
    }
    return sign_cose(cbor2.dumps(claims), key, {HEADER_TYPE: STATUS_LIST_TYPE})
