"""Reading the published keys: JWK Set or COSE Key Set, the kid derived, odd keys left out."""

from __future__ import annotations

import json

import cbor2
import pytest

from idcard.tokens import SigningKey, cose_key, cose_key_set, jwk
from idcard_verifier.keyset import (
    InvalidKeySet,
    key_id,
    keys_from_cose_key_set,
    keys_from_jwks,
    read_key_set,
)

KEY = SigningKey.generate()
OTHER = SigningKey.generate()
BOTH = {KEY.kid: KEY.public_bytes, OTHER.kid: OTHER.public_bytes}


def test_both_forms_give_the_same_keys_by_kid_bytes() -> None:
    pairs = [(KEY.kid, KEY.public_bytes), (OTHER.kid, OTHER.public_bytes)]
    jwks = {"keys": [jwk(kid, public) for kid, public in pairs]}
    assert keys_from_jwks(jwks) == keys_from_jwks(json.dumps(jwks)) == BOTH
    assert keys_from_cose_key_set(cose_key_set(pairs)) == BOTH
    assert read_key_set(json.dumps(jwks).encode()) == read_key_set(cose_key_set(pairs)) == BOTH


def test_the_jwk_kid_is_the_cose_kid_in_hex() -> None:
    assert jwk(KEY.kid, KEY.public_bytes)["kid"] == KEY.kid.hex() == key_id(KEY.public_bytes).hex()
    assert cose_key(KEY.kid, KEY.public_bytes)[2] == KEY.kid


def _jwk(**changes: object) -> dict:
    return {**jwk(KEY.kid, KEY.public_bytes), **changes}


@pytest.mark.parametrize("entry", [
    _jwk(kid=OTHER.kid.hex()),  # a kid that is not this key's
    _jwk(kid=KEY.kid.hex().upper()),
    _jwk(kid=None),
    _jwk(crv="X25519"),
    _jwk(kty="EC"),
    _jwk(alg="ES256"),
    _jwk(use="enc"),
    _jwk(x="AAAA"),
    _jwk(x=jwk(KEY.kid, KEY.public_bytes)["x"] + "="),
    "not a key",
])
def test_jwks_leave_out_anything_but_a_matching_ed25519_signing_key(entry: object) -> None:
    assert keys_from_jwks({"keys": [entry, jwk(OTHER.kid, OTHER.public_bytes)]}) == {
        OTHER.kid: OTHER.public_bytes}


def test_jwks_take_the_rfc_9864_alg_name_and_keys_without_kid() -> None:
    entry = _jwk(alg="Ed25519")
    del entry["kid"]
    assert keys_from_jwks({"keys": [entry]}) == {KEY.kid: KEY.public_bytes}


def _cose(**changes: object) -> dict:
    labels = {"kty": 1, "kid": 2, "alg": 3, "ops": 4, "crv": -1, "x": -2}
    return {**cose_key(KEY.kid, KEY.public_bytes),
            **{labels[name]: value for name, value in changes.items()}}


@pytest.mark.parametrize("entry", [
    _cose(kid=OTHER.kid), _cose(kid=KEY.kid.hex()), _cose(kty=2), _cose(crv=4), _cose(alg=-7),
    _cose(ops=[1]), _cose(ops=2), _cose(x=KEY.public_bytes[:31]), _cose(x=KEY.public_bytes.hex()),
    [1, 2],
])
def test_cose_key_sets_leave_out_anything_but_a_matching_ed25519_verify_key(entry: object) -> None:
    data = cbor2.dumps([entry, cose_key(OTHER.kid, OTHER.public_bytes)])
    assert keys_from_cose_key_set(data) == {OTHER.kid: OTHER.public_bytes}


def test_cose_keys_may_name_alg_minus_19_or_none() -> None:
    entry = _cose(alg=-19)
    bare = {1: 1, -1: 6, -2: KEY.public_bytes}
    assert keys_from_cose_key_set(cbor2.dumps([entry, bare])) == {KEY.kid: KEY.public_bytes}


@pytest.mark.parametrize("document", [b"", b"\xff", b"{not json", b"[]", b'{"keys": 3}',
                                      cbor2.dumps({"keys": []}), cbor2.dumps([1]) + b"\x00"])
def test_a_document_that_is_no_key_set_is_refused(document: bytes) -> None:
    with pytest.raises(InvalidKeySet):
        read_key_set(document)
