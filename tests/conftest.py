"""Fixtures: an app on SQLite and, when reachable, on PostgreSQL; staff; a signed-in client.

Every test that takes `app` (or anything built on it) runs once per database engine.
The PostgreSQL lane skips when no server answers, unless IDCARD_REQUIRE_POSTGRES=1
(CI), where a missing server fails the run instead.
"""

from __future__ import annotations

import os
import secrets
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from idcard import create_app
from idcard.audit import Actor
from idcard.auth import accounts
from idcard.db import make_engine
from idcard.migrate import upgrade_database
from idcard.models import Role, Site
from idcard.services import services
from idcard.settings import Settings
from tests.helpers import PASSWORD, enroll_totp, signed_in

pytest_plugins = ["tests.browser_fixtures"]

POSTGRES_ADMIN_URL = os.environ.get(
    "IDCARD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

# --- databases ------------------------------------------------------------------------

@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "idcard.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_database(engine)
    engine.dispose()
    return path


@contextmanager
def new_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database; dropped at the end. Skips the test when no
    server answers (fails it under IDCARD_REQUIRE_POSTGRES=1)."""
    admin = make_engine(POSTGRES_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "not reachable"
        if os.environ.get("IDCARD_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"IDCARD_REQUIRE_POSTGRES=1 but PostgreSQL is not reachable: {exc}")
        pytest.skip("PostgreSQL not reachable")
    name = f"idcard_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test process; dropped at the end."""
    with new_postgres_database() as url:
        engine = make_engine(url)
        upgrade_database(engine)
        engine.dispose()
        yield url


def _empty_postgres(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "idcard.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, for migration tests; one per test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'unmigrated.sqlite3'}"
        return
    with new_postgres_database() as url:
        yield url


# --- the app --------------------------------------------------------------------------

def make_settings(tmp_path: Path, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "testing", "home": tmp_path, "database_url": database_url,
        "secret_key": secrets.token_bytes(32), "master_key": secrets.token_bytes(32),
        "index_key": secrets.token_bytes(32), "login_limit": "1000 per minute",
        "verify_limit": "100000 per minute", "partner_verify_limit": "100000 per minute",
        "api_limit": "100000 per minute",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
def app(settings: Settings):
    app = create_app(settings)
    yield app
    services(app).engine.dispose()


@pytest.fixture
def make_app(tmp_path: Path, database_url: str):
    """Build another app on this test's database with changed settings:
    make_app(env="production")."""
    apps = []

    def make(**overrides: object):
        apps.append(create_app(make_settings(tmp_path, database_url, **overrides)))
        return apps[-1]

    yield make
    for made in apps:
        services(made).engine.dispose()


@pytest.fixture
def db_session(app) -> Iterator[Session]:
    with Session(services(app).engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def site(db_session: Session) -> Site:
    site = Site(name="Central Library")
    db_session.add(site)
    db_session.commit()
    return site


@pytest.fixture
def staff(app, db_session: Session, site: Site):
    """Create a staff account per role: staff(Role.CLERK) -> username. Supervisors and
    admins get their authenticator secret set up (tests.helpers.totp_secret)."""

    def make(role: Role, username: str | None = None, site_id: int | None = None) -> str:
        username = username or f"{role.value}-{secrets.token_hex(3)}"
        user = accounts.create_user(db_session, Actor(None, None), username, PASSWORD, role,
                                    site_id or site.id)
        if role != Role.CLERK:
            enroll_totp(db_session, services(app).vault, user)
        db_session.commit()
        return username

    return make


@pytest.fixture
def clerk_client(app, staff):
    return signed_in(app, staff(Role.CLERK))


@pytest.fixture
def supervisor_client(app, staff):
    return signed_in(app, staff(Role.SUPERVISOR))


@pytest.fixture
def admin_client(app, staff):
    return signed_in(app, staff(Role.ADMIN))
