"""A fuzz pass over every route's parameters (Hypothesis): NUL and control characters,
huge integers, odd ids and deeply nested JSON get an answer below 500, on both engines."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from idcard.models import Role
from tests.helpers import csrf_from, printed_card, signed_in

HOSTILE_TEXT = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(["\x00", "a\x00b", "\n", "\r\n/x", "\t", "\x7f", "\u202e", "%00", "../",
                     "//evil.example", "' OR 1=1 --", "<script>", "9" * 30, "-1", "0",
                     str(2**31), str(2**63), str(2**64), "1e309", "NaN", ""]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
FORM_FIELDS = ("username", "password", "code", "name", "born_on", "number", "reason",
               "layout", "decision", "language", "next", "site_id", "role", "active", "kind",
               "current", "confirm", "documents", "fee_waived", "requires_pickup")
QUERY_FIELDS = ("next", "action", "before")


def nested_json(depth: int) -> str:
    return '{"token": ' + "[" * depth + "1" + "]" * depth + "}"


def _routes(app) -> list[tuple[str, list[str], str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        arguments = re.findall(r"<(?:\w+:)?(\w+)>", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.rule, arguments, method))
    return routes


def _fill(rule: str, values: dict[str, str]) -> str:
    from urllib.parse import quote

    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: quote(values[m.group(1)], safe=""), rule)


def test_no_route_answers_500_to_hostile_parameters(app, staff, db_session) -> None:
    clerk = signed_in(app, staff(Role.CLERK))
    card, _pdf = printed_card(clerk, db_session)
    admin = signed_in(app, staff(Role.ADMIN))
    token = csrf_from(admin.get("/staff/lookup").text)
    real_ids = [card.resident_id, card.public_id]
    routes = _routes(app)
    ids = st.one_of(HOSTILE_TEXT, st.sampled_from(real_ids))

    @settings(max_examples=250, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(route=st.sampled_from(routes), data=st.data())
    def probe(route: tuple[str, list[str], str], data: st.DataObject) -> None:
        rule, arguments, method = route
        url = _fill(rule, {name: data.draw(ids) for name in arguments})
        query = {name: data.draw(HOSTILE_TEXT) for name in
                 data.draw(st.lists(st.sampled_from(QUERY_FIELDS), max_size=3, unique=True))}
        if method == "GET":
            response = admin.get(url, query_string=query)
        elif url == "/api/v1/verify":
            body = data.draw(st.one_of(st.integers(0, 5000).map(nested_json),
                                       HOSTILE_TEXT.map(lambda t: '{"token": "' + t + '"}')))
            response = admin.post(url, data=body, content_type="application/json")
        else:
            form = {name: data.draw(HOSTILE_TEXT) for name in
                    data.draw(st.lists(st.sampled_from(FORM_FIELDS), max_size=5, unique=True))}
            response = admin.post(url, query_string=query, data={**form, "csrf_token": token})
        assert response.status_code < 500, (method, url, query, response.status_code)

    probe()
