"""The one commit point of a request: a state change commits once, or not at all.

Views run their service call inside `with transaction(done) as tx:`. When the block
ends normally the session commits and `done` is flashed; a domain refusal
(`UserError`) rolls back and is flashed in the person's language, then execution
continues after the block with `tx.committed` false; any other exception rolls back
and goes on to the error page.
"""

from __future__ import annotations

from types import TracebackType

from flask import flash

from idcard import db
from idcard.errors import UserError
from idcard.i18n import translate_error
from idcard.services import services


class Transaction:
    """One state change in this request's database session."""

    def __init__(self, done: str | None) -> None:
        self.session = db.session()
        self.done = done
        self.committed = False
        self.error: UserError | None = None  # the refusal, when there was one
        # Whatever changed may be a card's validity: this worker's next verification
        # reads the database rather than waiting for its refresh interval.
        self._verification = services().verification

    def __enter__(self) -> Transaction:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        _tb: TracebackType | None,
    ) -> bool:
        if error is None:
            self.session.commit()
            self.committed = True
            self._verification.expire()
            if self.done:
                flash(self.done, "info")
            return False
        self.session.rollback()
        if isinstance(error, UserError):
            self.error = error
            flash(translate_error(error), "error")
            return True  # refused: the view goes on to show the message
        return False


def transaction(done: str | None = None) -> Transaction:
    """Start this request's state change; `done` is flashed once it is committed."""
    return Transaction(done)
