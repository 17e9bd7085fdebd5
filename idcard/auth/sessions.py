"""Server-side staff sessions: revocable, with an idle timeout and an absolute lifetime.

The browser's cookie carries a random token; the database keeps only its SHA-256, so
a copy of the database opens no session. Signing out, a password or role change, or
closing a site ends sessions here, and a copied cookie is refused from then on.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from idcard.models import StaffSession, StaffUser, utcnow

TOUCH_EVERY = timedelta(seconds=60)  # how often a busy session's last use is written


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lives: since its last use, and at most since sign-in."""

    idle: timedelta = timedelta(minutes=30)
    lifetime: timedelta = timedelta(hours=12)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: StaffUser, *, second_factor_done: bool) -> str:
    """Open a new session for a user who gave the right password; return its token."""
    assert user.id is not None
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(token_hash=token_hash(token), staff_id=user.id,
                             second_factor_done=second_factor_done))
    return token


def live_session(
    session: Session, token: str, policy: SessionPolicy, now: datetime | None = None,
) -> StaffSession | None:
    """The session this token opens, if it was not ended and has not timed out."""
    if not token or len(token) > 64:
        return None
    row = session.get(StaffSession, token_hash(token))
    now = now or utcnow()
    if row is None or row.ended_at is not None:
        return None
    if now - row.last_seen_at > policy.idle or now - row.created_at > policy.lifetime:
        return None
    return row


def touch(session: Session, row: StaffSession, now: datetime | None = None) -> None:
    """Record that the session is in use (at most once a minute: one write, not one a page)."""
    now = now or utcnow()
    if now - row.last_seen_at >= TOUCH_EVERY:
        session.execute(update(StaffSession)
                        .where(col(StaffSession.token_hash) == row.token_hash,
                               col(StaffSession.ended_at).is_(None))
                        .values(last_seen_at=now))


def end_session(session: Session, token: str) -> None:
    """End one session (signing out)."""
    session.execute(update(StaffSession)
                    .where(col(StaffSession.token_hash) == token_hash(token),
                           col(StaffSession.ended_at).is_(None))
                    .values(ended_at=utcnow()))


def end_all_sessions(session: Session, staff_id: int | None) -> None:
    """End every session of a staff member (password, role or site changed; access ended)."""
    session.execute(update(StaffSession)
                    .where(col(StaffSession.staff_id) == staff_id,
                           col(StaffSession.ended_at).is_(None))
                    .values(ended_at=utcnow()))


def complete_second_factor(session: Session, token: str) -> bool:
    """Mark a waiting session as fully signed in; False if it ended meanwhile."""
    done = session.execute(update(StaffSession)
                           .where(col(StaffSession.token_hash) == token_hash(token),
                                  col(StaffSession.ended_at).is_(None),
                                  col(StaffSession.second_factor_done).is_(False))
                           .values(second_factor_done=True, last_seen_at=utcnow()))
    return bool(done.rowcount)  # type: ignore[attr-defined]


def count_failed_code(session: Session, token: str, allowed: int) -> bool:
    """Count a wrong second-factor code; end the session after `allowed` of them.

    Returns True while the session may try again.
    """
    hashed = token_hash(token)
    session.execute(update(StaffSession).where(col(StaffSession.token_hash) == hashed)
                    .values(failed_codes=StaffSession.failed_codes + 1))
    failed = session.exec(select(StaffSession.failed_codes)
                          .where(StaffSession.token_hash == hashed)).first()
    if failed is None or failed >= allowed:
        session.execute(update(StaffSession).where(col(StaffSession.token_hash) == hashed)
                        .values(ended_at=utcnow()))
        return False
    return True
