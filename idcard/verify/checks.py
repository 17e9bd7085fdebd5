"""The one-bit answer: is this token a valid resident card right now?

Every answer costs the same work, so timing tells no kind of "not valid" from another
or from "valid". A refusal stops early (a malformed text never reaches the signature),
so the steps it skipped then run on a throwaway card: Base32, the COSE envelope, one
Ed25519 verification and the claims, whatever the token was. `bench/verify_timing.py`
measures what is left.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from idcard.tokens import CardClaims, SigningKey, encode_token, key_set
from idcard.verify.status import Snapshot
from idcard_verifier.card import claims_from_fields, decode_token, payload_fields, token_bytes
from idcard_verifier.cose import (
    InvalidToken,
    check_form,
    check_signature,
    loads_exact,
    open_envelope,
    sign1_from_item,
)

# A throwaway card as long as a real one (its index takes 4 bytes, as most do), signed
# by a throwaway key no verifier knows.
_SPARE_KEY = SigningKey.generate()
_SPARE_KEYS = key_set([_SPARE_KEY.public_bytes])
_SPARE_TOKEN = encode_token(
    CardClaims(handle=bytes(16), expires_on=date(2031, 6, 30), list_id=1, index=98_765),
    _SPARE_KEY)
_SPARE_MESSAGE = token_bytes(_SPARE_TOKEN)
_SPARE_ENVELOPE, _SPARE_PUBLIC_KEY = open_envelope(_SPARE_MESSAGE, _SPARE_KEYS)
# The steps of idcard_verifier.card.decode_token, in its order, on the throwaway card.
_SPARE_STEPS = (
    partial(token_bytes, _SPARE_TOKEN),
    partial(loads_exact, _SPARE_MESSAGE),
    partial(sign1_from_item, loads_exact(_SPARE_MESSAGE)),
    partial(check_form, _SPARE_ENVELOPE, _SPARE_MESSAGE),
    partial(check_signature, _SPARE_ENVELOPE, _SPARE_PUBLIC_KEY),
    partial(payload_fields, _SPARE_ENVELOPE),
    partial(claims_from_fields, payload_fields(_SPARE_ENVELOPE), _SPARE_ENVELOPE.payload),
)


def is_valid_card(token: object, snapshot: Snapshot, today: date) -> bool:
    """True only for a genuine, unexpired, active card; False for everything else."""
    try:
        claims = decode_token(token, snapshot.keys, today=today)
    except InvalidToken as refusal:
        for step in _SPARE_STEPS[refusal.done:]:
            step()
        return False
    return snapshot.is_valid(claims.list_id, claims.index)
