"""partners, API keys and daily counts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 20:49:13.659911
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

import idcard.models


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('partner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('created_at', idcard.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('partner_daily_count',
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], ),
    sa.PrimaryKeyConstraint('partner_id', 'day')
    )
    op.create_table('partner_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('key_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', idcard.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', idcard.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', idcard.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_hash')
    )
    with op.batch_alter_table('partner_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_key_partner_id'), ['partner_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('partner_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_key_partner_id'))

    op.drop_table('partner_key')
    op.drop_table('partner_daily_count')
    op.drop_table('partner')
