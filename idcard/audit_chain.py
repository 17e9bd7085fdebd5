"""The audit log as a hash chain: a removed or rewritten event breaks a link.

Events are numbered (`seq`) and hashed when their transaction commits, never before:
the commit takes the chain head's row lock last, appends the transaction's events in
order and moves the head, so concurrent writers queue for a moment instead of forking
the chain, and no other lock is ever awaited while the head is held. Each event's hash
is SHA-256 over the previous event's hash and the event's own fields. Anyone with
database access could recompute the whole chain, which is why the head (`head()`) is
exported and kept elsewhere: an exported head that no longer matches shows a rewrite.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import event, update
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from idcard.models import AuditEvent, AuditHead

GENESIS = "0" * 64  # the "previous hash" of the first event
_PENDING = "idcard.audit_pending"


def event_hash(previous: str, audit_event: AuditEvent) -> str:
    """The link: SHA-256 of the previous hash and this event's fields, in a fixed form."""
    fields = [audit_event.seq, audit_event.at.astimezone(UTC).isoformat(),
              audit_event.staff_id, audit_event.site_id, audit_event.action,
              audit_event.record_type, audit_event.record_id]
    body = json.dumps(fields, separators=(",", ":"), ensure_ascii=True).encode()
    return hashlib.sha256(bytes.fromhex(previous) + body).hexdigest()


def append(session: Session, audit_event: AuditEvent) -> None:
    """Queue an event; it is numbered, hashed and written when the session commits."""
    session.connection()  # begin the transaction now, so that its rollback drops the event
    session.info.setdefault(_PENDING, []).append(audit_event)


@event.listens_for(Session, "before_commit")
def _seal_pending(session: Session) -> None:
    pending: list[AuditEvent] = session.info.pop(_PENDING, [])
    if not pending:
        return
    # The UPDATE takes the head's row lock (SQLite: the write lock) until commit.
    locked = session.execute(update(AuditHead).where(col(AuditHead.id) == 1)
                             .values(seq=AuditHead.seq))
    if locked.rowcount == 0:  # type: ignore[attr-defined]  # an emptied table: start over
        session.add(AuditHead(id=1, seq=0, chain_hash=GENESIS))
        session.flush()
    seq, chain = session.exec(select(AuditHead.seq, AuditHead.chain_hash)
                              .where(AuditHead.id == 1)).one()
    for audit_event in pending:
        seq += 1
        audit_event.seq = seq
        audit_event.chain_hash = chain = event_hash(chain, audit_event)
        session.add(audit_event)
    session.execute(update(AuditHead).where(col(AuditHead.id) == 1)
                    .values(seq=seq, chain_hash=chain))


@event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # rolled back or closed: its events never happened
        session.info.pop(_PENDING, None)


@dataclass(frozen=True)
class Head:
    """The newest link: what an auditor keeps to detect a later rewrite."""

    seq: int
    chain_hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.chain_hash}"


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a check: how many events held, and the first broken link if any."""

    checked: int
    head: Head
    broken: str | None = None


def head(session: Session) -> Head:
    row = session.get(AuditHead, 1)
    return Head(0, GENESIS) if row is None else Head(row.seq, row.chain_hash)


def verify_chain(session: Session, expect: Head | None = None) -> ChainReport:
    """Check every link in order; name the first broken one. Reads in constant memory."""
    query = select(AuditEvent).order_by(col(AuditEvent.seq)).execution_options(yield_per=1000)
    with closing(session.exec(query)) as events:
        return _walk(session, events, expect)


def _walk(session: Session, events: Iterable[AuditEvent], expect: Head | None) -> ChainReport:
    last = Head(0, GENESIS)
    expected_seen = expect is None or expect.seq == 0
    for audit_event in events:
        if audit_event.seq != last.seq + 1:
            return ChainReport(last.seq, last, f"event {last.seq + 1} is missing "
                               f"(the next one kept is {audit_event.seq})")
        if event_hash(last.chain_hash, audit_event) != audit_event.chain_hash:
            return ChainReport(last.seq, last, f"event {audit_event.seq} (id {audit_event.id}) "
                               "does not match its hash: it was changed")
        last = Head(audit_event.seq, audit_event.chain_hash)
        if expect is not None and last.seq == expect.seq:
            if last != expect:
                return ChainReport(last.seq, last, f"event {expect.seq} differs from the "
                                   "exported head: history was rewritten")
            expected_seen = True
    if not expected_seen:
        return ChainReport(last.seq, last, f"the exported head {expect} is beyond the last "
                           f"event {last.seq}: events were removed")
    if head(session) != last:
        return ChainReport(last.seq, last, f"the chain ends at event {last.seq} but the head "
                           f"says {head(session).seq}: the newest events were removed")
    return ChainReport(last.seq, last)
