"""Every staff route refuses anonymous users and roles below the one it needs."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from idcard.models import Role
from tests.helpers import signed_in

# Staff pages anyone may open: signing in, and the one-time setup link.
PUBLIC_STAFF_ENDPOINTS = {"auth.login", "auth.setup", "second_factor.enter_code",
                          "second_factor.set_up"}
SAMPLE_ARGUMENTS = {"int": "1", "opaque": "0123456789abcdef" * 2, "": "abc"}
PUBLIC_ENDPOINTS = {
    "static", "index", "i18n.choose_language", "verify.verify_card", "verify.health",
    "verify.openapi", "verify.key_set", "verify.cose_keys", "verify.status_list",
    "verify.verify_page", "verify.service_worker",
}


def staff_routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, url with sample arguments, method) for every route under /staff."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff") or rule.endpoint in PUBLIC_STAFF_ENDPOINTS:
            continue
        url = re.sub(r"<(?:(\w+):)?\w+>",
                     lambda m: SAMPLE_ARGUMENTS[m.group(1) or ""], rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, url, method))
    return routes


def required_role(app: Flask, endpoint: str) -> Role:
    role = getattr(app.view_functions[endpoint], "required_role", None)
    assert role is not None, f"{endpoint} has no role guard"
    return role


def test_every_route_is_staff_public_or_known(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        assert (rule.rule.startswith("/staff") or rule.endpoint in PUBLIC_ENDPOINTS), rule


def test_every_staff_route_declares_a_role(app: Flask) -> None:
    routes = staff_routes(app)
    assert len(routes) >= 15
    for endpoint, _url, _method in routes:
        required_role(app, endpoint)


def test_anonymous_users_are_sent_to_sign_in(app: Flask) -> None:
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False  # so POSTs reach the guard, not the CSRF check
    for endpoint, url, method in staff_routes(app):
        response = client.open(url, method=method)
        assert response.status_code == 302, (endpoint, method, response.status_code)
        assert "/staff/login" in response.headers["Location"], endpoint


@pytest.mark.parametrize("role", [Role.CLERK, Role.SUPERVISOR])
def test_lower_roles_are_refused(app: Flask, staff, role: Role) -> None:
    client = signed_in(app, staff(role))
    app.config["WTF_CSRF_ENABLED"] = False  # so POSTs reach the role guard
    refused = 0
    for endpoint, url, method in staff_routes(app):
        if role.includes(required_role(app, endpoint)):
            continue
        response = client.open(url, method=method)
        assert response.status_code == 403, (role, endpoint, method, response.status_code)
        refused += 1
    assert refused > 0


def test_roles_include_the_ones_below() -> None:
    assert Role.ADMIN.includes(Role.SUPERVISOR) and Role.ADMIN.includes(Role.CLERK)
    assert Role.SUPERVISOR.includes(Role.CLERK) and not Role.SUPERVISOR.includes(Role.ADMIN)
    assert not Role.CLERK.includes(Role.SUPERVISOR)
