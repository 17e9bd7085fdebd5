"""Partner organizations and their API keys (shown once, stored hashed)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from idcard.apikeys import hash_key, new_api_key
from idcard.audit import Actor, record_event
from idcard.errors import N_, UserError
from idcard.models import Partner, PartnerKey, utcnow
from idcard.textfields import clean_text

ROTATION_GRACE = timedelta(days=7)  # the old key keeps working while partners switch


def create_partner(session: Session, actor: Actor, name: str) -> Partner:
    name = clean_text(name, N_("Partner name"), max_length=120)
    if session.exec(select(Partner).where(Partner.name == name)).first():
        raise UserError(N_("A partner with that name exists already."))
    partner = Partner(name=name)
    session.add(partner)
    session.flush()
    record_event(session, actor, "partner.create", "partner", partner.public_id)
    return partner


def create_key(session: Session, actor: Actor, partner: Partner) -> str:
    """Make a new key for a partner and return it; it cannot be shown again."""
    assert partner.id is not None
    key = new_api_key()
    record = PartnerKey(partner_id=partner.id, prefix=key[:10], key_hash=hash_key(key))
    session.add(record)
    session.flush()
    record_event(session, actor, "partner.key_create", "partner_key", record.public_id)
    return key


def rotate_keys(session: Session, actor: Actor, partner: Partner) -> str:
    """Give the partner a new key; its current keys stop working after a grace period."""
    ends = utcnow() + ROTATION_GRACE
    for key in _live_keys(session, partner):
        key.expires_at = min(key.expires_at or ends, ends)
        session.add(key)
    return create_key(session, actor, partner)


def revoke_key(session: Session, actor: Actor, key: PartnerKey) -> None:
    key.revoked_at = key.revoked_at or utcnow()
    session.add(key)
    record_event(session, actor, "partner.key_revoke", "partner_key", key.public_id)


def _live_keys(session: Session, partner: Partner) -> list[PartnerKey]:
    query = select(PartnerKey).where(PartnerKey.partner_id == partner.id,
                                     col(PartnerKey.revoked_at).is_(None))
    return list(session.exec(query))
