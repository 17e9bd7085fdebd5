"""The one-bit answer: is this token a valid resident card right now?"""

from __future__ import annotations

import contextlib
from datetime import date

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from idcard.tokens import InvalidToken, decode_token
from idcard.verify.status import Snapshot

# A throwaway key and signature, verified on refusals that stopped before the real
# signature check, so malformed tokens take as long to refuse as forged ones.
_DUMMY_KEY = Ed25519PrivateKey.generate()
_DUMMY_PUBLIC = _DUMMY_KEY.public_key()
_DUMMY_MESSAGE = b"idcard timing equalizer"
_DUMMY_SIGNATURE = _DUMMY_KEY.sign(_DUMMY_MESSAGE)


def is_valid_card(token: object, snapshot: Snapshot, today: date) -> bool:
    """True only for a genuine, unexpired, active card; False for everything else."""
    if not isinstance(token, str):
        _spend_one_verification()
        return False
    try:
        claims = decode_token(token, snapshot.keys, today=today)
    except InvalidToken as refusal:
        if not refusal.signature_checked:
            _spend_one_verification()
        return False
    return snapshot.is_valid(claims.list_id, claims.index)


def _spend_one_verification() -> None:
    with contextlib.suppress(InvalidSignature):  # the dummy signature is always good
        _DUMMY_PUBLIC.verify(_DUMMY_SIGNATURE, _DUMMY_MESSAGE)
