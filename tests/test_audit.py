"""The audit log is append-only and holds no personal data."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from idcard.models import AuditEvent
from tests.helpers import enroll, post_form


def test_audit_rows_cannot_be_changed_or_deleted(app, clerk_client, db_session) -> None:
    enroll(clerk_client)
    assert db_session.exec(select(AuditEvent)).all()
    for statement in ("UPDATE audit_event SET action = 'nothing'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"):
            db_session.execute(text(statement))
        db_session.rollback()


def test_audit_events_name_actions_and_ids_not_people(app, clerk_client, db_session) -> None:
    response = enroll(clerk_client, name="Ngũgĩ wa Thiong'o", born_on="1938-01-05")
    clerk_client.get(response.headers["Location"])
    post_form(clerk_client, "/staff/lookup", {"name": "Ngũgĩ wa Thiong'o",
                                             "born_on": "1938-01-05"})
    events = db_session.exec(select(AuditEvent)).all()
    assert {"resident.enroll", "resident.view", "resident.lookup"} <= {e.action for e in events}
    dump = repr([vars(e) for e in events])
    for secret in ("Ngũgĩ", "Thiong", "1938", "Main Street"):
        assert secret not in dump


def test_supervisors_read_the_audit_log_and_clerks_do_not(
    clerk_client, supervisor_client,
) -> None:
    enroll(clerk_client)
    assert clerk_client.get("/staff/admin/audit").status_code == 403
    page = supervisor_client.get("/staff/admin/audit")
    assert page.status_code == 200 and "<code>resident.enroll</code>" in page.text
    filtered = supervisor_client.get("/staff/admin/audit?action=staff.login")
    assert "<code>resident.enroll</code>" not in filtered.text
    assert "<code>staff.login</code>" in filtered.text
