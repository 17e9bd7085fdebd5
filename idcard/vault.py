"""Sealing and opening a resident's personal data with that resident's own key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from idcard import crypto
from idcard.models import DataKey


class ShreddedError(LookupError):
    """The resident's data key is gone: their data can no longer be read."""


@dataclass(frozen=True)
class Vault:
    """Holds the master key (wraps data keys) and the index key (blind indexes)."""

    master_key: bytes
    index_key: bytes

    def create_key(self, session: Session, resident_id: str) -> bytes:
        """Make and store a new data key for a resident; return it unwrapped."""
        data_key = crypto.new_data_key()
        wrapped = crypto.wrap_data_key(self.master_key, data_key, resident_id)
        session.add(DataKey(resident_id=resident_id, wrapped_key=wrapped))
        return data_key

    def data_key(self, session: Session, resident_id: str) -> bytes:
        """Return a resident's data key, or raise ShreddedError if it was destroyed."""
        row = session.get(DataKey, resident_id)
        if row is None:
            raise ShreddedError(resident_id)
        return crypto.unwrap_data_key(self.master_key, row.wrapped_key, resident_id)

    def shred(self, session: Session, resident_id: str) -> None:
        """Destroy a resident's data key; every copy of their data becomes unreadable."""
        row = session.get(DataKey, resident_id)
        if row is not None:
            session.delete(row)

    def name_dob_index(self, name: str, born_on: date) -> str:
        """Blind index for exact name + date of birth look-ups and duplicate checks."""
        return crypto.blind_index(
            self.index_key, "name-dob", crypto.normalize_name(name), born_on.isoformat())
