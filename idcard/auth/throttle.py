"""Throttling password and code guesses without handing strangers a way to lock staff out.

Three counters, all in the rate limiter's store (Redis in production), counting
failures only:

- per account *and* client address (`IDCARD_LOGIN_LIMIT`): one address guessing one
  account is stopped quickly, and nobody else is affected;
- per account from browsers that never signed in to it (`IDCARD_LOGIN_ACCOUNT_LIMIT`):
  many addresses guessing one account are slowed to a trickle, while the staff member's
  own browser, which holds a signed "known device" cookie from an earlier sign-in, is
  not counted there and still signs in (the device-cookie scheme OWASP recommends);
- the current-password check of a password change, per account.

Every sign-in POST also counts against its address (`IDCARD_LOGIN_LIMIT`, in the view).
Counter keys hold a hash of the typed username, never the username itself.
"""

from __future__ import annotations

import hashlib

from flask import request
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse
from werkzeug.wrappers import Response

from idcard.extensions import limiter
from idcard.services import services

DEVICE_COOKIE = "idcard_device"
DEVICE_COOKIE_DAYS = 180
DEVICE_ACCOUNTS = 8  # a shared counter computer remembers this many staff


def account_key(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]


def _keys(kind: str, *parts: str) -> tuple[str, ...]:
    return (services().settings.ratelimit_key_prefix, "auth", kind, *parts)


def _address() -> str:
    return request.remote_addr or "unknown"


class Failures:
    """Counts failed attempts of one kind; `exhausted` once the limit is reached."""

    def __init__(self, kind: str, limit: str) -> None:
        self.kind, self.limit = kind, parse(limit)

    def exhausted(self, *parts: str) -> bool:
        return not limiter.limiter.test(self.limit, *_keys(self.kind, *parts))

    def count(self, *parts: str) -> None:
        limiter.limiter.hit(self.limit, *_keys(self.kind, *parts))


def _pair() -> Failures:
    return Failures("pair", services().settings.login_limit)


def _account() -> Failures:
    return Failures("account", services().settings.login_account_limit)


def sign_in_refused(account: str) -> bool:
    """True when this account may not be tried from here now."""
    if _pair().exhausted(account, _address()):
        return True
    return not known_device(account) and _account().exhausted(account)


def count_sign_in_failure(account: str) -> None:
    _pair().count(account, _address())
    if not known_device(account):
        _account().count(account)


def password_check_refused(account: str) -> bool:
    return Failures("password", services().settings.login_limit).exhausted(account)


def count_password_check_failure(account: str) -> None:
    Failures("password", services().settings.login_limit).count(account)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(services().settings.secret_key, salt="known-device")


def _device_accounts() -> list[str]:
    raw = request.cookies.get(DEVICE_COOKIE, "")
    try:
        accounts = _serializer().loads(raw) if raw else []
    except BadSignature:
        return []
    return [a for a in accounts if isinstance(a, str)] if isinstance(accounts, list) else []


def known_device(account: str) -> bool:
    """Whether this browser signed in to the account before (a signed cookie says so)."""
    return account in _device_accounts()


def remember_device(response: Response, account: str) -> None:
    """Mark this browser as one the account signs in from."""
    accounts = [account] + [a for a in _device_accounts() if a != account]
    response.set_cookie(
        DEVICE_COOKIE, _serializer().dumps(accounts[:DEVICE_ACCOUNTS]),
        max_age=DEVICE_COOKIE_DAYS * 86400, path="/staff/", httponly=True, samesite="Lax",
        secure=services().settings.production)
