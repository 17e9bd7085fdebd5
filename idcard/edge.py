"""Input checked at the edge, before any view or query sees it.

Addresses carry only opaque ids of a fixed shape, integers within the database's
range, and no control characters; redirect targets stay on this site; JSON bodies
are refused past a small nesting depth. Whatever fails here is a clear 4xx, never
a database error turned into a 500.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, abort, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import BaseConverter, IntegerConverter

from idcard.services import services

MAX_INT = 2**31 - 1  # PostgreSQL's integer; SQLite's and Python's are wider
MAX_JSON_DEPTH = 32
OPAQUE_PATTERN = "[0-9a-f]{32}"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class OpaqueConverter(BaseConverter):
    """A random public id: 32 lower-case hex digits, nothing else reaches the view."""

    regex = OPAQUE_PATTERN


class BoundedIntConverter(IntegerConverter):
    """Integers in routes stay within what every database column can hold."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)


def has_control_characters(text: str) -> bool:
    return _CONTROL.search(text) is not None


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site; None for anything a browser could leave by.

    Browsers drop tabs and newlines and read a backslash as a slash, so `/\\evil`,
    `/\t/evil` and `//evil` would all leave the site: any of those is refused, written
    plainly or percent-encoded once more.
    """
    if not target:
        return None
    for form in (target, unquote(target)):
        if has_control_characters(form) or "\\" in form:
            return None
        if not form.startswith("/") or form.startswith("//"):
            return None
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return None
    return target


def bounded_int(text: str | None) -> int | None:
    """A non-negative integer that fits a database column, else None."""
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if value <= MAX_INT else None


def json_depth_exceeds(raw: str | bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when arrays and objects nest deeper than `limit` (strings are skipped)."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if text.count("[") + text.count("{") <= limit:
        return False  # cannot be deeper: the common case costs two counts
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class BoundedJSONProvider(DefaultJSONProvider):
    """Refuses JSON nested past MAX_JSON_DEPTH as malformed (a ValueError, so a 400)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        if json_depth_exceeds(s):
            raise ValueError("JSON nested too deeply")
        return super().loads(s, **kwargs)


class TrustedProxies:
    """Believe X-Forwarded-For and -Proto only from the configured proxies.

    A request from a listed address (`IDCARD_FORWARDED_ALLOW_IPS`: addresses or networks,
    comma-separated, or `*`) gets the client address its proxy appended; any other
    request keeps its own peer address, so nobody can pick an address by sending the
    header themselves.
    """

    def __init__(self, app: Any, allowed: str) -> None:
        self.app = app
        self.behind_proxy = ProxyFix(app, x_for=1, x_proto=1)
        entries = [e.strip() for e in allowed.split(",") if e.strip()]
        self.everyone = "*" in entries
        self.networks = [ipaddress.ip_network(e, strict=False) for e in entries if e != "*"]

    def trusts(self, address: str | None) -> bool:
        if self.everyone:
            return True
        try:
            peer = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(peer in network for network in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        handler = self.behind_proxy if self.trusts(environ.get("REMOTE_ADDR")) else self.app
        return handler(environ, start_response)


def init_edge(app: Flask) -> None:
    """Install the proxy rule, converters, the JSON depth limit and the address check."""
    app.wsgi_app = TrustedProxies(  # type: ignore[method-assign]
        app.wsgi_app, services(app).settings.forwarded_allow_ips)
    app.json = BoundedJSONProvider(app)
    app.url_map.converters["opaque"] = OpaqueConverter
    app.url_map.converters["int"] = BoundedIntConverter

    @app.before_request
    def refuse_control_characters() -> None:
        # Paths and query strings never carry control characters; a NUL would even
        # reach PostgreSQL, which refuses it with an error.
        if has_control_characters(request.path) or any(
                has_control_characters(key) or has_control_characters(value)
                for key, value in request.args.items(multi=True)):
            abort(400)
