"""Signing keys: made on first use, sealed at rest, rotated, revoked and published."""

from __future__ import annotations

import pytest
from sqlmodel import select

from idcard.audit import OPERATOR
from idcard.errors import UserError
from idcard.keys import (
    current_signer,
    published_keys,
    revoke_key,
    rotate_keys,
    signing_key,
)
from idcard.models import AuditEvent, SigningKeyRecord
from idcard.services import services
from tests.helpers import count_rows


@pytest.fixture
def vault(app):
    return services(app).vault


def actions(session) -> list[str]:
    return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]


def test_first_use_creates_one_signing_key_sealed_at_rest(db_session, vault) -> None:
    assert count_rows(db_session, SigningKeyRecord) == 0
    signer = current_signer(db_session, vault)
    again = current_signer(db_session, vault)
    db_session.commit()
    assert again.kid == signer.kid
    (record,) = db_session.exec(select(SigningKeyRecord)).all()
    assert record.kid == signer.kid.hex() and record.public_key == signer.public_bytes
    private = signer.private.private_bytes_raw()
    assert private not in record.private_sealed  # stored only sealed
    assert signing_key(record, vault).public_bytes == signer.public_bytes
    assert actions(db_session) == ["key.create"]


def test_rotation_retires_the_key_in_use_and_the_new_one_signs(db_session, vault) -> None:
    old = current_signer(db_session, vault)
    new = rotate_keys(db_session, vault, OPERATOR)
    db_session.commit()
    assert new.kid != old.kid.hex()
    assert db_session.get(SigningKeyRecord, old.kid.hex()).retired_at is not None
    assert new.retired_at is None and new.revoked_at is None
    assert current_signer(db_session, vault).kid.hex() == new.kid
    # A retired key still verifies the cards it signed: it stays published.
    assert {k.kid.hex() for k in published_keys(db_session)} == {old.kid.hex(), new.kid}
    assert count_rows(db_session, SigningKeyRecord) == 2


def test_revoked_keys_leave_the_published_key_set_at_once(db_session, vault) -> None:
    old = current_signer(db_session, vault).kid.hex()
    new = rotate_keys(db_session, vault, OPERATOR).kid
    revoke_key(db_session, old, OPERATOR)
    db_session.commit()
    assert [k.kid.hex() for k in published_keys(db_session)] == [new]
    revoked = db_session.get(SigningKeyRecord, old)
    assert revoked.revoked_at is not None and revoked.retired_at is not None
    assert actions(db_session)[-1] == "key.revoke"
    assert db_session.exec(select(AuditEvent.record_id)
                           .where(AuditEvent.action == "key.revoke")).all() == [old]


def test_revoking_the_key_in_use_makes_the_next_signer_a_new_key(db_session, vault) -> None:
    first = current_signer(db_session, vault).kid.hex()
    revoke_key(db_session, first, OPERATOR)
    db_session.commit()
    assert published_keys(db_session) == []
    assert current_signer(db_session, vault).kid.hex() != first


def test_revoking_an_unknown_key_is_refused(db_session) -> None:
    with pytest.raises(UserError, match="There is no key with that id."):
        revoke_key(db_session, "00" * 8, OPERATOR)
    assert count_rows(db_session, AuditEvent) == 0
