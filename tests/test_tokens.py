"""The card token: standards vector, independent verification, strict decoding, QR size."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import cbor2
import pytest
import qrcode
from hypothesis import given, settings
from hypothesis import strategies as st
from pycose.keys import OKPKey
from pycose.messages import CoseMessage
from qrcode.constants import ERROR_CORRECT_M

from idcard.tokens import CardClaims, SigningKey, encode_token, jwk, key_set, new_handle, qr_text
from idcard_verifier.card import MAX_TOKEN_CHARS, decode_token
from idcard_verifier.cose import InvalidToken, verify_cose_sign1
from idcard_verifier.keyset import key_id
from tests.helpers import read_data

RFC8032_TEST1_D = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
PUBLIC_URL = "https://id.example-city.gov"
TODAY = date(2026, 3, 1)
FUZZ = settings(max_examples=300, database=None, deadline=None)


@pytest.fixture(scope="module")
def cose_vector() -> dict:
    return read_data("interop-vectors.json")["cose_sign1_ed25519"]


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.from_private_bytes(RFC8032_TEST1_D)


@pytest.fixture(scope="module")
def keys(key: SigningKey) -> dict[bytes, bytes]:
    return key_set([key.public_bytes])


def claims(**changes: object) -> CardClaims:
    fields: dict[str, object] = {
        "handle": bytes.fromhex("5f0c3e9a1b2d4c6e8f0a1b2c3d4e5f60"),
        "expires_on": date(2031, 6, 30),
        "list_id": 3,
        "index": 98_765,
    }
    return CardClaims(**{**fields, **changes})  # type: ignore[arg-type]


def to_bytes(token: str) -> bytes:
    return base64.b32decode(token + "=" * (-len(token) % 8))


def to_token(message: bytes) -> str:
    return base64.b32encode(message).rstrip(b"=").decode("ascii")


def sign_raw(key: SigningKey, protected: dict, payload: bytes, unprotected: dict | None = None):
    """Build a correctly signed COSE_Sign1 with arbitrary headers, as an attacker could."""
    protected_bytes = cbor2.dumps(protected)
    signed = cbor2.dumps(["Signature1", protected_bytes, b"", payload])
    parts = [protected_bytes, unprotected or {}, payload, key.private.sign(signed)]
    return to_token(cbor2.dumps(cbor2.CBORTag(18, parts)))


def payload_of(c: CardClaims) -> dict:
    return {
        1: c.version,
        2: c.handle,
        3: (c.expires_on - date(1970, 1, 1)).days,
        4: c.list_id,
        5: c.index,
    }


def pycose_key(key: SigningKey) -> OKPKey:
    """Build the verifier's key the way an outsider would: from the published JWK."""
    x = jwk(key.kid, key.public_bytes)["x"]
    return OKPKey(crv="Ed25519", x=base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))


# --- the standards' own vector --------------------------------------------------------


def test_cose_wg_ed25519_vector_verifies(cose_vector: dict) -> None:
    message = bytes.fromhex(cose_vector["message_cbor_hex"])
    public = bytes.fromhex(cose_vector["public_key_x_hex"])
    assert verify_cose_sign1(message, public) == cose_vector["payload_utf8"].encode()


def test_cose_wg_vector_fails_with_any_protected_byte_changed(cose_vector: dict) -> None:
    message = bytes.fromhex(cose_vector["message_cbor_hex"])
    public = bytes.fromhex(cose_vector["public_key_x_hex"])
    parts = cbor2.loads(message).value
    # COSE does not sign the unprotected header (here the kid): that is why our own
    # tokens must carry the kid protected and keep the unprotected header empty.
    start = 2 + len(cbor2.dumps(parts[0]))
    unsigned = range(start, start + len(cbor2.dumps(parts[1])))
    for position in range(len(message)):
        if position in unsigned:
            continue
        for mask in (0x01, 0x80, 0xFF):
            changed = bytearray(message)
            changed[position] ^= mask
            with pytest.raises(InvalidToken):
                verify_cose_sign1(bytes(changed), public)


def test_cose_vector_fails_under_another_key(cose_vector: dict) -> None:
    message = bytes.fromhex(cose_vector["message_cbor_hex"])
    with pytest.raises(InvalidToken):
        verify_cose_sign1(message, SigningKey.generate().public_bytes)


# --- our tokens, checked by an independent implementation -----------------------------


def test_token_verifies_with_pycose(key: SigningKey) -> None:
    message = CoseMessage.decode(to_bytes(encode_token(claims(), key)))
    message.key = pycose_key(key)
    assert message.verify_signature()
    assert cbor2.loads(message.payload) == payload_of(claims())


