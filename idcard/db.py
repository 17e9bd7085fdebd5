"""Engine creation and one database session per request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, g
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from idcard.files import private_file
from idcard.services import services


def make_engine(url: str) -> Engine:
    """Create the engine; SQLite gets foreign keys and WAL so readers don't block writers."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    database = make_url(url).database
    if database and database != ":memory:" and not Path(database).exists():
        private_file(Path(database))  # SQLite gives its -wal and -shm files the same mode
    engine = create_engine(url, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = services().session()
    return g.db_session


def init_app(app: Flask) -> None:
    """Close (and so roll back whatever was not committed) each request's session."""

    @app.teardown_request
    def close_session(_exc: BaseException | None) -> None:
        db_session = g.pop("db_session", None)
        if db_session is not None:
            db_session.close()
