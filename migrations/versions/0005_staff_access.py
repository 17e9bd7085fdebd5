"""staff access: opaque public ids, server-side sessions, TOTP, a hash-chained audit log

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 09:00:00
"""

import uuid

import sqlalchemy as sa
import sqlmodel
from alembic import op

import idcard.models
from idcard.audit_chain import GENESIS, event_hash
from idcard.models import AuditEvent

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PUBLIC_ID_TABLES = ("site", "staff_user", "card", "partner", "partner_key")
STRING = sqlmodel.sql.sqltypes.AutoString
UTC_DATETIME = idcard.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    for table in PUBLIC_ID_TABLES:
        _add_public_id(table)
    # Plain ADD COLUMN, never a rebuilt table: SQLite cannot drop a table other rows
    # point at, and these tables hold data.
    op.add_column("site", sa.Column("clerks_need_totp", sa.Boolean(), nullable=False,
                                    server_default=sa.false()))
    op.add_column("staff_user", sa.Column("totp_sealed", sa.LargeBinary(), nullable=True))
    op.add_column("staff_user", sa.Column("totp_since", UTC_DATETIME, nullable=True))
    op.add_column("staff_user", sa.Column("totp_last_step", sa.Integer(), nullable=False,
                                          server_default="0"))
    _create_session_tables()
    _chain_the_audit_log()


def _add_public_id(table: str) -> None:
    """Give every existing row its own random public id; new rows get theirs from the app."""
    op.add_column(table, sa.Column("public_id", STRING(length=32), nullable=False,
                                   server_default=""))
    bind = op.get_bind()
    rows = sa.table(table, sa.column("id"), sa.column("public_id"))
    for (row_id,) in bind.execute(sa.select(rows.c.id)).all():
        bind.execute(rows.update().where(rows.c.id == row_id)
                     .values(public_id=uuid.uuid4().hex))
    op.create_index(f"ix_{table}_public_id", table, ["public_id"], unique=True)
    _drop_default(table, "public_id", STRING(length=32))


def _drop_default(table: str, column: str, kind: sa.types.TypeEngine) -> None:
    # SQLite keeps the default (changing it would rebuild the table); the app always
    # gives a value, so it is never used.
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(table, column, existing_type=kind, server_default=None)


def _create_session_tables() -> None:
    op.create_table(
        "staff_session",
        sa.Column("token_hash", STRING(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("last_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("second_factor_done", sa.Boolean(), nullable=False),
        sa.Column("failed_codes", sa.Integer(), nullable=False),
        sa.Column("ended_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_staff_session_staff_id", "staff_session", ["staff_id"])
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("lookup", STRING(length=8), nullable=False),
        sa.Column("code_hash", STRING(length=255), nullable=False),
        sa.Column("used_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_recovery_code_staff_id", "recovery_code", ["staff_id"])


def _chain_the_audit_log() -> None:
    """Number and hash the events kept so far (in id order) and start the chain head."""
    _allow_audit_changes(False)
    op.add_column("audit_event", sa.Column("seq", sa.Integer(), nullable=False,
                                           server_default="0"))
    op.add_column("audit_event", sa.Column("chain_hash", STRING(length=64), nullable=False,
                                           server_default=""))
    seq, chain = _hash_existing_events(op.get_bind())
    op.create_index("ix_audit_event_seq", "audit_event", ["seq"], unique=True)
    _drop_default("audit_event", "seq", sa.Integer())
    _drop_default("audit_event", "chain_hash", STRING(length=64))
    _allow_audit_changes(True)
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("chain_hash", STRING(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(head, [{"id": 1, "seq": seq, "chain_hash": chain}])


def _hash_existing_events(bind: sa.engine.Connection) -> tuple[int, str]:
    events = sa.table("audit_event", sa.column("id"), sa.column("at", UTC_DATETIME),
                      sa.column("staff_id"), sa.column("site_id"), sa.column("action"),
                      sa.column("record_type"), sa.column("record_id"), sa.column("seq"),
                      sa.column("chain_hash"))
    seq, chain = 0, GENESIS
    for row in bind.execute(sa.select(events).order_by(events.c.id)).mappings().all():
        seq += 1
        chain = event_hash(chain, AuditEvent(
            seq=seq, at=row["at"], staff_id=row["staff_id"], site_id=row["site_id"],
            action=row["action"], record_type=row["record_type"], record_id=row["record_id"]))
        bind.execute(events.update().where(events.c.id == row["id"])
                     .values(seq=seq, chain_hash=chain))
    return seq, chain


def _allow_audit_changes(append_only: bool) -> None:
    """Lift the append-only triggers for this migration's own rewrite, then restore them.

    SQLite rebuilds a table in batch mode (the downgrade), which drops its triggers:
    they are made anew.
    """
    if op.get_bind().dialect.name == "postgresql":
        verb = "ENABLE" if append_only else "DISABLE"
        op.execute(f"ALTER TABLE audit_event {verb} TRIGGER audit_event_append_only")
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(f"DROP TRIGGER IF EXISTS audit_event_no_{verb.lower()}")
        if append_only:
            op.execute(f"""
                CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event
                BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""")


def downgrade() -> None:
    op.drop_table("audit_head")
    _allow_audit_changes(False)
    op.drop_index("ix_audit_event_seq", table_name="audit_event")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("chain_hash")
        batch_op.drop_column("seq")
    _allow_audit_changes(True)
    op.drop_index("ix_recovery_code_staff_id", table_name="recovery_code")
    op.drop_table("recovery_code")
    op.drop_index("ix_staff_session_staff_id", table_name="staff_session")
    op.drop_table("staff_session")
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("totp_last_step")
        batch_op.drop_column("totp_since")
        batch_op.drop_column("totp_sealed")
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("clerks_need_totp")
    for table in PUBLIC_ID_TABLES:
        op.drop_index(f"ix_{table}_public_id", table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("public_id")
