"""Every sealing decision in one place: which key seals which field, bound to what.

A resident's personal data is sealed under that resident's own data key, and the
data key is stored only wrapped by the master key; destroying it shreds the
resident. Signing keys are sealed by the master key. Each ciphertext is bound to
one field of one record (its context), so a sealed photo cannot pass for details,
nor one resident's data for another's. Blind indexes (keyed HMACs) find equal
values without storing them.

Callers name a field (`Sealed.PHOTO`), never a context string, and unwrap a
resident's key once per operation (`Vault.resident_key`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from idcard import crypto
from idcard.models import DataKey


class ShreddedError(LookupError):
    """The resident's data key is gone: their data can no longer be read."""


class Sealed(enum.Enum):
    """A field sealed under a resident's data key; the value is its context's prefix."""

    DETAILS = "details"
    PHOTO = "photo"
    CARD_NUMBER = "card-number"


@dataclass(frozen=True)
class ResidentKey:
    """One resident's data key, unwrapped once for one operation."""

    resident_id: str
    key: bytes = field(repr=False)

    def seal(self, what: Sealed, plaintext: bytes) -> bytes:
        """Encrypt one field of this resident's record."""
        return crypto.seal(self.key, plaintext, self._context(what))

    def open(self, what: Sealed, sealed: bytes) -> bytes:
        """Decrypt one field sealed by `seal` for this resident."""
        return crypto.unseal(self.key, sealed, self._context(what))

    def _context(self, what: Sealed) -> str:
        return f"{what.value}:{self.resident_id}"


@dataclass(frozen=True)
class Vault:
    """Holds the master key (wraps data and signing keys) and the index key."""

    master_key: bytes = field(repr=False)
    index_key: bytes = field(repr=False)

    def create_key(self, session: Session, resident_id: str) -> ResidentKey:
        """Make and store a new data key for a resident."""
        data_key = crypto.new_data_key()
        wrapped = crypto.seal(self.master_key, data_key, _data_key_context(resident_id))
        session.add(DataKey(resident_id=resident_id, wrapped_key=wrapped))
        return ResidentKey(resident_id, data_key)

    def resident_key(self, session: Session, resident_id: str) -> ResidentKey:
        """Unwrap a resident's data key, or raise ShreddedError if it was destroyed."""
        row = session.get(DataKey, resident_id)
        if row is None:
            raise ShreddedError(resident_id)
        key = crypto.unseal(self.master_key, row.wrapped_key, _data_key_context(resident_id))
        return ResidentKey(resident_id, key)

    def shred(self, session: Session, resident_id: str) -> None:
        """Destroy a resident's data key; every copy of their data becomes unreadable."""
        row = session.get(DataKey, resident_id)
        if row is not None:
            session.delete(row)

    def seal_signing_key(self, kid: str, private: bytes) -> bytes:
        """Seal a signing key's private half under the master key."""
        return crypto.seal(self.master_key, private, _signing_key_context(kid))

    def open_signing_key(self, kid: str, sealed: bytes) -> bytes:
        """Open a signing key sealed by `seal_signing_key`."""
        return crypto.unseal(self.master_key, sealed, _signing_key_context(kid))

    def seal_totp_secret(self, staff_id: int, secret: bytes) -> bytes:
        """Seal a staff member's TOTP secret under the master key."""
        return crypto.seal(self.master_key, secret, _totp_context(staff_id))

    def open_totp_secret(self, staff_id: int, sealed: bytes) -> bytes:
        """Open a TOTP secret sealed by `seal_totp_secret`."""
        return crypto.unseal(self.master_key, sealed, _totp_context(staff_id))

    def name_dob_index(self, name: str, born_on: date) -> str:
        """Blind index for exact name + date of birth look-ups and duplicate checks."""
        return crypto.blind_index(
            self.index_key, "name-dob", crypto.normalize_name(name), born_on.isoformat())

    def card_number_index(self, number: str) -> str:
        """Blind index for finding a card by its printed number."""
        return crypto.blind_index(self.index_key, "card-number", number)


def _data_key_context(resident_id: str) -> str:
    return f"data-key:{resident_id}"


def _signing_key_context(kid: str) -> str:
    return f"signing-key:{kid}"


def _totp_context(staff_id: int) -> str:
    return f"totp:{staff_id}"
