"""The audit log: who did what to which record, when and where. Never personal data."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlmodel import Session

from idcard.audit_chain import append
from idcard.errors import N_, UserError
from idcard.models import AuditEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Actor:
    """The staff member doing something, and the site they are working at."""

    staff_id: int | None
    site_id: int | None

    def at_site(self) -> tuple[int, int]:
        """(staff id, site id) of a staff member working at a site, else a UserError."""
        if self.staff_id is None or self.site_id is None:
            raise UserError(N_("You are not assigned to an enrollment site; ask an admin."))
        return self.staff_id, self.site_id


OPERATOR = Actor(None, None)  # shell commands are audited without a staff id


def record_event(
    session: Session, actor: Actor, action: str, record_type: str | None = None,
    record_id: object = None,
) -> None:
    """Append one event at commit; `action` is a fixed verb such as "resident.enroll"."""
    log.info("%s %s=%s staff=%s site=%s", action, record_type, record_id,
             actor.staff_id, actor.site_id)
    append(session, AuditEvent(
        staff_id=actor.staff_id, site_id=actor.site_id, action=action,
        record_type=record_type, record_id=None if record_id is None else str(record_id),
    ))
