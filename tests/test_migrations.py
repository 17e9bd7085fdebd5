"""Alembic migrations build exactly the schema the models describe, on both engines, and
upgrade a database that holds data without losing or garbling any of it."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from markupsafe import escape
from sqlalchemy import Date, bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel, select

from idcard import create_app
from idcard.apikeys import hash_key, new_api_key
from idcard.audit_chain import verify_chain
from idcard.auth.accounts import hasher
from idcard.db import make_engine
from idcard.issuance.card_numbers import format_card_number, new_card_number
from idcard.issuance.cards import card_number, find_card_by_number
from idcard.issuance.printing import card_token
from idcard.issuance.residents import Address, ResidentDetails, open_resident
from idcard.migrate import alembic_config
from idcard.models import (
    AuditEvent,
    Card,
    CardState,
    DataKey,
    Resident,
    Site,
    StaffUser,
    StatusListRecord,
    UTCDateTime,
)
from idcard.services import services
from idcard.tokens import SigningKey, new_handle
from idcard.vault import Sealed, Vault
from tests.conftest import make_settings
from tests.helpers import (
    PASSWORD,
    count_rows,
    enroll_totp,
    enrolled_resident,
    issue,
    latest_card,
    sample_photo,
    signed_in,
    verify,
)

# The rows below are written in this revision's schema (the one before head when this
# test was written); every migration after it must carry them to head intact.
DATA_REVISION = "0003"
MASTER_KEY, INDEX_KEY = secrets.token_bytes(32), secrets.token_bytes(32)
AT = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
DETAILS = ResidentDetails(
    name="Nguyễn Thị Ánh Tuyết", born_on=date(1984, 7, 9), gender="F", language="vi",
    address=Address(kind="care_of", care_of="Safe Harbor Shelter", line1="12 Elm Street",
                    postal_code="10002"))
STATUS_LIST_SIZE = 16384
STATUS_INDEX = 4242


def test_migrations_match_the_models(app) -> None:
    engine = services(app).engine
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_migrations_go_down_and_up_again(app) -> None:
    config = alembic_config(services(app).engine)
    command.downgrade(config, "base")
    command.upgrade(config, "head")
    test_migrations_match_the_models(app)


# --- upgrading a database that holds data -----------------------------------------------

class _Captured:
    """Stands in for a session: keeps what the vault would add, for plain-SQL insertion."""

    def __init__(self) -> None:
        self.added: list[Any] = []

    def add(self, row: Any) -> None:
        self.added.append(row)


def insert(conn: Connection, table: str, **values: Any) -> Any:
    """INSERT one row with plain SQL; returns its id (or None for tables without one)."""
    typed = [bindparam(k, type_=UTCDateTime() if isinstance(v, datetime) else Date())
             for k, v in values.items() if isinstance(v, date)]
    returning = " RETURNING id" if table not in ("data_key", "signing_key") else ""
    statement = text(f"INSERT INTO {table} ({', '.join(values)}) "
                     f"VALUES ({', '.join(':' + k for k in values)}){returning}")
    result = conn.execute(statement.bindparams(*typed), values)
    return result.scalar_one() if returning else None


def write_rows_of_the_old_schema(conn: Connection, vault: Vault) -> dict[str, Any]:
    """A site, a staff member, a resident with sealed details and photo and their data
    key, a signing key, a status list, a printed card, a partner key, an audit event."""
    site_id = insert(conn, "site", name="Central Library", kind="center", active=True,
                     created_at=AT, requires_pickup=False)
    staff_id = insert(conn, "staff_user", username="ana.clerk", role="supervisor",
                      password_hash=hasher.hash(PASSWORD), site_id=site_id, active=True,
                      created_at=AT, password_changed_at=AT)
    resident_id = "0123456789abcdef0123456789abcdef"
    captured = _Captured()
    key = vault.create_key(captured, resident_id)  # type: ignore[arg-type]
    (data_key,) = captured.added
    insert(conn, "data_key", resident_id=resident_id, wrapped_key=data_key.wrapped_key,
           created_at=AT)
    photo = sample_photo((600, 800))
    insert(conn, "resident", id=resident_id, review="approved", site_id=site_id,
           details_sealed=key.seal(Sealed.DETAILS, DETAILS.to_json()),
           photo_sealed=key.seal(Sealed.PHOTO, photo),
           name_dob_index=vault.name_dob_index(DETAILS.name, DETAILS.born_on),
           enrolled_by=staff_id, enrolled_at=AT)
    signer = SigningKey.generate()
    kid = signer.kid.hex()
    private = signer.private.private_bytes_raw()
    insert(conn, "signing_key", kid=kid, public_key=signer.public_bytes,
           private_sealed=vault.seal_signing_key(kid, private), created_at=AT)
    list_id = insert(conn, "status_list", size=STATUS_LIST_SIZE, created_at=AT)
    conn.execute(text("UPDATE status_clock SET tick = 1 WHERE id = 1"))
    number = new_card_number()
    card_id = insert(conn, "card", resident_id=resident_id,
                     number_index=vault.card_number_index(number),
                     number_sealed=key.seal(Sealed.CARD_NUMBER, number.encode()),
                     handle=new_handle(), status_list_id=list_id, status_index=STATUS_INDEX,
                     status_tick=1, kid=kid, state="active", site_id=site_id,
                     issued_by=staff_id, issued_at=AT, expires_on=date.today() + timedelta(
                         days=5 * 365), printed_at=AT, fee_waived=False)
    partner_id = insert(conn, "partner", name="Riverside Clinic", created_at=AT)
    api_key = new_api_key()
    insert(conn, "partner_key", partner_id=partner_id, prefix=api_key[:10],
           key_hash=hash_key(api_key), created_at=AT)
    insert(conn, "audit_event", at=AT, staff_id=staff_id, site_id=site_id,
           action="card.issue", record_type="card", record_id=str(card_id))
    return {"site_id": site_id, "staff_id": staff_id, "resident_id": resident_id,
            "photo": photo, "kid": kid, "list_id": list_id, "card_id": card_id,
            "number": number, "api_key": api_key}


def test_a_database_holding_data_upgrades_to_head_and_reads_back(
    unmigrated_database_url: str, tmp_path,
) -> None:
    engine = make_engine(unmigrated_database_url)
    config = alembic_config(engine)
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head != DATA_REVISION, "the data must go through at least one migration"
    command.upgrade(config, DATA_REVISION)
    vault = Vault(MASTER_KEY, INDEX_KEY)
    with engine.begin() as conn:
        old = write_rows_of_the_old_schema(conn, vault)
    command.upgrade(config, "head")
    engine.dispose()

    app = create_app_on(tmp_path, unmigrated_database_url)
    try:
        with services(app).session() as session:
            assert_rows_survived(session, vault, old)
        assert_the_app_works_with_them(app, old)
    finally:
        services(app).engine.dispose()


def create_app_on(tmp_path, database_url: str):
    return create_app(make_settings(tmp_path, database_url, master_key=MASTER_KEY,
                                    index_key=INDEX_KEY))


def assert_rows_survived(session, vault: Vault, old: dict[str, Any]) -> None:
    for model in (Site, StaffUser, Resident, DataKey, Card, AuditEvent, StatusListRecord):
        assert count_rows(session, model) == 1, model
    site = session.get(Site, old["site_id"])
    assert (site.name, site.active, site.requires_pickup) == ("Central Library", True, False)
    assert site.created_at == AT
    staff = session.get(StaffUser, old["staff_id"])
    assert (staff.username, staff.role, staff.site_id) == ("ana.clerk", "supervisor", site.id)
    resident = session.get(Resident, old["resident_id"])
    record = open_resident(session, vault, resident)
    assert record.details == DETAILS and record.photo_jpeg == old["photo"]
    assert (record.enrolled_at, record.site_id) == (AT, site.id)
    card = session.get(Card, old["card_id"])
    assert card.state == CardState.ACTIVE and card.kid == old["kid"]
    assert card_number(vault.resident_key(session, resident.id), card) == old["number"]
    assert find_card_by_number(session, vault, old["number"]).id == card.id
    # 0004: a list filled by the old random draws takes no more cards.
    status_list = session.get(StatusListRecord, old["list_id"])
    assert status_list.used == status_list.size == STATUS_LIST_SIZE
    (event,) = session.exec(select(AuditEvent)).all()
    assert (event.at, event.staff_id, event.action, event.record_id) == (
        AT, staff.id, "card.issue", str(card.id))
    # 0005: the kept event starts the hash chain; every row got its own public id.
    assert event.seq == 1 and verify_chain(session).broken is None
    assert len({card.public_id, site.public_id, staff.public_id}) == 3
    assert all(len(x) == 32 for x in (card.public_id, site.public_id, staff.public_id))
    with pytest.raises(DBAPIError, match="append-only"):  # still append-only
        session.execute(text("DELETE FROM audit_event"))
    session.rollback()


def assert_the_app_works_with_them(app, old: dict[str, Any]) -> None:
    with services(app).session() as session:  # supervisors sign in with a second factor
        enroll_totp(session, services(app).vault, session.get(StaffUser, old["staff_id"]))
        session.commit()
    staff = signed_in(app, "ana.clerk")  # the password hash carried over
    page = staff.get(f"/staff/residents/{old['resident_id']}")
    assert page.status_code == 200
    assert str(escape(DETAILS.name)) in page.text
    assert format_card_number(old["number"]) in page.text
    with services(app).session() as session:
        token = card_token(session, services(app).vault,
                           session.get(Card, old["card_id"]))
    client = app.test_client()
    assert verify(client, token) == "valid resident"
    partner = client.post("/api/v1/verify", json={"token": token},
                          headers={"Authorization": f"Bearer {old['api_key']}"})
    assert partner.get_json() == {"result": "valid resident"}
    # A card issued now takes an entry of a new list, never of the filled old one.
    resident_id = enrolled_resident(staff, name="Ana Lima")
    issue(staff, resident_id)
    with services(app).session() as session:
        new = latest_card(session, resident_id)
        assert new.status_list_id != old["list_id"] and new.kid == old["kid"]
