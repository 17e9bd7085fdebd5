"""Partners and their API keys: shown once, stored as a hash, rotated with a grace period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from idcard.admin.partners import create_key, create_partner, revoke_key, rotate_keys
from idcard.apikeys import KEY_PREFIX, hash_key
from idcard.audit import Actor
from idcard.errors import UserError
from idcard.models import AuditEvent, Partner, PartnerKey, Role, StaffUser, utcnow
from tests.helpers import count_rows


@pytest.fixture
def admin(db_session, site, staff) -> Actor:
    """An admin at the site, as services see them."""
    username = staff(Role.ADMIN)
    user = db_session.exec(select(StaffUser).where(StaffUser.username == username)).one()
    return Actor(user.id, site.id)


def keys_of(session, partner: Partner) -> list[PartnerKey]:
    session.expire_all()
    return list(session.exec(select(PartnerKey).where(PartnerKey.partner_id == partner.id)
                             .order_by(PartnerKey.id)))


def events(session, action: str) -> list[tuple[int | None, str | None]]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
    return [(e.staff_id, e.record_id) for e in session.exec(query)]


def test_a_key_is_stored_only_as_its_sha256(db_session, admin) -> None:
    partner = create_partner(db_session, admin, "Central Library")
    key = create_key(db_session, admin, partner)
    db_session.commit()
    (stored,) = keys_of(db_session, partner)
    assert key.startswith(KEY_PREFIX) and len(key) > 40
    assert stored.key_hash == hash_key(key) and len(stored.key_hash) == 64
    assert stored.prefix == key[:10]  # enough to tell keys apart in a list, no more
    assert key not in repr(vars(stored))
    assert events(db_session, "partner.create") == [(admin.staff_id, partner.public_id)]
    assert events(db_session, "partner.key_create") == [(admin.staff_id, stored.public_id)]


def test_every_key_is_new(db_session, admin) -> None:
    partner = create_partner(db_session, admin, "Central Library")
    keys = {create_key(db_session, admin, partner) for _ in range(5)}
    assert len(keys) == 5


def test_rotation_gives_the_old_keys_seven_days_and_a_new_key(db_session, admin) -> None:
    partner = create_partner(db_session, admin, "Central Library")
    first, second = create_key(db_session, admin, partner), create_key(db_session, admin, partner)
    db_session.commit()
    before = utcnow()
    new = rotate_keys(db_session, admin, partner)
    after = utcnow()
    db_session.commit()
    *old_keys, new_key = keys_of(db_session, partner)
    assert {k.key_hash for k in old_keys} == {hash_key(first), hash_key(second)}
    for old in old_keys:
        assert old.revoked_at is None  # the old keys keep working while partners switch
        assert before + timedelta(days=7) <= old.expires_at <= after + timedelta(days=7)
    assert new not in (first, second) and new_key.key_hash == hash_key(new)
    assert new_key.expires_at is None and new_key.revoked_at is None


def test_rotation_never_lengthens_an_earlier_expiry_or_touches_revoked_keys(
    db_session, admin,
) -> None:
    partner = create_partner(db_session, admin, "Central Library")
    create_key(db_session, admin, partner)
    rotate_keys(db_session, admin, partner)
    db_session.commit()
    first_expiry = keys_of(db_session, partner)[0].expires_at
    revoked = keys_of(db_session, partner)[1]
    revoke_key(db_session, admin, revoked)
    db_session.commit()
    rotate_keys(db_session, admin, partner)  # a second rotation, days later in real life
    db_session.commit()
    first, second, third = keys_of(db_session, partner)
    assert first.expires_at == first_expiry
    assert second.revoked_at is not None and second.expires_at is None
    assert third.expires_at is None


def test_revocation_is_immediate_and_audited(db_session, admin) -> None:
    partner = create_partner(db_session, admin, "Central Library")
    create_key(db_session, admin, partner)
    db_session.commit()
    (key,) = keys_of(db_session, partner)
    before = utcnow()
    revoke_key(db_session, admin, key)
    db_session.commit()
    (key,) = keys_of(db_session, partner)
    assert before <= key.revoked_at <= utcnow()
    when = key.revoked_at
    revoke_key(db_session, admin, key)  # revoking twice keeps the first time
    db_session.commit()
    assert keys_of(db_session, partner)[0].revoked_at == when
    assert events(db_session, "partner.key_revoke") == [(admin.staff_id, key.public_id)] * 2


@pytest.mark.parametrize("again", ["Central Library", "  Central Library  "])
def test_a_second_partner_with_the_same_name_is_refused(db_session, admin, again: str) -> None:
    create_partner(db_session, admin, "Central Library")
    db_session.commit()
    with pytest.raises(UserError, match="A partner with that name exists already."):
        create_partner(db_session, admin, again)
    db_session.rollback()
    assert count_rows(db_session, Partner) == 1


def test_partner_names_are_cleaned_like_any_typed_text(db_session, admin) -> None:
    assert create_partner(db_session, admin, "  Riverside Clinic ").name == "Riverside Clinic"
    with pytest.raises(UserError, match="invisible or control character"):
        create_partner(db_session, admin, "Lib\u202erary")
