"""Published keys: a JWK Set (RFC 7517, OKP keys of RFC 8037) or a COSE Key Set
(RFC 9052 section 7), read into {kid bytes: raw Ed25519 public key}.

Both forms carry the same keys. The COSE kid is the 8 raw bytes that sit in every
token's protected header; the JWK kid is the same 8 bytes as 16 lower-case hex digits.
Both are the first 8 bytes of SHA-256 of the raw public key, so this module derives the
kid from the key and leaves out any key whose published kid says otherwise.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

from idcard_verifier.cose import ALG_EDDSA, SIGNATURE_ALGS, InvalidToken, loads_exact

KID_BYTES = 8
PUBLIC_KEY_BYTES = 32

# COSE_Key labels and values (RFC 9052 section 7.1, RFC 9053 section 7.2).
COSE_KEY_KTY = 1
COSE_KEY_KID = 2
COSE_KEY_ALG = 3
COSE_KEY_OPS = 4
COSE_KEY_CRV = -1
COSE_KEY_X = -2
COSE_KTY_OKP = 1
COSE_CRV_ED25519 = 6
COSE_OP_VERIFY = 2

_JOSE_ALGS = ("EdDSA", "Ed25519")  # RFC 8037 and RFC 9864 names
_HEX_KID = re.compile(r"[0-9a-f]{16}")
_NO_MATCH = b""  # a published kid that cannot be ours: the key is left out


class InvalidKeySet(ValueError):
    """A document that is not a JWK Set or a COSE Key Set at all."""


def key_id(public_key: bytes) -> bytes:
    """Derive a key id: the first 8 bytes of SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(public_key).digest()[:KID_BYTES]


def _indexed(entries: Iterable[tuple[bytes | None, bytes | None]]) -> dict[bytes, bytes]:
    """Index usable public keys by their derived kid, leaving out mismatched kids."""
    keys = {}
    for published_kid, public in entries:
        if public is None or len(public) != PUBLIC_KEY_BYTES:
            continue
        kid = key_id(public)
        if published_kid is None or published_kid == kid:
            keys[kid] = public
    return keys


def _b64url(text: Any) -> bytes | None:
    """Decode unpadded base64url, or None when it is not that."""
    if type(text) is not str or "=" in text:
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _jwk_entry(jwk: Any) -> tuple[bytes | None, bytes | None]:
    """The (kid, public key) of an Ed25519 signing JWK; (None, None) for anything else."""
    if type(jwk) is not dict or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        return None, None
    if jwk.get("alg", "EdDSA") not in _JOSE_ALGS or jwk.get("use", "sig") != "sig":
        return None, None
    if "kid" not in jwk:
        return None, _b64url(jwk.get("x"))
    kid = jwk["kid"]
    published = bytes.fromhex(kid) if type(kid) is str and _HEX_KID.fullmatch(kid) else _NO_MATCH
    return published, _b64url(jwk.get("x"))


def keys_from_jwks(jwks: Mapping[str, Any] | str | bytes) -> dict[bytes, bytes]:
    """Read a JWK Set ({"keys": [...]}, as a dict or JSON text) into kid -> public key."""
    try:
        document = json.loads(jwks) if isinstance(jwks, str | bytes) else jwks
    except ValueError:
        raise InvalidKeySet("the key set is not JSON") from None
    if not isinstance(document, Mapping) or type(document.get("keys")) is not list:
        raise InvalidKeySet('the key set has no "keys" array')
    return _indexed(_jwk_entry(jwk) for jwk in document["keys"])


def _cose_key_entry(key: Any) -> tuple[bytes | None, bytes | None]:
    """The (kid, public key) of an Ed25519 verification COSE_Key; (None, None) otherwise."""
    if type(key) is not dict or key.get(COSE_KEY_KTY) != COSE_KTY_OKP:
        return None, None
    if key.get(COSE_KEY_CRV) != COSE_CRV_ED25519:
        return None, None
    if key.get(COSE_KEY_ALG, ALG_EDDSA) not in SIGNATURE_ALGS:
        return None, None
    ops = key.get(COSE_KEY_OPS, [COSE_OP_VERIFY])
    x = key.get(COSE_KEY_X)
    if type(ops) is not list or COSE_OP_VERIFY not in ops or type(x) is not bytes:
        return None, None
    if COSE_KEY_KID not in key:
        return None, x
    kid = key[COSE_KEY_KID]
    return (kid if type(kid) is bytes else _NO_MATCH), x


def keys_from_cose_key_set(data: bytes) -> dict[bytes, bytes]:
    """Read a COSE Key Set (a CBOR array of COSE_Key maps) into kid -> public key."""
    try:
        document = loads_exact(data)
    except InvalidToken:
        raise InvalidKeySet("the key set is not one CBOR item") from None
    if type(document) is not list:
        raise InvalidKeySet("a COSE Key Set is a CBOR array")
    return _indexed(_cose_key_entry(key) for key in document)


def read_key_set(data: Mapping[str, Any] | str | bytes) -> dict[bytes, bytes]:
    """Read either published form: a JWK Set (JSON) or a COSE Key Set (CBOR bytes)."""
    if isinstance(data, bytes) and not data.lstrip().startswith(b"{"):
        return keys_from_cose_key_set(data)
    return keys_from_jwks(data)
