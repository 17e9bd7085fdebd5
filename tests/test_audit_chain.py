"""The audit log's hash chain: intact logs verify; a deleted or altered row is found,
and concurrent writers never fork the chain."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from idcard.audit import Actor, record_event
from idcard.audit_chain import head, verify_chain
from idcard.models import AuditEvent
from idcard.services import services


def add_events(app, count: int) -> None:
    with services(app).session() as session:
        for number in range(count):
            record_event(session, Actor(None, None), "test.event", "thing", str(number))
            session.commit()


@pytest.fixture
def tamper(db_session: Session):
    """Lift the append-only triggers, as someone with direct database access could; the
    shared PostgreSQL database gets them back afterwards."""
    postgres = db_session.get_bind().dialect.name == "postgresql"
    if postgres:
        db_session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
    else:
        db_session.execute(text("DROP TRIGGER audit_event_no_update"))
        db_session.execute(text("DROP TRIGGER audit_event_no_delete"))
    db_session.commit()
    yield db_session
    if postgres:
        db_session.rollback()
        db_session.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))
        db_session.commit()


def cli(app, *args: str):
    return app.test_cli_runner().invoke(args=["audit", *args])


def test_an_untouched_log_verifies(app) -> None:
    add_events(app, 5)
    result = cli(app, "verify")
    assert result.exit_code == 0 and "intact: 5 events" in result.output


@pytest.mark.parametrize("statement, finding", [
    ("DELETE FROM audit_event WHERE seq = 3", "event 3 is missing"),
    ("UPDATE audit_event SET record_id = 'x' WHERE seq = 4", "event 4 (id 4) does not match "
     "its hash: it was changed"),
    ("UPDATE audit_event SET action = 'staff.login' WHERE seq = 2", "event 2 (id 2)"),
])
def test_a_deleted_or_altered_row_is_found(app, tamper, statement: str, finding: str) -> None:
    add_events(app, 6)
    tamper.execute(text(statement))
    tamper.commit()
    result = cli(app, "verify")
    assert result.exit_code == 1 and finding in result.output


def test_removing_the_newest_rows_is_found_by_the_exported_head(app, tamper) -> None:
    add_events(app, 4)
    exported = cli(app, "head").output.strip()
    assert exported.startswith("4:") and len(exported) == 2 + 64
    add_events(app, 2)
    assert cli(app, "verify", "--expect", exported).exit_code == 0
    db_session = tamper
    db_session.execute(text("DELETE FROM audit_event WHERE seq >= 3"))
    db_session.execute(text("UPDATE audit_head SET seq = 2, chain_hash = "
                            "(SELECT chain_hash FROM audit_event WHERE seq = 2)"))
    db_session.commit()
    assert cli(app, "verify").exit_code == 0  # consistent on its own...
    result = cli(app, "verify", "--expect", exported)
    assert result.exit_code == 1 and "removed" in result.output  # ...but not with the head


def test_a_refused_transaction_leaves_no_event(app) -> None:
    with services(app).session() as session:
        record_event(session, Actor(None, None), "test.rolled_back")
        session.rollback()
        record_event(session, Actor(None, None), "test.kept")
        session.commit()
        assert [e.action for e in session.exec(select(AuditEvent))] == ["test.kept"]
        assert verify_chain(session).broken is None


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_concurrent_appends_do_not_fork_the_chain(app) -> None:
    writers, each = 6, 15
    add_events(app, 1)  # the chain head exists, as after any migration
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            start.wait()
            add_events(app, each)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with services(app).session() as session:
        report = verify_chain(session)
        assert report.broken is None and report.checked == writers * each + 1
        assert head(session).seq == writers * each + 1
