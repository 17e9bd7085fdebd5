"""Envelope encryption, blind indexes and crypto-shredding."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from idcard import crypto
from idcard.issuance.residents import open_resident
from idcard.models import Resident
from idcard.vault import ShreddedError, Vault
from tests.helpers import enroll


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


def test_data_keys_are_bound_to_their_owner() -> None:
    master = crypto.new_data_key()
    wrapped = crypto.wrap_data_key(master, b"k" * 32, "alice")
    assert crypto.unwrap_data_key(master, wrapped, "alice") == b"k" * 32
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_data_key(master, wrapped, "mallory")


def test_blind_index_folds_case_and_spaces_and_depends_on_the_key() -> None:
    vault = Vault(b"m" * 32, b"i" * 32)
    born = date(1990, 1, 1)
    assert vault.name_dob_index("Łukasz Żółć", born) == vault.name_dob_index(" łukasz  ŻÓŁĆ", born)
    assert vault.name_dob_index("Łukasz Żółć", born) != vault.name_dob_index("Lukasz Zolc", born)
    assert vault.name_dob_index("A", born) != vault.name_dob_index("A", date(1990, 1, 2))
    other = Vault(b"m" * 32, b"j" * 32)
    assert vault.name_dob_index("A", born) != other.name_dob_index("A", born)


def test_shredding_the_key_makes_the_resident_unreadable(app, clerk_client, db_session) -> None:
    enroll(clerk_client)
    vault = app.extensions["idcard.vault"]
    resident = db_session.exec(select(Resident)).one()
    assert open_resident(db_session, vault, resident).details.name
    vault.shred(db_session, resident.id)
    db_session.commit()
    with pytest.raises(ShreddedError):
        open_resident(db_session, vault, resident)
    assert clerk_client.get(f"/staff/residents/{resident.id}").status_code == 410


def test_another_master_key_cannot_open_residents(app, clerk_client, db_session) -> None:
    enroll(clerk_client)
    resident = db_session.exec(select(Resident)).one()
    with pytest.raises(crypto.DecryptionError):
        open_resident(db_session, Vault(b"x" * 32, b"y" * 32), resident)
