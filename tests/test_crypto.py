"""The primitives: authenticated encryption bound to a context, keyed blind indexes."""

from __future__ import annotations

import pytest

from idcard import crypto


def test_sealed_data_opens_only_with_its_key_and_context() -> None:
    key = crypto.new_data_key()
    sealed = crypto.seal(key, b"Suharto", "details:r1")
    assert crypto.unseal(key, sealed, "details:r1") == b"Suharto"
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(crypto.new_data_key(), sealed, "details:r1")
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(key, sealed, "details:r2")  # a sealed value moved to another record
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal(key, tampered, "details:r1")


def test_sealing_twice_gives_different_ciphertexts() -> None:
    key = crypto.new_data_key()
    assert crypto.seal(key, b"same", "c") != crypto.seal(key, b"same", "c")


def test_blind_index_depends_on_key_purpose_and_every_part() -> None:
    index = crypto.blind_index(b"k" * 32, "name-dob", "ana", "1990-01-01")
    assert index == crypto.blind_index(b"k" * 32, "name-dob", "ana", "1990-01-01")
    assert index != crypto.blind_index(b"j" * 32, "name-dob", "ana", "1990-01-01")
    assert index != crypto.blind_index(b"k" * 32, "card-number", "ana", "1990-01-01")
    assert index != crypto.blind_index(b"k" * 32, "name-dob", "ana1990", "-01-01")
