"""idcard: municipal ID cards for every resident, whatever their status."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, redirect, url_for
from werkzeug.wrappers import Response

from idcard import db
from idcard.extensions import babel, csrf, limiter, login_manager
from idcard.issuance.documents import load_rules
from idcard.logs import configure_logging
from idcard.services import EXTENSION_KEY, Services
from idcard.settings import PACKAGE_DIR, Settings
from idcard.vault import Vault
from idcard.verify.partners import PartnerKeys, UsageCounter
from idcard.verify.status import SignedLists, VerificationState

STATIC_DIR = Path(PACKAGE_DIR).parent / "static"
RESIGN_SECONDS = 3600  # a status list is signed again at least hourly, so its iat stays fresh


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app: settings, database, extensions, blueprints, error pages, CLI."""
    settings = settings or Settings.from_env()
    configure_logging(settings)
    app = Flask(__name__, static_folder=str(STATIC_DIR), static_url_path="/static")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        REMEMBER_COOKIE_DURATION=0,
        MAX_CONTENT_LENGTH=settings.max_photo_bytes + 1024 * 1024,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_url,
        RATELIMIT_KEY_PREFIX=settings.ratelimit_key_prefix,
        RATELIMIT_HEADERS_ENABLED=True,
        BABEL_TRANSLATION_DIRECTORIES=str(PACKAGE_DIR / "translations"),
        WTF_CSRF_TIME_LIMIT=None,  # a clerk's form may stay open all shift
    )
    app.extensions[EXTENSION_KEY] = build_services(settings)
    db.init_app(app)
    _init_extensions(app)
    _register_blueprints(app)
    return app


def build_services(settings: Settings) -> Services:
    """Create the long-lived services: engine, keys, rules, verification caches."""
    engine = db.make_engine(settings.database_url)
    return Services(
        settings=settings,
        engine=engine,
        vault=Vault(settings.master_key, settings.index_key),
        rules=load_rules(settings.document_rules_path),
        verification=VerificationState(engine, settings.status_refresh_seconds),
        partner_keys=PartnerKeys(engine),
        usage=UsageCounter(engine),
        signed_lists=SignedLists(RESIGN_SECONDS),
    )


def _init_extensions(app: Flask) -> None:
    from idcard.edge import init_edge
    from idcard.i18n import select_locale
    from idcard.pages import init_pages

    init_edge(app)  # before the blueprints: their routes use its converters
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    init_pages(app)


def _register_blueprints(app: Flask) -> None:
    from idcard.admin.partner_views import bp as partners_bp
    from idcard.admin.views import bp as admin_bp
    from idcard.auth.second_factor import bp as second_factor_bp
    from idcard.auth.views import bp as auth_bp
    from idcard.cli import register_commands
    from idcard.i18n import bp as i18n_bp
    from idcard.issuance.card_views import bp as cards_bp
    from idcard.issuance.views import bp as staff_bp
    from idcard.verify.views import bp as verify_bp
    from idcard.verify.views import init_verification

    for blueprint in (auth_bp, second_factor_bp, staff_bp, cards_bp, admin_bp, partners_bp,
                      i18n_bp, verify_bp):
        app.register_blueprint(blueprint)
    init_verification(app)
    register_commands(app)

    @app.get("/")
    def index() -> Response:
        return redirect(url_for("staff.home"))
