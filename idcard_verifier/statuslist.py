"""Status lists: the IETF Token Status List (1 bit per card) in its CWT form, read strictly.

Bit 0 means valid, 1 means not valid. Entry i is bit (i mod 8) of byte (i div 8), least
significant bit first, as in draft-ietf-oauth-status-list.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from idcard_verifier.cose import (
    HEADER_ALG,
    HEADER_KID,
    HEADER_TYPE,
    InvalidToken,
    loads_exact,
    open_signed,
)

STATUS_LIST_TYPE = "application/statuslist+cwt"
STATUS_BITS = 1
MAX_STATUS_BYTES = 1 << 20  # 8 Mi entries; refuse to inflate more (decompression bombs)

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


def status_at(raw: bytes, index: int) -> int:
    """Entry `index` of a raw 1-bit list: 0 valid, 1 not valid (and 1 outside the list)."""
    if type(index) is not int or not 0 <= index < 8 * len(raw):
        return 1
    return (raw[index >> 3] >> (index & 7)) & 1


@dataclass(frozen=True)
class StatusList:
    """A verified status list token: `bits` holds the raw, inflated bitstring."""

    list_id: int
    uri: str
    bits: bytes
    issued_at: datetime
    expires_at: datetime
    ttl_seconds: int

    def status(self, index: int) -> int:
        """The card's entry: 0 valid, 1 not valid (and 1 outside the list)."""
        return status_at(self.bits, index)


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
    if unix_seconds(now) >= unix_seconds(status_list.expires_at):
        raise InvalidStatusList("status list expired")
    return status_list


def unix_seconds(moment: datetime) -> int:
    """Return whole seconds since the epoch of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return int(moment.timestamp())


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
        bits=raw,
        issued_at=issued_at,
        expires_at=expires_at,
        ttl_seconds=_int_claim(claims, CLAIM_TTL),
    )
