"""Partner keys, rate limits (also across gunicorn workers sharing Redis), daily counts."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlmodel import select

from idcard.models import Partner, PartnerDailyCount, PartnerKey
from idcard.services import services
from tests.helpers import free_port, post_form

REDIS_URL = os.environ.get("IDCARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def new_partner_key(admin_client, name: str = "Central Library") -> str:
    page = post_form(admin_client, "/staff/admin/partners", {"name": name})
    match = re.search(r'id="new-key">([^<]+)<', page.text)
    assert match, page.text[:2000]
    return match.group(1)


def ask(client, key: str | None = None):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.post("/api/v1/verify", json={"token": "AAAA"}, headers=headers)


def test_partner_keys_are_shown_once_and_stored_hashed(admin_client, db_session) -> None:
    key = new_partner_key(admin_client)
    assert key.startswith("idc_") and len(key) > 40
    stored = db_session.exec(select(PartnerKey)).one()
    assert key not in repr(vars(stored)) and stored.key_hash != key
    assert key not in admin_client.get("/staff/admin/partners").text


def test_anonymous_and_partner_limits(make_app, admin_client) -> None:
    key = new_partner_key(admin_client)
    app = make_app(verify_limit="3 per minute", partner_verify_limit="6 per minute")
    client = app.test_client()
    anonymous = [ask(client).status_code for _ in range(4)]
    assert anonymous == [200, 200, 200, 429]
    limited = ask(client)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert "Too many attempts" in limited.get_json()["error"]
    partner = [ask(client, key).status_code for _ in range(7)]
    assert partner == [200] * 6 + [429]


def test_unknown_revoked_and_rotated_keys(app, admin_client, db_session) -> None:
    client = app.test_client()
    assert ask(client, "idc_not-a-key").status_code == 401
    key = new_partner_key(admin_client)
    assert ask(client, key).status_code == 200
    stored = db_session.exec(select(PartnerKey)).one()
    partner = db_session.get(Partner, stored.partner_id)
    page = "/staff/admin/partners"
    rotated = post_form(admin_client, f"{page}/{partner.public_id}/rotate", {}, page_url=page)
    new_key = re.search(r'id="new-key">([^<]+)<', rotated.text).group(1)  # type: ignore[union-attr]
    assert ask(client, key).status_code == 200  # the old key works during the grace period
    assert ask(client, new_key).status_code == 200
    post_form(admin_client, f"{page}/{partner.public_id}/keys/{stored.public_id}/revoke", {},
              page_url=page)
    assert ask(client, key).status_code == 401
    assert ask(client, new_key).status_code == 200


def test_only_a_daily_count_is_kept_per_partner(app, admin_client, db_session) -> None:
    key = new_partner_key(admin_client)
    client = app.test_client()
    for _ in range(5):
        ask(client, key)
    ask(client)  # anonymous checks are not counted anywhere
    services(app).usage.flush()
    (row,) = db_session.exec(select(PartnerDailyCount)).all()
    assert row.count == 5
    assert "5 checks so far" in admin_client.get("/staff/admin/partners").text


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_limits_hold_across_two_gunicorn_workers_sharing_redis(
    tmp_path: Path, database_url,
) -> None:
    if not _redis_reachable():
        if os.environ.get("IDCARD_REQUIRE_POSTGRES") == "1":  # CI: the services must be there
            pytest.fail(f"Redis not reachable at {REDIS_URL}")
        pytest.skip("Redis not reachable")
    port = free_port()
    env = {**os.environ, "IDCARD_HOME": str(tmp_path), "IDCARD_DATABASE_URL": database_url,
           "IDCARD_RATELIMIT_STORAGE_URL": REDIS_URL, "IDCARD_VERIFY_LIMIT": "5 per minute",
           "IDCARD_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}", "IDCARD_ENV": "testing",
           "IDCARD_BIND": f"127.0.0.1:{port}", "IDCARD_WORKERS": "2"}
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    server = subprocess.Popen([gunicorn, "-c", "gunicorn.conf.py", "idcard.wsgi:app"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        statuses = [_post_verify(port) for _ in range(12)]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert statuses.count(200) == 5 and statuses.count(429) == 7


def _post_verify(port: int) -> int:
    """One request on a fresh connection, so the two workers share the load."""
    for _ in range(300):  # wait for the server to listen (at most ~30 s)
        # A worker may still be booting the app when the master accepts: on a loaded
        # machine that takes more than 10 s, so the answer gets a minute.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("POST", "/api/v1/verify", body=json.dumps({"token": "X"}),
                         headers={"Content-Type": "application/json", "Connection": "close"})
            return conn.getresponse().status
        except ConnectionRefusedError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise AssertionError("gunicorn did not start")
