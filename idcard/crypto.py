"""The primitives: authenticated encryption (AES-256-GCM) and keyed blind indexes.

Which key seals what, under which context, is decided in one place: `idcard.vault`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class DecryptionError(Exception):
    """Ciphertext was altered, or sealed under another key or record."""


def new_data_key() -> bytes:
    """Return a fresh 256-bit data key."""
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, plaintext: bytes, context: str) -> bytes:
    """Encrypt and authenticate; `context` binds the ciphertext to one record and field."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context.encode())


def unseal(key: bytes, sealed: bytes, context: str) -> bytes:
    """Decrypt what `seal` produced under the same key and context."""
    nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, context.encode())
    except InvalidTag:
        raise DecryptionError(context) from None


def normalize_name(name: str) -> str:
    """Fold a name for matching: compatibility form, case-folded, single spaces."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(folded.split())


def blind_index(index_key: bytes, purpose: str, *parts: str) -> str:
    """Return a keyed HMAC of `parts`, so equal values can be found without storing them."""
    message = "\x1f".join((purpose, *parts)).encode()
    return hmac.new(index_key, message, hashlib.sha256).hexdigest()
