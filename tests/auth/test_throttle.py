"""Throttling behind the TLS proxy, through gunicorn with the production config: one
attacker's bad sign-ins stop neither other staff nor the account's own browser."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest

from idcard.models import Role
from tests.helpers import PASSWORD, free_port, login

REDIS_URL = os.environ.get("IDCARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Browser:
    """A browser behind the proxy: the proxy appends its address to X-Forwarded-For."""

    def __init__(self, port: int, address: str) -> None:
        self.port, self.address, self.cookies = port, address, {}
        self.claimed = ""  # what the browser itself puts in X-Forwarded-For, if anything

    def request(self, method: str, path: str, form: dict | None = None):
        forwarded = f"{self.claimed}, {self.address}" if self.claimed else self.address
        headers = {"X-Forwarded-For": forwarded, "Connection": "close",
                   "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = urlencode(form) if form is not None else None
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name] = value
        body = response.read().decode()
        conn.close()
        return response.status, response.headers, body

    def sign_in(self, username: str, password: str = PASSWORD) -> int:
        _status, _headers, page = self.request("GET", "/staff/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        status, _headers, _body = self.request("POST", "/staff/login", {
            "username": username, "password": password, "csrf_token": token})
        return status


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("IDCARD_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"Redis not reachable at {REDIS_URL}")
        pytest.skip("Redis not reachable")


def _wait_for(port: int) -> None:
    """Until gunicorn answers (its master builds an app before the workers boot)."""
    for _ in range(300):  # at most ~30 s to listen, then up to 60 s to answer
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("GET", "/api/v1/health")
            conn.getresponse().read()
            return
        except ConnectionRefusedError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise AssertionError("gunicorn did not start")


@pytest.fixture
def production_server(tmp_path: Path, database_url: str, settings):
    """gunicorn with gunicorn.conf.py, IDCARD_ENV=production, two workers, Redis limits."""
    _redis_or_skip()
    port = free_port()
    env = {**os.environ, "IDCARD_ENV": "production", "IDCARD_HOME": str(tmp_path),
           "IDCARD_PUBLIC_URL": "https://id.example-city.gov",
           "IDCARD_DATABASE_URL": database_url, "IDCARD_SECRET_KEY": secrets.token_hex(32),
           "IDCARD_MASTER_KEY": settings.master_key.hex(),
           "IDCARD_INDEX_KEY": settings.index_key.hex(),
           "IDCARD_RATELIMIT_STORAGE_URL": REDIS_URL,
           "IDCARD_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
           "IDCARD_LOGIN_LIMIT": "5 per minute", "IDCARD_LOGIN_ACCOUNT_LIMIT": "8 per hour",
           "IDCARD_FORWARDED_ALLOW_IPS": "127.0.0.1",
           "IDCARD_BIND": f"127.0.0.1:{port}", "IDCARD_WORKERS": "2"}
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    server = subprocess.Popen([gunicorn, "-c", "gunicorn.conf.py", "idcard.wsgi:app"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(port)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_attackers_behind_the_proxy_lock_out_neither_staff_nor_the_account(
    production_server: int, staff,
) -> None:
    ana, ben = staff(Role.CLERK, "ana"), staff(Role.CLERK, "ben")
    port = production_server
    own_browser = Browser(port, "198.51.100.7")
    assert own_browser.sign_in(ana) == 302  # an earlier day: this browser is now known
    own_browser.cookies.pop("session")
    statuses = []
    for address in ("203.0.113.66", "203.0.113.67", "203.0.113.68"):
        attacker = Browser(port, address)
        for attempt in range(7):
            attacker.claimed = f"10.9.8.{attempt}"  # a forged first entry changes nothing
            statuses.append(attacker.sign_in(ana, f"guess number {attempt:04d}"))
    assert statuses.count(429) >= 6 and 302 not in statuses
    assert Browser(port, "198.51.100.8").sign_in(ben) == 302  # other staff: unaffected
    assert Browser(port, "198.51.100.9").sign_in(ana) == 429  # unknown browsers wait...
    assert own_browser.sign_in(ana) == 302  # ...but the account's own browser gets in
    _status, headers, _body = own_browser.request("GET", "/staff/")
    assert headers["Cache-Control"] == "no-store" and headers["X-Frame-Options"] == "DENY"
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert not re.search(r"\d", headers["Server"])


def test_the_current_password_check_is_throttled(make_app, staff) -> None:
    app = make_app(login_limit="3 per minute")
    username = staff(Role.CLERK)
    client = app.test_client()
    assert login(client, username).status_code == 302
    from tests.helpers import post_form

    new = "a different long passphrase"
    statuses = [post_form(client, "/staff/password", {
        "current": f"wrong password {n}", "password": new, "confirm": new}).status_code
        for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    right = post_form(client, "/staff/password", {"current": PASSWORD, "password": new,
                                                   "confirm": new})
    assert right.status_code == 429  # not even the right one while throttled
