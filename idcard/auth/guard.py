"""Who is signed in, and what their role lets them open.

The cookie names a server-side session (`idcard.auth.sessions`); each request checks
that it was not ended, has not timed out, passed the second factor, and that the
account may still work (active, at an open site). Role and site are read fresh.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import abort, request
from flask_login import UserMixin, current_user

from idcard.audit import Actor, record_event
from idcard.auth.accounts import may_sign_in
from idcard.auth.sessions import SessionPolicy, live_session, touch
from idcard.extensions import login_manager
from idcard.models import Role, StaffUser
from idcard.services import services
from idcard.transaction import transaction

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class StaffPrincipal(UserMixin):
    """The signed-in staff member, detached from the database session."""

    user_id: int
    public_id: str
    username: str
    role: Role
    site_id: int | None
    token: str  # the session cookie's token; the database keeps only its hash

    def get_id(self) -> str:
        return self.token

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.site_id)

    def can(self, role: Role | str) -> bool:
        return self.role.includes(Role(role))


def principal(user: StaffUser, token: str) -> StaffPrincipal:
    assert user.id is not None
    return StaffPrincipal(user.id, user.public_id, user.username, Role(user.role),
                          user.site_id, token)


def session_policy() -> SessionPolicy:
    settings = services().settings
    return SessionPolicy(idle=timedelta(minutes=settings.session_idle_minutes),
                         lifetime=timedelta(hours=settings.session_lifetime_hours))


@login_manager.user_loader
def load_user(token: str) -> StaffPrincipal | None:
    # Its own short transaction: the request's session starts after it, on fresh data.
    with services().session() as session:
        row = live_session(session, token, session_policy())
        if row is None or not row.second_factor_done:
            return None
        user = session.get(StaffUser, row.staff_id)
        if user is None or not may_sign_in(session, user):
            return None
        touch(session, row)
        session.commit()
        return principal(user, token)


def requires_role(role: Role) -> Callable[[F], F]:
    """Let a view through only for signed-in staff whose role includes `role`."""

    def decorator(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(role):
                with transaction() as tx:  # a refused try is audited, by route name only
                    record_event(tx.session, current_actor(), "access.forbidden", "route",
                                 request.endpoint)
                abort(403)
            return view(*args, **kwargs)

        guarded.required_role = role  # type: ignore[attr-defined]  # read by the access test
        return guarded  # type: ignore[return-value]

    return decorator


def current_actor() -> Actor:
    return current_user.actor
