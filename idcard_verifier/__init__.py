"""Verify municipal ID cards in your own software: the card token and its status list.

Needs only cbor2 and PyNaCl. A check-in desk does::

    from idcard_verifier import Answer, OnlineVerifier

    desk = OnlineVerifier("https://id.example-city.gov")
    if desk.check(scanned_text) is Answer.VALID: ...

docs/token-format.md in the idcard repository is the specification; README.md beside
this file shows offline use.
"""

from idcard_verifier.card import CardClaims, decode_token, list_uri, token_from_text
from idcard_verifier.cose import InvalidToken, verify_cose_sign1
from idcard_verifier.desk import Answer, OnlineVerifier, Verifier
from idcard_verifier.keyset import (
    InvalidKeySet,
    key_id,
    keys_from_cose_key_set,
    keys_from_jwks,
    read_key_set,
)
from idcard_verifier.statuslist import (
    InvalidStatusList,
    StatusList,
    read_status_list,
    read_status_list_cbor,
    status_at,
)

__all__ = [
    "Answer",
    "CardClaims",
    "InvalidKeySet",
    "InvalidStatusList",
    "InvalidToken",
    "OnlineVerifier",
    "StatusList",
    "Verifier",
    "decode_token",
    "key_id",
    "keys_from_cose_key_set",
    "keys_from_jwks",
    "list_uri",
    "read_key_set",
    "read_status_list",
    "read_status_list_cbor",
    "status_at",
    "token_from_text",
    "verify_cose_sign1",
]
