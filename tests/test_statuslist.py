"""The status list: the IETF 1-bit vector, bit order, signing and reading."""

from __future__ import annotations

import base64
import zlib
from datetime import UTC, datetime, timedelta

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from idcard.statuslist import (
    MIN_STATUS_ENTRIES,
    StatusBits,
    compress,
    sign_status_list,
    status_list_cbor,
)
from idcard.tokens import CardClaims, SigningKey, encode_token, key_set
from idcard_verifier.statuslist import (
    MAX_STATUS_BYTES,
    InvalidStatusList,
    read_status_list,
    read_status_list_cbor,
)
from tests.helpers import read_data

ISSUED_AT = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
URI = "https://id.example-city.gov/api/v1/status-lists/7"


@pytest.fixture(scope="module")
def vector() -> dict:
    return read_data("interop-vectors.json")["token_status_list_1bit"]


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture(scope="module")
def keys(key: SigningKey) -> dict[bytes, bytes]:
    return key_set([key.public_bytes])


def signed(key: SigningKey, bits: StatusBits, **options) -> bytes:
    fields = {"issued_at": ISSUED_AT, "ttl_seconds": 3600, "uri": URI, **options}
    return sign_status_list(bits.to_bytes(), 7, key, **fields)


# --- the IETF vector ------------------------------------------------------------------


def test_ietf_statuses_encode_to_the_vector_bytes(vector: dict) -> None:
    bits = StatusBits(len(vector["statuses_by_index"]))
    for index, status in enumerate(vector["statuses_by_index"]):
        bits.set(index, bool(status))
    assert bits.to_bytes().hex() == vector["raw_bytes_hex"]


def test_ietf_status_list_cbor_decodes_to_the_raw_bytes(vector: dict) -> None:
    raw = read_status_list_cbor(bytes.fromhex(vector["status_list_cbor_hex"]))
    assert raw.hex() == vector["raw_bytes_hex"]


def test_ietf_vector_lst_is_what_it_claims(vector: dict) -> None:
    lst = vector["lst_base64url_zlib_level9"]
    compressed = base64.urlsafe_b64decode(lst + "=" * (-len(lst) % 4))
    assert zlib.decompress(compressed).hex() == vector["raw_bytes_hex"]


def test_our_status_list_cbor_reads_like_the_drafts(vector: dict) -> None:
    raw = bytes.fromhex(vector["raw_bytes_hex"])
    ours = cbor2.loads(status_list_cbor(raw))
    assert list(ours) == ["bits", "lst"]  # the draft example's order
    assert ours["bits"] == 1
    assert zlib.decompress(ours["lst"]) == raw
    assert read_status_list_cbor(status_list_cbor(raw)) == raw


def test_our_status_list_cbor_is_the_drafts_byte_for_byte(vector: dict) -> None:
    raw = bytes.fromhex(vector["raw_bytes_hex"])
    example = bytes.fromhex(vector["status_list_cbor_hex"])
    if compress(raw) != cbor2.loads(example)["lst"]:
        pytest.skip(f"zlib {zlib.ZLIB_RUNTIME_VERSION} compresses differently from the draft")
    assert status_list_cbor(raw) == example


# --- the bitstring --------------------------------------------------------------------


