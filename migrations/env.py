"""Alembic environment: the engine comes from the app (see idcard/migrate.py)."""

from alembic import context
from sqlmodel import SQLModel

import idcard.models  # noqa: F401 - registers every table on SQLModel.metadata

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
