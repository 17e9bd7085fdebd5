"""status lists hand out entries by a counter in a keyed random order

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 21:35:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("status_list", schema=None) as batch_op:
        batch_op.add_column(sa.Column("used", sa.Integer(), nullable=False, server_default="0"))
    # Lists filled by the earlier random draws take no more cards: new cards start a new
    # list, so the two ways of choosing entries never meet in one list.
    op.execute("UPDATE status_list SET used = size")


def downgrade() -> None:
    with op.batch_alter_table("status_list", schema=None) as batch_op:
        batch_op.drop_column("used")
