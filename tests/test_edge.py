"""Input refused at the edge: redirects stay on site; control characters, huge integers
and deep JSON get a clear 4xx, never a 500."""

from __future__ import annotations

import pytest

from idcard.edge import json_depth_exceeds, safe_next
from idcard.models import Role
from tests.helpers import PASSWORD, csrf_from

OPEN_REDIRECTS = [
    "//evil.example/", "/\t/evil.example/", "/%09/evil.example/", "/\\evil.example/",
    "\\\\evil.example", "/\\/evil.example", "https://evil.example/", "http:evil.example",
    "//evil.example/%2F..", "/%2F%2Fevil.example", "%2F%2Fevil.example", "/\n/evil.example",
    "/\r\n/evil.example", "javascript:alert(1)", "/staff/\nSet-Cookie: x=1", " //evil.example",
    "///evil.example", "/%5Cevil.example", "evil.example", "/\x00/evil.example",
]


def test_sign_in_never_sends_anyone_off_site(app, staff) -> None:
    username = staff(Role.CLERK)
    for target in OPEN_REDIRECTS:
        client = app.test_client()
        token = csrf_from(client.get("/staff/login").text)
        response = client.post("/staff/login", query_string={"next": target}, data={
            "username": username, "password": PASSWORD, "csrf_token": token})
        assert response.status_code in (302, 400), target
        location = response.headers.get("Location", "/staff/")
        assert location == "/staff/", (target, location)
    raw = app.test_client()  # the probe as a browser sends it: %09 decodes to a tab
    token = csrf_from(raw.get("/staff/login").text)
    response = raw.post("/staff/login?next=/%09/evil.example/", data={
        "username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 400  # a control character in an address: refused


def test_the_language_switch_stays_on_site(app) -> None:
    client = app.test_client()
    token = csrf_from(client.get("/staff/login").text)
    for target in OPEN_REDIRECTS:
        response = client.post("/language", data={"language": "es", "next": target,
                                                  "csrf_token": token})
        assert response.status_code == 302 and response.headers["Location"] == "/staff/"


def test_same_site_paths_are_kept() -> None:
    assert safe_next("/staff/lookup") == "/staff/lookup"
    assert safe_next("/staff/review?x=1") == "/staff/review?x=1"


@pytest.mark.parametrize("query", ["action=a%00b", "action=staff.login%0a", "before=%00",
                                   "before=99999999999999999999999", "before=-1",
                                   "action=" + "x" * 500])
def test_query_strings_are_checked(app, staff, query: str) -> None:
    from tests.helpers import signed_in

    client = signed_in(app, staff(Role.SUPERVISOR))
    response = client.get(f"/staff/admin/audit?{query}")
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("username", ["ad\x00min", "a\nb", "x" * 64 + "\x00", "\x7f"])
def test_odd_usernames_are_just_wrong(app, username: str) -> None:
    client = app.test_client()
    token = csrf_from(client.get("/staff/login").text)
    response = client.post("/staff/login", data={"username": username, "password": "p" * 12,
                                                 "csrf_token": token})
    assert response.status_code == 200
    assert "Wrong username or password." in response.text or "has-error" in response.text


@pytest.mark.parametrize("path", ["/api/v1/status-lists/99999999999999999999",
                                  "/api/v1/status-lists/9223372036854775808",
                                  "/staff/admin/sites/2147483648", "/staff/residents/%00"])
def test_huge_or_odd_ids_in_addresses_are_not_found(app, path: str) -> None:
    assert app.test_client().get(path).status_code in (302, 400, 404)


@pytest.mark.parametrize("depth", [33, 1000, 100000])
def test_deeply_nested_json_is_refused(app, depth: int) -> None:
    body = "[" * depth + "]" * depth
    response = app.test_client().post("/api/v1/verify", data=body,
                                      content_type="application/json")
    assert response.status_code == 400


def test_nesting_inside_strings_does_not_count() -> None:
    assert not json_depth_exceeds('{"token": "' + "[" * 100 + '"}')
    assert json_depth_exceeds("[" * 40 + "]" * 40)
    assert not json_depth_exceeds('{"a": "\\"[[[[", "b": [1]}', limit=2)
