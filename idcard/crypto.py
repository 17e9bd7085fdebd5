"""Per-resident envelope encryption and keyed blind indexes.

Each resident's personal data is sealed with AES-GCM under a data key of its own.
The data key is stored only wrapped by the master key, in a table apart from the
data; deleting that one row makes every copy of the resident's data unreadable,
backups included (crypto-shredding).
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


def wrap_data_key(master_key: bytes, data_key: bytes, owner_id: str) -> bytes:
    """Encrypt a data key under the master key, bound to its owner."""
    return seal(master_key, data_key, f"data-key:{owner_id}")


def unwrap_data_key(master_key: bytes, wrapped: bytes, owner_id: str) -> bytes:
    """Recover a data key wrapped by `wrap_data_key`."""
    return unseal(master_key, wrapped, f"data-key:{owner_id}")


def normalize_name(name: str) -> str:
    """Fold a name for matching: compatibility form, case-folded, single spaces."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(folded.split())


def blind_index(index_key: bytes, purpose: str, *parts: str) -> str:
    """Return a keyed HMAC of `parts`, so equal values can be found without storing them."""
    message = "\x1f".join((purpose, *parts)).encode()
    return hmac.new(index_key, message, hashlib.sha256).hexdigest()
