"""The second factor: time-based one-time codes (RFC 6238) and one-time recovery codes.

Supervisors and admins always need one; clerks where their site asks for it. The
secret is sealed under the master key; each accepted code moves `totp_last_step`
forward with a conditional update, so a code (or an older one) never works twice.
Recovery codes are shown once and kept only as Argon2id hashes, like passwords.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

import pyotp
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from idcard.audit import Actor, record_event
from idcard.auth.accounts import hasher
from idcard.auth.sessions import end_all_sessions
from idcard.errors import N_, UserError
from idcard.models import RecoveryCode, Role, Site, StaffUser, utcnow
from idcard.vault import Vault

RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
RECOVERY_LENGTH = 16  # about 79 bits
LOOKUP_LENGTH = 4
CLOCK_DRIFT_STEPS = 1  # accept the code of the previous and the next 30 seconds too


def needs_second_factor(user: StaffUser, site: Site | None) -> bool:
    """Supervisors and admins always; clerks when their site asks for it."""
    if Role(user.role).includes(Role.SUPERVISOR):
        return True
    return site is not None and site.clerks_need_totp


def enrolled(user: StaffUser) -> bool:
    return user.totp_sealed is not None and user.totp_since is not None


def pending_secret(session: Session, vault: Vault, user: StaffUser) -> str:
    """The secret being enrolled: the one waiting for confirmation, or a new one."""
    if enrolled(user):
        raise UserError(N_("A second factor is set up already."))
    assert user.id is not None
    if user.totp_sealed is not None:
        return vault.open_totp_secret(user.id, user.totp_sealed).decode()
    secret = pyotp.random_base32()
    user.totp_sealed = vault.seal_totp_secret(user.id, secret.encode())
    session.add(user)
    return secret


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def confirm_enrolment(
    session: Session, vault: Vault, user: StaffUser, code: str, now: datetime | None = None,
) -> list[str]:
    """Start using the pending secret once a code from it is right; return recovery codes."""
    if enrolled(user) or user.totp_sealed is None:
        raise UserError(N_("Start the set-up again."))
    if not accept_code(session, vault, user, code, now):
        raise UserError(N_("That code is not right. Check the phone's clock and try again."))
    user.totp_since = now or utcnow()
    session.add(user)
    record_event(session, Actor(user.id, user.site_id), "staff.totp_enrol", "staff_user",
                 user.public_id)
    return new_recovery_codes(session, user)


def accept_code(
    session: Session, vault: Vault, user: StaffUser, code: str, now: datetime | None = None,
) -> bool:
    """True (once) for a current code of the user's secret; moves the replay guard."""
    code = "".join(code.split())
    if user.totp_sealed is None or user.id is None or not (code.isascii() and code.isdigit()):
        return False
    totp = pyotp.TOTP(vault.open_totp_secret(user.id, user.totp_sealed).decode())
    current = totp.timecode(now or utcnow())
    for step in range(current - CLOCK_DRIFT_STEPS, current + CLOCK_DRIFT_STEPS + 1):
        if step > user.totp_last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return _claim_step(session, user, step)
    return False


def _claim_step(session: Session, user: StaffUser, step: int) -> bool:
    claimed = session.execute(update(StaffUser).where(
        col(StaffUser.id) == user.id, col(StaffUser.totp_last_step) < step,
    ).values(totp_last_step=step))
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def new_recovery_codes(session: Session, user: StaffUser) -> list[str]:
    """Replace the user's recovery codes with new ones; only their hashes are kept."""
    assert user.id is not None
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.staff_id) == user.id))
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
             for _ in range(RECOVERY_CODES)]
    for code in codes:
        session.add(RecoveryCode(staff_id=user.id, lookup=code[:LOOKUP_LENGTH],
                                 code_hash=hasher.hash(code)))
    return ["-".join(code[i:i + 4] for i in range(0, RECOVERY_LENGTH, 4)) for code in codes]


def use_recovery_code(session: Session, user: StaffUser, typed: str) -> bool:
    """True (once) for one of the user's unused recovery codes."""
    code = "".join(char for char in typed.lower() if char.isalnum())
    if len(code) != RECOVERY_LENGTH or not code.isascii():
        return False
    candidates = session.exec(select(RecoveryCode).where(
        RecoveryCode.staff_id == user.id, RecoveryCode.lookup == code[:LOOKUP_LENGTH],
        col(RecoveryCode.used_at).is_(None))).all()
    for candidate in candidates:
        try:
            hasher.verify(candidate.code_hash, code)
        except (VerificationError, InvalidHashError):
            continue
        used = session.execute(update(RecoveryCode).where(
            col(RecoveryCode.id) == candidate.id, col(RecoveryCode.used_at).is_(None),
        ).values(used_at=utcnow()))
        if used.rowcount:  # type: ignore[attr-defined]
            record_event(session, Actor(user.id, user.site_id), "staff.recovery_code_used",
                         "staff_user", user.public_id)
            return True
    return False


def reset_second_factor(session: Session, actor: Actor, user: StaffUser) -> None:
    """Remove a staff member's second factor (lost phone); they set up a new one at sign-in."""
    user.totp_sealed, user.totp_since = None, None
    session.add(user)
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.staff_id) == user.id))
    end_all_sessions(session, user.id)
    record_event(session, actor, "staff.totp_reset", "staff_user", user.public_id)
