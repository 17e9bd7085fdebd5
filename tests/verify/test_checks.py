"""The one-bit answer: only a genuine, unexpired, active card is a valid resident card."""

from __future__ import annotations

from datetime import date, timedelta

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
}


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
def test_every_answer_costs_one_signature_verification(
    case: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Malformed tokens take as long to refuse as forged ones: no timing tells them apart."""
    value = token() if case == "valid" else NOT_VALID[case]()
    state = snapshot()
    verified = VerifyKey.verify
    calls: list[None] = []

    def counted(self: VerifyKey, *args: object, **kwargs: object) -> bytes:
        calls.append(None)
        return verified(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(VerifyKey, "verify", counted)
    is_valid_card(value, state, TODAY)
    assert len(calls) == 1
