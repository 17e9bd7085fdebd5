"""Staff accounts: creation, password checks, first-run setup links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from idcard.audit import Actor, record_event
from idcard.auth.sessions import end_all_sessions
from idcard.errors import N_, UserError
from idcard.models import Role, SetupLink, Site, StaffUser, utcnow
from idcard.textfields import clean_text

PASSWORD_MIN = 12
PASSWORD_MAX = 256
SETUP_LINK_LIFETIME = timedelta(hours=24)
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")

hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
# Checked when the username is unknown, so a miss costs the same time as a wrong password.
_DUMMY_HASH = hasher.hash(secrets.token_hex(16))


def hash_password(password: str, username: str) -> str:
    """Check the password policy and return its Argon2id hash."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise UserError(
            N_("Passwords must be %(min)s to %(max)s characters long."),
            min=PASSWORD_MIN, max=PASSWORD_MAX)
    if password.casefold() == username.casefold():
        raise UserError(N_("The password must not be the username."))
    return hasher.hash(password)


def clean_username(username: str) -> str:
    """Usernames are lower-case letters, digits, dots, dashes and underscores."""
    name = clean_text(username, N_("Username"), max_length=64).lower()
    if not set(name) <= USERNAME_CHARS:
        raise UserError(
            N_("Usernames may use only letters a-z, digits, dots, dashes and underscores."))
    return name


def create_user(
    session: Session, actor: Actor, username: str, password: str, role: Role,
    site_id: int | None,
) -> StaffUser:
    """Create a staff account; clerks and supervisors must work at an active site."""
    username = clean_username(username)
    if session.exec(select(StaffUser).where(StaffUser.username == username)).first():
        raise UserError(N_("That username is taken."))
    _check_site(session, role, site_id)
    user = StaffUser(username=username, password_hash=hash_password(password, username),
                     role=role, site_id=site_id)
    session.add(user)
    session.flush()
    record_event(session, actor, "staff.create", "staff_user", user.public_id)
    return user


class WrongPasswordError(UserError):
    """The current password given to confirm a change is not right."""


def update_user(
    session: Session, actor: Actor, user: StaffUser, role: Role, site_id: int | None,
    active: bool,
) -> None:
    """Change a staff member's role, site or whether the account may sign in."""
    _check_site(session, role, site_id)
    if (user.role, user.site_id, user.active) != (role, site_id, active):
        end_all_sessions(session, user.id)  # they sign in again under the new terms
    user.role, user.site_id, user.active = role, site_id, active
    session.add(user)
    record_event(session, actor, "staff.update", "staff_user", user.public_id)


def _check_site(session: Session, role: Role, site_id: int | None) -> None:
    site = session.get(Site, site_id) if site_id is not None else None
    if site_id is not None and (site is None or not site.active):
        raise UserError(N_("Choose an active site."))
    if site is None and role != Role.ADMIN:
        raise UserError(N_("Clerks and supervisors must work at a site."))


def may_sign_in(session: Session, user: StaffUser) -> bool:
    """Active accounts; staff other than admins only while their site is open."""
    if not user.active:
        return False
    if user.role == Role.ADMIN:
        return True
    site = session.get(Site, user.site_id) if user.site_id is not None else None
    return site is not None and site.active


def authenticate(session: Session, username: str, password: str) -> StaffUser | None:
    """Return the active account these credentials open, or None."""
    typed = username.strip().lower()
    user = None
    if typed and len(typed) <= 64 and set(typed) <= USERNAME_CHARS:  # else no such account
        user = session.exec(select(StaffUser).where(StaffUser.username == typed)).first()
    try:
        hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        session.add(user)
    return user


def change_password(
    session: Session, actor: Actor, user: StaffUser, current: str, new: str,
) -> None:
    """Set a new password after checking the current one; ends every session."""
    try:
        hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise WrongPasswordError(N_("The current password is not right.")) from None
    user.password_hash = hash_password(new, user.username)
    user.password_changed_at = utcnow()
    session.add(user)
    end_all_sessions(session, user.id)
    record_event(session, actor, "staff.change_password", "staff_user", user.public_id)


def reset_password(session: Session, actor: Actor, user: StaffUser, new: str) -> None:
    """Set a staff member's password for them (an admin's action); ends their sessions."""
    user.password_hash = hash_password(new, user.username)
    user.password_changed_at = utcnow()
    session.add(user)
    end_all_sessions(session, user.id)
    record_event(session, actor, "staff.reset_password", "staff_user", user.public_id)


def admin_exists(session: Session) -> bool:
    query = select(StaffUser.id).where(StaffUser.role == Role.ADMIN, StaffUser.active)
    return session.exec(query).first() is not None


def create_setup_link(session: Session) -> str:
    """Return a new one-time token for creating the first admin; older ones stop working."""
    for old in session.exec(select(SetupLink).where(SetupLink.used_at.is_(None))):  # type: ignore[union-attr]
        old.used_at = utcnow()
        session.add(old)
    token = secrets.token_urlsafe(32)
    session.add(SetupLink(token_hash=_digest(token)))
    return token


def setup_link_valid(session: Session, token: str, now: datetime | None = None) -> bool:
    """True while the link is unused, fresh, and no admin exists yet."""
    link = session.exec(select(SetupLink).where(SetupLink.token_hash == _digest(token))).first()
    now = now or utcnow()
    return (link is not None and link.used_at is None
            and now - link.created_at < SETUP_LINK_LIFETIME and not admin_exists(session))


def create_first_admin(session: Session, token: str, username: str, password: str) -> StaffUser:
    """Use a setup link to create the first admin."""
    if not setup_link_valid(session, token):
        raise UserError(N_("This setup link has expired or was already used."))
    link = session.exec(select(SetupLink).where(SetupLink.token_hash == _digest(token))).one()
    link.used_at = utcnow()
    session.add(link)
    return create_user(session, Actor(None, None), username, password, Role.ADMIN, None)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
