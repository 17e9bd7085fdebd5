"""Revocation and suspension as a signed bitstring (IETF Token Status List, 1 bit).

Each card owns one random index in one list: bit 0 means valid, 1 means not valid.
The list is published as a Status List Token in CWT form (draft-ietf-oauth-status-list):
a COSE_Sign1 from `idcard.tokens`, so verifiers check it with the same keys as cards.
Lists are large (at least 131,072 entries) so that fetching one says nothing about
which card a verifier holds.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import cbor2

from idcard.tokens import (
    HEADER_ALG,
    HEADER_KID,
    MAX_UINT32,
    InvalidToken,
    SigningKey,
    loads_exact,
    open_signed,
    sign_cose,
)

MIN_STATUS_ENTRIES = 131_072  # 2**17, the herd each card hides in
MAX_STATUS_BYTES = 1 << 20  # 8 Mi entries; refuse to inflate more (decompression bombs)
STATUS_BITS = 1

HEADER_TYPE = 16  # COSE "typ" (RFC 9596)
STATUS_LIST_TYPE = "application/statuslist+cwt"

CLAIM_SUB = 2
CLAIM_EXP = 4
CLAIM_IAT = 6
CLAIM_STATUS_LIST = 65533
CLAIM_TTL = 65534
# Private-use CWT claim (RFC 8392 section 9.1: labels below -65536) binding the list to
# the list id printed in card tokens, so one signed list cannot stand in for another.
CLAIM_LIST_ID = -65537


class InvalidStatusList(Exception):
    """A status list token that does not verify, is malformed or has expired."""


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


def decompress(data: bytes) -> bytes:
    """Inflate a compressed list, refusing output past MAX_STATUS_BYTES or trailing junk."""
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(data, MAX_STATUS_BYTES)
    except zlib.error:
        raise InvalidStatusList("lst is not zlib data") from None
    if not inflater.eof or inflater.unconsumed_tail or inflater.unused_data:
        raise InvalidStatusList("lst is truncated, too large or followed by junk")
    return raw


def status_list_cbor(raw: bytes) -> bytes:
    """Encode the draft's CBOR status_list map: {"bits": 1, "lst": zlib bytes}."""
    # Key order follows the draft's own example (not length-first) so ours match it.
    return cbor2.dumps({"bits": STATUS_BITS, "lst": compress(raw)})


def read_status_list_cbor(data: bytes) -> bytes:
    """Decode a CBOR status_list map of 1-bit entries; return the raw bytes."""
    try:
        return _raw_from_status_list(loads_exact(data))
    except InvalidToken as error:
        raise InvalidStatusList(str(error)) from None


def _raw_from_status_list(item: Any) -> bytes:
    """Check a decoded status_list map and inflate its `lst`."""
    if type(item) is not dict or type(item.get("bits")) is not int:
        raise InvalidStatusList("status_list is not a map with bits")
    if item["bits"] != STATUS_BITS:
        raise InvalidStatusList("only 1-bit status lists are supported")
    if type(item.get("lst")) is not bytes:
        raise InvalidStatusList("status_list has no lst byte string")
    return decompress(item["lst"])


@dataclass(frozen=True)
class StatusList:
    """A verified status list token, as a verifier uses it."""

    list_id: int
    uri: str
    bits: StatusBits
    issued_at: datetime
    expires_at: datetime
    ttl_seconds: int


def _timestamp(moment: datetime) -> int:
    """Return whole seconds since the epoch of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return int(moment.timestamp())


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
    iat = _timestamp(issued_at)
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


def read_status_list(
    cwt: bytes, public_keys: Mapping[bytes, bytes], *, now: datetime
) -> StatusList:
    """Verify a Status List Token's signature, type and expiry; return its contents."""
    try:
        protected, payload = open_signed(cwt, public_keys)
        claims = loads_exact(payload)
    except InvalidToken as error:
        raise InvalidStatusList(str(error)) from None
    if protected.keys() != {HEADER_ALG, HEADER_KID, HEADER_TYPE}:
        raise InvalidStatusList("unexpected protected header parameters")
    if protected[HEADER_TYPE] != STATUS_LIST_TYPE:
        raise InvalidStatusList("not a status list token")
    status_list = _status_list_from_claims(claims)
    if _timestamp(now) >= _timestamp(status_list.expires_at):
        raise InvalidStatusList("status list expired")
    return status_list


def _int_claim(claims: dict[Any, Any], label: int) -> int:
    """Return a claim that must be a non-negative plain integer."""
    value = claims.get(label)
    if type(value) is not int or value < 0:
        raise InvalidStatusList(f"claim {label} is missing or not an unsigned integer")
    return value


def _status_list_from_claims(claims: Any) -> StatusList:
    """Read the CWT claims map of a status list token."""
    if type(claims) is not dict or type(claims.get(CLAIM_SUB)) is not str:
        raise InvalidStatusList("claims are not a map with a subject")
    raw = _raw_from_status_list(claims.get(CLAIM_STATUS_LIST))
    if not raw:
        raise InvalidStatusList("status list is empty")
    try:
        issued_at = datetime.fromtimestamp(_int_claim(claims, CLAIM_IAT), UTC)
        expires_at = datetime.fromtimestamp(_int_claim(claims, CLAIM_EXP), UTC)
    except (OverflowError, OSError, ValueError):
        raise InvalidStatusList("timestamps out of range") from None
    return StatusList(
        list_id=_int_claim(claims, CLAIM_LIST_ID),
        uri=claims[CLAIM_SUB],
        bits=StatusBits.from_bytes(raw),
        issued_at=issued_at,
        expires_at=expires_at,
        ttl_seconds=_int_claim(claims, CLAIM_TTL),
    )
