"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 20:28:18.151026
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

import idcard.models


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('data_key',
    sa.Column('resident_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('wrapped_key', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', idcard.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('resident_id')
    )
    op.create_table('setup_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', idcard.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', idcard.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('site',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', idcard.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('staff_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', idcard.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('password_changed_at', idcard.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_user_username'), ['username'], unique=True)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', idcard.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
    sa.Column('record_type', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('record_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_at'), ['at'], unique=False)

    op.create_table('resident',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('details_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('photo_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('name_dob_index', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('review', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('enrolled_by', sa.Integer(), nullable=False),
    sa.Column('enrolled_at', idcard.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enrolled_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_name_dob_index'), ['name_dob_index'], unique=False)
        batch_op.create_index(batch_op.f('ix_resident_review'), ['review'], unique=False)

    op.create_table('document_check',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('document_type', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('identity_points', sa.Integer(), nullable=False),
    sa.Column('residency_points', sa.Integer(), nullable=False),
    sa.Column('for_caretaker', sa.Boolean(), nullable=False),
    sa.Column('checked_by', sa.Integer(), nullable=False),
    sa.Column('checked_at', idcard.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['checked_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('document_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_check_resident_id'), ['resident_id'], unique=False)

    _make_audit_append_only()


# The audit log is append-only: the database itself refuses to change or delete a row.
def _make_audit_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'audit_event is append-only'; END;
            $$ LANGUAGE plpgsql""")
        op.execute("""
            CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
            FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event
                BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
    with op.batch_alter_table('document_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_check_resident_id'))

    op.drop_table('document_check')
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_review'))
        batch_op.drop_index(batch_op.f('ix_resident_name_dob_index'))

    op.drop_table('resident')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_at'))

    op.drop_table('audit_event')
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_user_username'))

    op.drop_table('staff_user')
    op.drop_table('site')
    op.drop_table('setup_link')
    op.drop_table('data_key')
