"""The card token: a COSE_Sign1 (RFC 9052) envelope signed with Ed25519, issuer's side.

The QR on a card holds `<public_url>/v#<TOKEN>`, where TOKEN is the upper-case,
unpadded Base32 of a tagged COSE_Sign1 whose payload carries a random handle, the
expiry, the card's place in a status list and a format version: nothing personal.
docs/token-format.md describes the format for outside implementers.

Reading tokens and status lists lives in the `idcard_verifier` package, which partners
use on its own; this module signs, and publishes the public keys.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import cbor2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from idcard_verifier.card import HANDLE_BYTES, MAX_UINT32, CardClaims, claims_payload
from idcard_verifier.cose import (
    ALG_EDDSA,
    HEADER_ALG,
    HEADER_KID,
    SIGNATURE_ALGS,
    encode_sign1,
    sig_structure,
)
from idcard_verifier.keyset import (
    COSE_CRV_ED25519,
    COSE_KEY_ALG,
    COSE_KEY_CRV,
    COSE_KEY_KID,
    COSE_KEY_KTY,
    COSE_KEY_OPS,
    COSE_KEY_X,
    COSE_KTY_OKP,
    COSE_OP_VERIFY,
    key_id,
)

_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key, the key id verifiers look it up by, and the COSE alg it
    writes: -8 (EdDSA), which every COSE library reads, or -19 (Ed25519, RFC 9864)."""

    private: Ed25519PrivateKey
    kid: bytes
    alg: int = ALG_EDDSA

    @classmethod
    def from_private_bytes(cls, raw: bytes, alg: int = ALG_EDDSA) -> SigningKey:
        """Load a raw 32-byte Ed25519 private key (RFC 8032 seed)."""
        if alg not in SIGNATURE_ALGS:
            raise ValueError("a signing key writes alg -8 or -19")
        private = Ed25519PrivateKey.from_private_bytes(raw)
        return cls(private, key_id(_raw_public(private.public_key())), alg)

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


# The published keys name -8, the algorithm the service's keys write (verifiers accept
# -19 signatures from them too: docs/token-format.md section 1.4).


def jwk(kid: bytes, public_key: bytes) -> dict[str, str]:
    """Describe a public key as a JWK (RFC 8037): the kid as 16 lower-case hex digits."""
    x = base64.urlsafe_b64encode(public_key).rstrip(b"=").decode("ascii")
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid.hex(), "alg": "EdDSA", "use": "sig"}


def cose_key(kid: bytes, public_key: bytes) -> dict[int, Any]:
    """Describe a public key as a COSE_Key (RFC 9052 section 7): the kid as its 8 bytes."""
    return {COSE_KEY_KTY: COSE_KTY_OKP, COSE_KEY_KID: kid, COSE_KEY_ALG: ALG_EDDSA,
            COSE_KEY_OPS: [COSE_OP_VERIFY], COSE_KEY_CRV: COSE_CRV_ED25519,
            COSE_KEY_X: public_key}


def cose_key_set(keys: Iterable[tuple[bytes, bytes]]) -> bytes:
    """Encode (kid, public key) pairs as a deterministic COSE Key Set (a CBOR array)."""
    return cbor2.dumps([cose_key(kid, public) for kid, public in keys], canonical=True)


def new_handle() -> bytes:
    """Return a fresh random 128-bit card handle."""
    return secrets.token_bytes(HANDLE_BYTES)


def sign_cose(
    payload: bytes, key: SigningKey, extra_headers: Mapping[int, Any] | None = None
) -> bytes:
    """Wrap `payload` in a tagged COSE_Sign1 with alg and kid (plus extras) protected."""
    headers: dict[int, Any] = {HEADER_ALG: key.alg, HEADER_KID: key.kid, **(extra_headers or {})}
    protected = cbor2.dumps(headers, canonical=True)
    signature = key.private.sign(sig_structure(protected, payload))
    return encode_sign1(protected, payload, signature)


def _check_claims(claims: CardClaims) -> None:
    """Refuse claims the format cannot carry, before anything is signed."""
    if type(claims.handle) is not bytes or len(claims.handle) != HANDLE_BYTES:
        raise ValueError("handle must be 16 bytes")
    if claims.expires_on < _EPOCH:
        raise ValueError("expiry before 1970-01-01")
    for value in (claims.version, claims.list_id, claims.index):
        if type(value) is not int or not 0 <= value <= MAX_UINT32:
            raise ValueError("version, list id and index must be 32-bit unsigned integers")


def encode_token(claims: CardClaims, key: SigningKey) -> str:
    """Sign the claims and return the token text for the QR."""
    _check_claims(claims)
    message = sign_cose(claims_payload(claims), key)
    return base64.b32encode(message).rstrip(b"=").decode("ascii")


def qr_text(public_url: str, token: str) -> str:
    """Return the QR content: the verify page URL with the token in its fragment."""
    return f"{public_url.rstrip('/')}/v#{token}"
