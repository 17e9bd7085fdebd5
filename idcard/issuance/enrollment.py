"""Enrolling a resident: check documents and age, seal details, flag possible duplicates."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from idcard.audit import Actor, record_event
from idcard.cardprint.layout import unprintable_reason
from idcard.errors import UserError
from idcard.issuance.documents import DocumentRules, DocumentType
from idcard.issuance.photos import Crop, normalize_photo
from idcard.issuance.residents import ResidentDetails, seal_resident, validate_details
from idcard.models import DocumentCheck, Resident, ReviewState
from idcard.vault import Vault


@dataclass(frozen=True)
class Application:
    """What a clerk enters at the counter for one applicant."""

    details: ResidentDetails
    documents: Collection[str]
    caretaker_documents: Collection[str]
    photo: bytes
    crop: Crop | None = None


@dataclass(frozen=True)
class Enrollment:
    resident_id: str
    possible_duplicate: bool


def enroll_resident(
    session: Session, vault: Vault, rules: DocumentRules, application: Application,
    actor: Actor, *, today: date,
) -> Enrollment:
    """Check and record one applicant; raise UserError (nothing stored) if refused."""
    actor.at_site()
    details = validate_details(application.details)
    # A name the card cannot print faithfully is refused now, not mangled on the card.
    reason = unprintable_reason(details.name)
    if reason:
        raise UserError(reason)
    needs_caretaker = rules.check_age(details.born_on, today)
    documents = rules.check(set(application.documents))
    caretaker = (rules.check_caretaker(set(application.caretaker_documents))
                 if needs_caretaker else [])
    photo = normalize_photo(application.photo, application.crop)
    resident = _store(session, vault, details, photo, actor)
    _record_documents(session, resident.id, documents, caretaker, actor)
    record_event(session, actor, "resident.enroll", "resident", resident.id)
    if resident.review == ReviewState.POSSIBLE_DUPLICATE:
        record_event(session, actor, "resident.flag_duplicate", "resident", resident.id)
    return Enrollment(resident.id, resident.review == ReviewState.POSSIBLE_DUPLICATE)


def _store(
    session: Session, vault: Vault, details: ResidentDetails, photo: bytes, actor: Actor,
) -> Resident:
    staff_id, site_id = actor.at_site()
    resident = Resident(
        details_sealed=b"", photo_sealed=b"", name_dob_index="",
        site_id=site_id, enrolled_by=staff_id,
    )
    key = vault.create_key(session, resident.id)
    seal_resident(vault, key, resident, details, photo)
    duplicate = session.exec(
        select(Resident.id).where(Resident.name_dob_index == resident.name_dob_index)
    ).first()
    if duplicate is not None:
        resident.review = ReviewState.POSSIBLE_DUPLICATE
    session.add(resident)
    session.flush()
    return resident


def _record_documents(
    session: Session, resident_id: str, documents: list[DocumentType],
    caretaker: list[DocumentType], actor: Actor,
) -> None:
    for doc, for_caretaker in [(d, False) for d in documents] + [(d, True) for d in caretaker]:
        session.add(DocumentCheck(
            resident_id=resident_id, document_type=doc.key, identity_points=doc.identity,
            residency_points=doc.residency, for_caretaker=for_caretaker,
            checked_by=actor.at_site()[0],
        ))
