"""Supervisor decisions on enrollments flagged as possible duplicates."""

from __future__ import annotations

from sqlmodel import Session, col, delete

from idcard.audit import Actor, record_event
from idcard.errors import N_, UserError
from idcard.models import DocumentCheck, Resident, ReviewState
from idcard.vault import Vault


def _check_flagged(resident: Resident) -> None:
    if resident.review != ReviewState.POSSIBLE_DUPLICATE:
        raise UserError(N_("This enrollment is not waiting for review."))


def approve_resident(session: Session, actor: Actor, resident: Resident) -> None:
    """Record that a flagged enrollment is a different person."""
    _check_flagged(resident)
    resident.review = ReviewState.APPROVED
    session.add(resident)
    record_event(session, actor, "resident.approve", "resident", resident.id)


def discard_resident(session: Session, vault: Vault, actor: Actor, resident: Resident) -> None:
    """Remove a duplicate enrollment, shredding its key first."""
    _check_flagged(resident)
    vault.shred(session, resident.id)
    session.execute(delete(DocumentCheck).where(col(DocumentCheck.resident_id) == resident.id))
    session.delete(resident)
    record_event(session, actor, "resident.discard", "resident", resident.id)
