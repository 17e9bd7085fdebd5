"""Who is signed in, and what their role lets them open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import UserMixin, current_user

from idcard import db
from idcard.audit import Actor
from idcard.extensions import login_manager
from idcard.models import Role, StaffUser

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class StaffPrincipal(UserMixin):
    """The signed-in staff member, detached from the database session."""

    user_id: int
    username: str
    role: Role
    site_id: int | None
    session_id: str

    def get_id(self) -> str:
        return self.session_id

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.site_id)

    def can(self, role: Role | str) -> bool:
        return self.role.includes(Role(role))


def session_id(user: StaffUser) -> str:
    """Login sessions name the password's age, so a password change ends old sessions."""
    return f"{user.id}:{user.password_changed_at.timestamp():.6f}"


def principal(user: StaffUser) -> StaffPrincipal:
    assert user.id is not None
    return StaffPrincipal(user.id, user.username, Role(user.role), user.site_id, session_id(user))


@login_manager.user_loader
def load_user(value: str) -> StaffPrincipal | None:
    user_id, _, _ = value.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session().get(StaffUser, int(user_id))
    if user is None or not user.active or session_id(user) != value:
        return None
    return principal(user)


def requires_role(role: Role) -> Callable[[F], F]:
    """Let a view through only for signed-in staff whose role includes `role`."""

    def decorator(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(role):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_role = role  # type: ignore[attr-defined]  # read by the access test
        return guarded  # type: ignore[return-value]

    return decorator


def current_actor() -> Actor:
    return current_user.actor
