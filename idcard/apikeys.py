"""Partner API keys: how they look and how they are stored (only a hash is kept)."""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "idc_"


def new_api_key() -> str:
    """A new random key; it is shown once and never stored in readable form."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    """Keys are long random strings, so a plain SHA-256 is enough to store them safely."""
    return hashlib.sha256(key.encode()).hexdigest()
