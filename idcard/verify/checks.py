"""The one-bit answer: is this token a valid resident card right now?"""

from __future__ import annotations

from datetime import date

from nacl.signing import SigningKey

from idcard.tokens import InvalidToken, decode_token
from idcard.verify.status import Snapshot

# A throwaway key and signature, verified on refusals that stopped before the real
# signature check, so malformed tokens take as long to refuse as forged ones.
# The message is about as long as a token's signed bytes.
_DUMMY_KEY = SigningKey.generate()
_DUMMY_SIGNED = _DUMMY_KEY.sign(b"idcard timing equalizer " * 5)


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
    _DUMMY_KEY.verify_key.verify(_DUMMY_SIGNED)
