"""The one-bit answer: only a genuine, unexpired, active card is a valid resident card."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import cbor2
import pytest
from nacl.signing import VerifyKey

from idcard.statuslist import StatusBits
from idcard.tokens import CardClaims, SigningKey, encode_token, key_set, new_handle
from idcard.verify.checks import is_valid_card
from idcard.verify.status import Snapshot

TODAY = date(2026, 3, 1)
LIST_ID, ACTIVE, REVOKED = 7, 5, 6
SIGNER = SigningKey.generate()


def snapshot() -> Snapshot:
    """Keys and one status list as a verifier holds them: entry REVOKED is set (1)."""
    bits = StatusBits(16)
    bits.set(REVOKED, True)
    return Snapshot(keys=key_set([SIGNER.public_bytes]), lists={LIST_ID: bits})


def token(*, index: int = ACTIVE, list_id: int = LIST_ID, expires_on: date = TODAY,
          signer: SigningKey = SIGNER) -> str:
    claims = CardClaims(handle=new_handle(), expires_on=expires_on, list_id=list_id,
                        index=index)
    return encode_token(claims, signer)


def test_a_genuine_card_on_an_active_entry_is_valid_through_its_last_day() -> None:
    assert is_valid_card(token(expires_on=TODAY + timedelta(days=900)), snapshot(), TODAY)
    assert is_valid_card(token(expires_on=TODAY), snapshot(), TODAY)


NOT_VALID = {
    "not a string": lambda: 12345,
    "bytes": lambda: token().encode(),
    "none": lambda: None,
    "malformed": lambda: "NOT-A-TOKEN",
    "truncated": lambda: token()[:-8],
    "empty": lambda: "",
    "unknown key": lambda: token(signer=SigningKey.generate()),
    "expired": lambda: token(expires_on=TODAY - timedelta(days=1)),
    "status bit 1": lambda: token(index=REVOKED),
    "unknown list": lambda: token(list_id=LIST_ID + 1),
    "index past the list": lambda: token(index=16),
    "bad signature": lambda: _flip_last_byte(token()),
    "not deterministic": lambda: _long_signature_head(token()),
    "random Base32": lambda: base64.b32encode(bytes(range(115))).decode().rstrip("="),
    "unsupported version": lambda: encode_token(
        CardClaims(handle=new_handle(), expires_on=TODAY, list_id=LIST_ID, index=ACTIVE,
                   version=2), SIGNER),
}


def _flip_last_byte(text: str) -> str:
    message = bytearray(base64.b32decode(text + "=" * (-len(text) % 8)))
    message[-1] ^= 1
    return base64.b32encode(bytes(message)).decode().rstrip("=")


def _long_signature_head(text: str) -> str:
    """The same envelope, the signature's length in a needless 2-byte head."""
    message = base64.b32decode(text + "=" * (-len(text) % 8))
    changed = message[:-66] + b"\x59\x00\x40" + message[-64:]
    return base64.b32encode(changed).decode().rstrip("=")


@pytest.mark.parametrize("case", NOT_VALID)
def test_everything_else_is_not_valid(case: str) -> None:
    assert is_valid_card(NOT_VALID[case](), snapshot(), TODAY) is False


def test_a_card_revoked_after_it_was_printed_turns_not_valid() -> None:
    card = token()
    state = snapshot()
    assert is_valid_card(card, state, TODAY)
    state.lists[LIST_ID].set(ACTIVE, True)
    assert not is_valid_card(card, state, TODAY)


@pytest.mark.parametrize("case", ["valid", *NOT_VALID])
def test_every_answer_does_the_same_work(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """One signature verification and three CBOR decodes (envelope, protected header,
    payload) for every answer: a malformed token is not refused faster than a forged one."""
    value = token() if case == "valid" else NOT_VALID[case]()
    state = snapshot()
    verified, decoder = VerifyKey.verify, cbor2.CBORDecoder
    calls: list[str] = []

    def counted(self: VerifyKey, *args: object, **kwargs: object) -> bytes:
        calls.append("verify")
        return verified(self, *args, **kwargs)  # type: ignore[arg-type]

    def counted_decoder(*args: object, **kwargs: object) -> cbor2.CBORDecoder:
        calls.append("decode")
        return decoder(*args, **kwargs)

    monkeypatch.setattr(VerifyKey, "verify", counted)
    monkeypatch.setattr(cbor2, "CBORDecoder", counted_decoder)
    is_valid_card(value, state, TODAY)
    assert sorted(calls) == ["decode", "decode", "decode", "verify"]