@pytest.mark.parametrize("region", ["payload", "signature"])
def test_token_with_a_flipped_bit_fails_with_pycose(key: SigningKey, region: str) -> None:
    raw = to_bytes(encode_token(claims(), key))
    parts = cbor2.loads(raw).value
    part = parts[2] if region == "payload" else parts[3]
    start = raw.index(part)
    for position in range(start, start + len(part), 7):
        changed = bytearray(raw)
        changed[position] ^= 0x04
        message = CoseMessage.decode(bytes(changed))
        message.key = pycose_key(key)
        assert not message.verify_signature()


def test_jwk_describes_the_public_key(key: SigningKey) -> None:
    assert jwk(key.kid, key.public_bytes) == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
        "kid": key_id(key.public_bytes).hex(),
        "alg": "EdDSA",
        "use": "sig",
    }


# --- round trip and refusals ----------------------------------------------------------


def test_token_round_trips(key: SigningKey, keys: dict[bytes, bytes]) -> None:
    original = claims(handle=new_handle())
    assert decode_token(encode_token(original, key), keys, today=TODAY) == original


def test_card_is_valid_through_its_expiry_date(key: SigningKey, keys) -> None:
    token = encode_token(claims(expires_on=TODAY), key)
    assert decode_token(token, keys, today=TODAY).expires_on == TODAY


def test_expired_card_does_not_decode(key: SigningKey, keys) -> None:
    token = encode_token(claims(expires_on=TODAY - timedelta(days=1)), key)
    with pytest.raises(InvalidToken):
        decode_token(token, keys, today=TODAY)


def test_future_version_does_not_decode(key: SigningKey, keys) -> None:
    with pytest.raises(InvalidToken):
        decode_token(encode_token(claims(version=2), key), keys, today=TODAY)


def test_token_with_any_bit_flipped_does_not_decode(key: SigningKey, keys) -> None:
    raw = to_bytes(encode_token(claims(), key))
    for bit in range(len(raw) * 8):
        changed = bytearray(raw)
        changed[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(InvalidToken):
            decode_token(to_token(bytes(changed)), keys, today=TODAY)


def test_token_from_an_unknown_key_does_not_decode(keys) -> None:
    with pytest.raises(InvalidToken):
        decode_token(encode_token(claims(), SigningKey.generate()), keys, today=TODAY)


def test_token_claiming_a_trusted_kid_but_signed_by_another_key_fails(key, keys) -> None:
    impostor = SigningKey(SigningKey.generate().private, key.kid)
    with pytest.raises(InvalidToken):
        decode_token(encode_token(claims(), impostor), keys, today=TODAY)


def test_kid_in_the_unprotected_header_is_not_trusted(key: SigningKey, keys) -> None:
    payload = cbor2.dumps(payload_of(claims()), canonical=True)
    token = sign_raw(key, {1: -8}, payload, unprotected={4: key.kid})
    with pytest.raises(InvalidToken):
        decode_token(token, keys, today=TODAY)


@pytest.mark.parametrize(
    "protected",
    [
        {1: -7},  # ES256 named, Ed25519 used
        {1: "EdDSA"},
        {1: -8.0},
        {1: -8, 2: [99]},  # a critical header we do not understand
        {1: -8, 3: 0},  # an extra (content type) header
    ],
)
def test_protected_headers_other_than_ours_are_refused(key, keys, protected: dict) -> None:
    payload = cbor2.dumps(payload_of(claims()), canonical=True)
    with pytest.raises(InvalidToken):
        decode_token(sign_raw(key, {**protected, 4: key.kid}, payload), keys, today=TODAY)


@pytest.mark.parametrize(
    "change",
    [
        {6: 0},  # an extra field
        {5: None},  # missing index, as a nil
        {5: 2**64},  # a bignum
        {5: -1},
        {5: True},
        {4: 1.0},
        {3: "2031-06-30"},
        {3: 10**9},  # past date.max
        {2: b"short"},
        {2: "5f0c3e9a1b2d4c6e8f0a1b2c3d4e5f60"},
        {1: True},
    ],
)
def test_signed_payloads_of_the_wrong_shape_are_refused(key, keys, change: dict) -> None:
    payload = cbor2.dumps({**payload_of(claims()), **change}, canonical=True)
    with pytest.raises(InvalidToken):
        decode_token(sign_raw(key, {1: -8, 4: key.kid}, payload), keys, today=TODAY)


def test_signed_payload_in_non_shortest_form_is_refused(key, keys) -> None:
    canonical = cbor2.dumps(payload_of(claims()), canonical=True)
    longer = canonical.replace(b"\x04\x03", b"\x04\x18\x03")  # list id 3 in two bytes
    assert cbor2.loads(longer) == cbor2.loads(canonical)
    with pytest.raises(InvalidToken):
        decode_token(sign_raw(key, {1: -8, 4: key.kid}, longer), keys, today=TODAY)


def test_signed_payload_with_a_duplicate_key_is_refused(key, keys) -> None:
    canonical = cbor2.dumps(payload_of(claims()), canonical=True)
    duplicated = b"\xa6" + canonical[1:] + b"\x05\x00"
    with pytest.raises(InvalidToken):
        decode_token(sign_raw(key, {1: -8, 4: key.kid}, duplicated), keys, today=TODAY)


def test_envelope_variants_are_refused(key: SigningKey, keys) -> None:
    raw = to_bytes(encode_token(claims(), key))
    untagged = raw[1:]
    other_tag = b"\xd1" + raw[1:]  # tag 17, COSE_Mac0
    for message in (raw + b"\x00", untagged, other_tag, raw[:-1]):
        with pytest.raises(InvalidToken):
            decode_token(to_token(message), keys, today=TODAY)


def test_only_the_canonical_text_is_accepted(key: SigningKey, keys) -> None:
    token = encode_token(claims(), key)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    # 118 bytes fill 189 characters with one spare bit: setting it names the same bytes.
    spare_bit_set = token[:-1] + alphabet[alphabet.index(token[-1]) | 1]
    assert spare_bit_set != token and to_bytes(spare_bit_set) == to_bytes(token)
    for variant in (token.lower(), token + "===", f" {token}", f"{token}\n", spare_bit_set):
        with pytest.raises(InvalidToken):
            decode_token(variant, keys, today=TODAY)


def test_over_long_input_is_refused_before_decoding(keys) -> None:
    with pytest.raises(InvalidToken):
        decode_token("A" * (MAX_TOKEN_CHARS + 1), keys, today=TODAY)


@pytest.mark.parametrize("value", [None, b"ABCD", 42])
def test_non_text_input_is_refused(keys, value: object) -> None:
    with pytest.raises(InvalidToken):
        decode_token(value, keys, today=TODAY)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad",
    [
        claims(handle=b"\x00" * 15),
        claims(index=-1),
        claims(list_id=2**32),
        claims(expires_on=date(1969, 12, 31)),
        claims(index=True),
    ],
)
def test_claims_the_format_cannot_carry_are_not_signed(key: SigningKey, bad) -> None:
    with pytest.raises(ValueError):
        encode_token(bad, key)


