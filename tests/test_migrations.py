"""Alembic migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from idcard.migrate import alembic_config
from idcard.services import services


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
