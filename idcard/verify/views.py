"""Partner-facing routes: the /v page, the JSON verify API, the key set, status lists.

Nothing here writes a row or a log line about the card being checked (rule 4).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, Flask, g, render_template, request
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from idcard import db
from idcard.extensions import csrf, limiter
from idcard.keys import current_signer, published_keys
from idcard.services import services
from idcard.settings import Settings
from idcard.statuslist import STATUS_LIST_TYPE, StatusBits, sign_status_list
from idcard.tokens import cose_key_set, jwk
from idcard.verify.checks import is_valid_card

bp = Blueprint("verify", __name__)
OPENAPI_PATH = Path(__file__).with_name("openapi.json")
STATIC_JS = Path(__file__).resolve().parents[2] / "static" / "js"
# Both answers are 28 bytes (JSON allows the padding spaces), so neither a log's size
# column nor the length of an encrypted response tells them apart.
VALID = '{"result": "valid resident"}'
NOT_VALID = '{"result": "not valid"     }'
KEYSET_MAX_AGE = 300
JWK_SET_TYPE = "application/jwk-set+json"  # RFC 7517 section 8.5
COSE_KEY_SET_TYPE = "application/cose-key-set"  # RFC 9052 section 11.2


def settings() -> Settings:
    return services().settings


def _json(body: str, status: int = 200, max_age: int | None = None) -> Response:
    response = Response(body, status=status, mimetype="application/json")
    response.headers["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-store"
    return response


def _key_set(body: str | bytes, mimetype: str) -> Response:
    """A published key set: the same bytes for everyone, cached like the JWKS always was."""
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = f"public, max-age={KEYSET_MAX_AGE}"
    return response


def _presented_key() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip()
    return request.headers.get("X-API-Key")


def request_partner() -> int | None:
    """The partner whose valid API key came with this request, if any (cached per request)."""
    if "partner_id" not in g:
        key = _presented_key()
        g.partner_id = services().partner_keys.partner_for(key) if key else None
    return g.partner_id


def _verify_limit() -> str:
    partner = request_partner() is not None
    return settings().partner_verify_limit if partner else settings().verify_limit


def _verify_limit_key() -> str:
    """Partners are limited per partner (across their addresses), others per address."""
    partner_id = request_partner()
    return f"partner:{partner_id}" if partner_id is not None else get_remote_address()


def _api_limit() -> str:
    return settings().api_limit


@bp.post("/api/v1/verify")
@csrf.exempt
@limiter.limit(_verify_limit, key_func=_verify_limit_key)
def verify_card() -> Response:
    """Answer one bit about a token: valid resident, or not valid."""
    partner_id = request_partner()
    if partner_id is None and _presented_key():
        return _json(json.dumps({"error": "Unknown, expired or revoked API key."}), 401)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or "token" not in payload:
        return _json(json.dumps({"error": 'Send a JSON object like {"token": "..."}.'}), 400)
    snapshot = services().verification.current()
    valid = is_valid_card(payload["token"], snapshot, datetime.now(UTC).date())
    if partner_id is not None:
        services().usage.add(partner_id)
    return _json(VALID if valid else NOT_VALID)


@bp.get("/api/v1/health")
@limiter.limit(_api_limit)
def health() -> Response:
    """A cheap JSON answer for load balancers (and the benchmark's no-op baseline)."""
    return _json('{"status": "ok"}')


@bp.get("/api/v1/openapi.json")
@limiter.limit(_api_limit)
def openapi() -> Response:
    """The OpenAPI 3 description of the partner API."""
    return _json(OPENAPI_PATH.read_text(), max_age=KEYSET_MAX_AGE)


@bp.get("/.well-known/jwks.json")
@limiter.limit(_api_limit)
def key_set() -> Response:
    """Every public key whose cards may still be valid, as a JWK set (kid in hex)."""
    keys = [jwk(k.kid, k.public_key) for k in published_keys(db.session())]
    return _key_set(json.dumps({"keys": keys}), JWK_SET_TYPE)


@bp.get("/.well-known/cose-key-set")
@limiter.limit(_api_limit)
def cose_keys() -> Response:
    """The same keys as a COSE Key Set, the kid as the bytes tokens carry."""
    keys = cose_key_set((k.kid, k.public_key) for k in published_keys(db.session()))
    return _key_set(keys, COSE_KEY_SET_TYPE)


@bp.get("/api/v1/status-lists/<int:list_id>")
@limiter.limit(_api_limit)
def status_list(list_id: int) -> Response:
    """The signed, compressed status bits of one list; unchanged lists cost a 304."""
    snapshot = services().verification.current()
    bits = snapshot.lists.get(list_id)
    if bits is None:
        return _json(json.dumps({"error": "No such status list."}), 404)
    signed = _signed_list(list_id, bits, snapshot.list_ticks[list_id])
    response = Response(signed, mimetype=STATUS_LIST_TYPE)
    response.set_etag(hashlib.sha256(signed).hexdigest()[:32])
    response.headers["Cache-Control"] = f"public, max-age={settings().status_list_ttl}"
    return response.make_conditional(request)


def _signed_list(list_id: int, bits: StatusBits, tick: int) -> bytes:
    """Sign the list again only when it changed or its signature is getting old."""
    signed_lists = services().signed_lists
    cached = signed_lists.get(list_id, tick)
    if cached is not None:
        return cached
    session = db.session()
    signer = current_signer(session, services().vault)
    session.commit()  # keeps a key created on first use
    signed = sign_status_list(
        bits.to_bytes(), list_id, signer, issued_at=datetime.now(UTC),
        ttl_seconds=settings().status_list_ttl,
        uri=f"{settings().public_url.rstrip('/')}/api/v1/status-lists/{list_id}")
    signed_lists.put(list_id, tick, signed)
    return signed


@bp.get("/v")
def verify_page() -> Response:
    """The page a card's QR opens; it checks the token in the browser from the fragment."""
    list_ids = sorted(services().verification.current().lists)
    response = Response(render_template(
        "verify/page.html", max_age_seconds=settings().status_list_max_age, list_ids=list_ids),
        mimetype="text/html")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@bp.get("/sw.js")
def service_worker() -> Response:
    """The verify page's service worker, served from the root so it may control /v."""
    response = Response((STATIC_JS / "sw.js").read_bytes(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"  # browsers check for a new worker each visit
    response.headers["Service-Worker-Allowed"] = "/"
    return response


def init_verification(app: Flask) -> None:
    """Let partners' web apps call the API from any origin."""

    @app.after_request
    def allow_partner_origins(response: Response) -> Response:
        # Partner web apps may call the API and read keys and lists from any origin;
        # no cookies are involved, so the wildcard grants nothing personal.
        if request.path.startswith(("/api/v1/", "/.well-known/")):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, Authorization"
            response.headers["Access-Control-Expose-Headers"] = "ETag, Retry-After"
        return response