def test_new_list_has_the_minimum_size_and_is_all_valid() -> None:
    bits = StatusBits()
    assert len(bits) == MIN_STATUS_ENTRIES
    assert bits.to_bytes() == bytes(MIN_STATUS_ENTRIES // 8)


def test_bit_order_is_least_significant_first() -> None:
    bits = StatusBits(16)
    bits.set(0, True)
    bits.set(9, True)
    bits.set(15, True)
    assert bits.to_bytes() == bytes([0b0000_0001, 0b1000_0010])


@settings(database=None, deadline=None)
@given(st.sets(st.integers(0, MIN_STATUS_ENTRIES - 1), max_size=50))
def test_bits_at_random_indexes_read_back(indexes: set[int]) -> None:
    bits = StatusBits()
    for index in indexes:
        bits.set(index, True)
    raw = bits.to_bytes()
    assert {i for i in range(len(bits)) if raw[i // 8] >> (i % 8) & 1} == indexes
    assert all(bits.get(i) for i in indexes)
    for index in indexes:
        bits.set(index, False)
    assert bits.to_bytes() == bytes(len(raw))


@pytest.mark.parametrize("index", [-1, MIN_STATUS_ENTRIES, True])
def test_indexes_outside_the_list_are_refused(index: int) -> None:
    with pytest.raises(IndexError):
        StatusBits().get(index)


@pytest.mark.parametrize("size", [0, 12, -8])
def test_sizes_that_are_not_whole_bytes_are_refused(size: int) -> None:
    with pytest.raises(ValueError):
        StatusBits(size)


# --- the signed list ------------------------------------------------------------------


@settings(database=None, deadline=None, max_examples=25)
@given(st.sets(st.integers(0, MIN_STATUS_ENTRIES - 1), max_size=20))
def test_signed_list_round_trips(key: SigningKey, keys, indexes: set[int]) -> None:
    bits = StatusBits()
    for index in indexes:
        bits.set(index, True)
    status_list = read_status_list(signed(key, bits), keys, now=ISSUED_AT)
    assert status_list.bits == bits.to_bytes()
    assert (status_list.list_id, status_list.uri, status_list.ttl_seconds) == (7, URI, 3600)
    assert status_list.issued_at == ISSUED_AT
    assert status_list.expires_at == ISSUED_AT + timedelta(days=1)


def test_signed_list_has_the_drafts_type_header(key: SigningKey) -> None:
    protected = cbor2.loads(cbor2.loads(signed(key, StatusBits())).value[0])
    assert protected == {1: -8, 4: key.kid, 16: "application/statuslist+cwt"}


def test_signed_list_is_not_trusted_once_expired(key: SigningKey, keys) -> None:
    cwt = signed(key, StatusBits(), valid_seconds=7200)
    read_status_list(cwt, keys, now=ISSUED_AT + timedelta(seconds=7199))
    with pytest.raises(InvalidStatusList):
        read_status_list(cwt, keys, now=ISSUED_AT + timedelta(seconds=7200))


def test_tampered_list_is_refused(key: SigningKey, keys) -> None:
    cwt = bytearray(signed(key, StatusBits()))
    cwt[-70] ^= 0x01  # inside the payload, just before the signature
    with pytest.raises(InvalidStatusList):
        read_status_list(bytes(cwt), keys, now=ISSUED_AT)


def test_list_from_an_unknown_key_is_refused(keys) -> None:
    with pytest.raises(InvalidStatusList):
        read_status_list(signed(SigningKey.generate(), StatusBits()), keys, now=ISSUED_AT)


def test_card_token_is_not_taken_for_a_status_list(key: SigningKey, keys) -> None:
    claims = CardClaims(bytes(16), ISSUED_AT.date(), 7, 1)
    token = encode_token(claims, key)
    message = base64.b32decode(token + "=" * (-len(token) % 8))
    with pytest.raises(InvalidStatusList):
        read_status_list(message, keys, now=ISSUED_AT)


def test_small_lists_are_never_published(key: SigningKey) -> None:
    with pytest.raises(ValueError):
        signed(key, StatusBits(MIN_STATUS_ENTRIES - 8))


def test_decompression_bomb_is_refused() -> None:
    bomb = cbor2.dumps({"bits": 1, "lst": zlib.compress(bytes(MAX_STATUS_BYTES + 1), 9)})
    with pytest.raises(InvalidStatusList):
        read_status_list_cbor(bomb)


@pytest.mark.parametrize(
    "status_list",
    [
        {"bits": 2, "lst": zlib.compress(b"\x00")},
        {"bits": 1},
        {"bits": 1, "lst": b"not zlib"},
        {"bits": 1, "lst": zlib.compress(b"\x00") + b"junk"},
        {"bits": True, "lst": zlib.compress(b"\x00")},
        [1, b""],
    ],
)
def test_malformed_status_list_cbor_is_refused(status_list: object) -> None:
    with pytest.raises(InvalidStatusList):
        read_status_list_cbor(cbor2.dumps(status_list))
