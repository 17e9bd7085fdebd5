"""cards, signing keys and status lists

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 20:41:06.502427
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

import idcard.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('signing_key',
    sa.Column('kid', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('private_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', idcard.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('retired_at', idcard.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', idcard.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('kid')
    )
    clock = op.create_table('status_clock',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tick', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.bulk_insert(clock, [{"id": 1, "tick": 0}])
    op.create_table('status_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('created_at', idcard.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('card',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('number_index', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('number_sealed', sa.LargeBinary(), nullable=False),
    sa.Column('handle', sa.LargeBinary(length=16), nullable=False),
    sa.Column('status_list_id', sa.Integer(), nullable=False),
    sa.Column('status_index', sa.Integer(), nullable=False),
    sa.Column('status_tick', sa.Integer(), nullable=False),
    sa.Column('kid', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('issued_by', sa.Integer(), nullable=False),
    sa.Column('issued_at', idcard.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.Column('printed_at', idcard.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('handed_over_at', idcard.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', idcard.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('fee_waived', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['issued_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['kid'], ['signing_key.kid'], ),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], ),
    sa.ForeignKeyConstraint(['site_id'], ['site.id'], ),
    sa.ForeignKeyConstraint(['status_list_id'], ['status_list.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('handle'),
    sa.UniqueConstraint('number_index'),
    sa.UniqueConstraint('status_list_id', 'status_index')
    )
    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_card_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_card_status_tick'), ['status_tick'], unique=False)

    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requires_pickup', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))



def downgrade() -> None:
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_column('requires_pickup')

    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_card_status_tick'))
        batch_op.drop_index(batch_op.f('ix_card_state'))
        batch_op.drop_index(batch_op.f('ix_card_site_id'))
        batch_op.drop_index(batch_op.f('ix_card_resident_id'))

    op.drop_table('card')
    op.drop_table('status_list')
    op.drop_table('status_clock')
    op.drop_table('signing_key')
