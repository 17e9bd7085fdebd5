"""A resident's personal details: their shape, validation, and sealed storage."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from idcard.errors import N_, UserError
from idcard.models import Resident
from idcard.textfields import clean_text
from idcard.vault import ResidentKey, Sealed, Vault

GENDERS = ("F", "M", "X")
ADDRESS_KINDS = ("street", "care_of", "none")
NAME_MAX = 200
# Languages a resident may name as preferred (ISO 639-1); shown in the clerk's language.
PREFERRED_LANGUAGES = (
    "en", "es", "zh", "ru", "bn", "ht", "ko", "ar", "fr", "pl", "ur", "yi", "it", "ja",
    "hi", "vi", "tl", "pt", "el", "he", "am", "uk", "fa", "pa", "tr", "sw", "yo", "ne",
)


@dataclass(frozen=True)
class Address:
    """Where the resident lives: a street address, "care of" an organization, or none."""

    kind: str = "none"
    care_of: str = ""
    line1: str = ""
    line2: str = ""
    postal_code: str = ""

    def printed_lines(self) -> tuple[str, ...]:
        """The lines as they would appear on the card (none for "no address")."""
        if self.kind == "none":
            return ()
        care = (f"c/o {self.care_of}",) if self.kind == "care_of" else ()
        return care + tuple(line for line in (self.line1, self.line2, self.postal_code) if line)


@dataclass(frozen=True)
class EmergencyContact:
    name: str
    phone: str


@dataclass(frozen=True)
class ResidentDetails:
    """Everything personal we keep about a resident; stored only sealed."""

    name: str
    born_on: date
    gender: str | None = None
    address: Address = field(default_factory=Address)
    language: str = "en"
    emergency_contact: EmergencyContact | None = None

    def to_json(self) -> bytes:
        data = asdict(self)
        data["born_on"] = self.born_on.isoformat()
        return json.dumps(data, ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> ResidentDetails:
        data = json.loads(raw)
        contact = data.pop("emergency_contact")
        address = data.pop("address")
        return cls(
            **{**data, "born_on": date.fromisoformat(data["born_on"])},
            address=Address(**address),
            emergency_contact=EmergencyContact(**contact) if contact else None,
        )


@dataclass(frozen=True)
class ResidentRecord:
    """A resident as staff see it: opened details, photo and enrollment facts."""

    id: str
    details: ResidentDetails
    photo_jpeg: bytes
    review: str
    site_id: int
    enrolled_at: datetime


def validate_details(details: ResidentDetails) -> ResidentDetails:
    """Return the details with every text field checked and trimmed, or raise UserError."""
    if details.gender not in (None, *GENDERS):
        raise UserError(N_("Gender must be F, M, X or not shown."))
    if details.language not in PREFERRED_LANGUAGES:
        raise UserError(N_("Choose a preferred language from the list."))
    return ResidentDetails(
        name=clean_text(details.name, N_("Name"), max_length=NAME_MAX),
        born_on=details.born_on,
        gender=details.gender,
        address=_validate_address(details.address),
        language=details.language,
        emergency_contact=_validate_contact(details.emergency_contact),
    )


def _validate_address(address: Address) -> Address:
    if address.kind not in ADDRESS_KINDS:
        raise UserError(N_("Choose street address, care-of address or no address."))
    if address.kind == "none":
        return Address()
    return Address(
        kind=address.kind,
        care_of=(clean_text(address.care_of, N_("Care of (shelter or organization)"),
                            max_length=120) if address.kind == "care_of" else ""),
        line1=clean_text(address.line1, N_("Street address"), max_length=120),
        line2=clean_text(address.line2, N_("Apartment or floor"), max_length=120, required=False),
        postal_code=clean_text(address.postal_code, N_("Postal code"), max_length=16,
                               required=False),
    )


def _validate_contact(contact: EmergencyContact | None) -> EmergencyContact | None:
    if contact is None or not (contact.name.strip() or contact.phone.strip()):
        return None
    return EmergencyContact(
        name=clean_text(contact.name, N_("Emergency contact name"), max_length=120),
        phone=clean_text(contact.phone, N_("Emergency contact phone"), max_length=32),
    )


def seal_resident(
    vault: Vault, key: ResidentKey, resident: Resident, details: ResidentDetails, photo: bytes,
) -> None:
    """Fill a resident row's sealed columns and blind index from plain details."""
    resident.details_sealed = key.seal(Sealed.DETAILS, details.to_json())
    resident.photo_sealed = key.seal(Sealed.PHOTO, photo)
    resident.name_dob_index = vault.name_dob_index(details.name, details.born_on)


def open_resident(session: Session, vault: Vault, resident: Resident) -> ResidentRecord:
    """Decrypt a resident row with its data key (ShreddedError if the key is gone)."""
    return open_record(vault.resident_key(session, resident.id), resident)


def open_record(key: ResidentKey, resident: Resident) -> ResidentRecord:
    """Decrypt a resident row with its already unwrapped data key."""
    details = key.open(Sealed.DETAILS, resident.details_sealed)
    return ResidentRecord(
        id=resident.id, details=ResidentDetails.from_json(details),
        photo_jpeg=key.open(Sealed.PHOTO, resident.photo_sealed),
        review=resident.review, site_id=resident.site_id, enrolled_at=resident.enrolled_at,
    )


def find_by_name_and_birth(
    session: Session, vault: Vault, name: str, born_on: date,
) -> list[Resident]:
    """Residents whose normalized name and date of birth match exactly."""
    index = vault.name_dob_index(name, born_on)
    query = select(Resident).where(Resident.name_dob_index == index)
    return list(session.exec(query.order_by(col(Resident.enrolled_at))))