# --- fuzzing: nothing but InvalidToken, ever ------------------------------------------


@FUZZ
@given(st.text(max_size=600))
def test_arbitrary_text_raises_only_invalid_token(keys, text: str) -> None:
    with pytest.raises(InvalidToken):
        decode_token(text, keys, today=TODAY)


@FUZZ
@given(st.binary(max_size=320))
def test_arbitrary_bytes_in_base32_raise_only_invalid_token(keys, data: bytes) -> None:
    with pytest.raises(InvalidToken):
        decode_token(to_token(data), keys, today=TODAY)


@FUZZ
@given(st.binary(max_size=320))
def test_arbitrary_bytes_never_crash_the_generic_verifier(key: SigningKey, data: bytes) -> None:
    with pytest.raises(InvalidToken):
        verify_cose_sign1(data, key.public_bytes)


@FUZZ
@given(st.data())
def test_edited_tokens_raise_only_invalid_token(key: SigningKey, keys, data) -> None:
    raw = bytearray(to_bytes(encode_token(claims(), key)))
    position = data.draw(st.integers(0, len(raw) - 1))
    replacement = data.draw(st.binary(max_size=8))
    edited = bytes(raw[:position] + replacement + raw[position + 1 :])
    if edited == raw:
        return
    with pytest.raises(InvalidToken):
        decode_token(to_token(edited), keys, today=TODAY)


# --- the QR ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "largest",
    [False, True],
    ids=["typical", "largest-fields"],
)
def test_qr_text_fits_version_10_at_level_m(key: SigningKey, largest: bool) -> None:
    biggest = {"list_id": 2**32 - 1, "index": 2**32 - 1, "expires_on": date.max}
    token = encode_token(claims(**biggest) if largest else claims(), key)
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M)
    code.add_data(qr_text(PUBLIC_URL, token))  # the optimiser puts the token in alphanumeric
    assert code.best_fit() <= 10


def test_qr_text_puts_the_token_in_the_fragment() -> None:
    assert qr_text(PUBLIC_URL + "/", "ABC") == "https://id.example-city.gov/v#ABC"
