"""The vault: per-resident data keys, sealed fields bound to their record, shredding."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from idcard import crypto
from idcard.issuance.residents import open_resident
from idcard.models import DataKey, Resident
from idcard.services import services
from idcard.vault import Sealed, ShreddedError, Vault
from tests.helpers import enroll


def test_a_sealed_field_opens_only_as_itself_for_its_own_resident(db_session) -> None:
    vault = Vault(b"m" * 32, b"i" * 32)
    alice, bob = vault.create_key(db_session, "alice"), vault.create_key(db_session, "bob")
    sealed = alice.seal(Sealed.DETAILS, b"Suharto")
    assert alice.open(Sealed.DETAILS, sealed) == b"Suharto"
    with pytest.raises(crypto.DecryptionError):
        alice.open(Sealed.PHOTO, sealed)  # a sealed value moved to another field
    with pytest.raises(crypto.DecryptionError):
        bob.open(Sealed.DETAILS, sealed)


def test_data_keys_are_bound_to_their_owner(db_session) -> None:
    vault = Vault(b"m" * 32, b"i" * 32)
    key = vault.create_key(db_session, "alice")
    db_session.flush()
    assert vault.resident_key(db_session, "alice") == key
    wrapped = db_session.get(DataKey, "alice").wrapped_key
    db_session.add(DataKey(resident_id="mallory", wrapped_key=wrapped))  # a copied key row
    with pytest.raises(crypto.DecryptionError):
        vault.resident_key(db_session, "mallory")


def test_signing_keys_are_sealed_under_their_own_id() -> None:
    vault = Vault(b"m" * 32, b"i" * 32)
    sealed = vault.seal_signing_key("00aa", b"p" * 32)
    assert vault.open_signing_key("00aa", sealed) == b"p" * 32
    with pytest.raises(crypto.DecryptionError):
        vault.open_signing_key("00ab", sealed)


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
    vault = services(app).vault
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
