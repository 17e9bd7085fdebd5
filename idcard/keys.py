"""Signing keys: generated on first use, sealed at rest, rotated and revoked by operators.

The newest unretired key signs new cards and status lists. Retired keys keep
verifying the cards they signed; a revoked key (compromised) verifies nothing and
leaves the published key set.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from sqlmodel import Session, col, select

from idcard.audit import Actor, record_event
from idcard.errors import N_, UserError
from idcard.models import SigningKeyRecord, utcnow
from idcard.tokens import SigningKey
from idcard.vault import Vault


@dataclass(frozen=True)
class PublishedKey:
    kid: bytes
    public_key: bytes


def create_signing_key(session: Session, vault: Vault, actor: Actor) -> SigningKeyRecord:
    """Generate a new signing key; it signs from now on."""
    key = SigningKey.generate()
    raw = key.private.private_bytes(serialization.Encoding.Raw,
                                    serialization.PrivateFormat.Raw,
                                    serialization.NoEncryption())
    kid = key.kid.hex()
    record = SigningKeyRecord(kid=kid, public_key=key.public_bytes,
                              private_sealed=vault.seal_signing_key(kid, raw))
    session.add(record)
    session.flush()
    record_event(session, actor, "key.create", "signing_key", kid)
    return record


def _signers(session: Session) -> list[SigningKeyRecord]:
    query = select(SigningKeyRecord).where(
        col(SigningKeyRecord.retired_at).is_(None), col(SigningKeyRecord.revoked_at).is_(None))
    return list(session.exec(query.order_by(col(SigningKeyRecord.created_at).desc())))


def current_signer(session: Session, vault: Vault) -> SigningKey:
    """The key that signs now, created on first use."""
    signers = _signers(session)
    record = signers[0] if signers else create_signing_key(session, vault, Actor(None, None))
    return signing_key(record, vault)


def signing_key(record: SigningKeyRecord, vault: Vault) -> SigningKey:
    """Unseal a stored key."""
    return SigningKey.from_private_bytes(vault.open_signing_key(record.kid, record.private_sealed))


def rotate_keys(session: Session, vault: Vault, actor: Actor) -> SigningKeyRecord:
    """Retire the signing key(s) in use and start signing with a new one."""
    for record in _signers(session):
        record.retired_at = utcnow()
        session.add(record)
    return create_signing_key(session, vault, actor)


def revoke_key(session: Session, kid: str, actor: Actor) -> None:
    """Withdraw a compromised key: every card it signed stops verifying."""
    record = session.get(SigningKeyRecord, kid)
    if record is None:
        raise UserError(N_("There is no key with that id."))
    record.revoked_at = record.revoked_at or utcnow()
    record.retired_at = record.retired_at or record.revoked_at
    session.add(record)
    record_event(session, actor, "key.revoke", "signing_key", kid)


def published_keys(session: Session) -> list[PublishedKey]:
    """Every key that may still verify a card: all but the revoked."""
    query = select(SigningKeyRecord).where(col(SigningKeyRecord.revoked_at).is_(None))
    return [PublishedKey(bytes.fromhex(r.kid), r.public_key)
            for r in session.exec(query.order_by(col(SigningKeyRecord.created_at)))]
