"""What every page shares: error pages in plain words, security headers, template globals."""

from __future__ import annotations

import logging

from babel import Locale, UnknownLocaleError
from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from idcard.services import services

log = logging.getLogger(__name__)

# Pages carry no inline script and load nothing from elsewhere; the camera is ours only.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
    "X-Frame-Options": "DENY",  # for browsers that predate CSP's frame-ancestors
}
HSTS = "max-age=63072000; includeSubDomains"


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Something in that request was not right"),
              _("Go back, check the form and try again.")),
        403: (_("Not allowed"), _("Your role does not include this page. Ask a supervisor.")),
        404: (_("Not found"), _("There is nothing at this address.")),
        405: (_("Not allowed"), _("This page cannot be used that way.")),
        410: (_("Gone"), _("This record's personal data was destroyed and cannot be shown.")),
        413: (_("Too large"), _("The upload is too large. Photos may be at most 15 MB.")),
        429: (_("Too many attempts"), _("Please wait a minute before trying again.")),
        500: (_("Something went wrong on our side"),
              _("Nothing was saved. Try again; if it keeps happening, tell your supervisor.")),
    }


def _error_page(status: int) -> tuple[str, int]:
    title, detail = _messages().get(status, _messages()[400])
    return render_template("error.html", title=title, detail=detail, status=status), status


def init_pages(app: Flask) -> None:
    """Register error handlers, headers and template globals on the app."""

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        if error.code is None or error.code < 400:
            return error
        if request.path.startswith("/api/"):
            # Partners' programs read JSON; the words are the same as on the pages.
            title, detail = _messages().get(error.code, _messages()[400])
            return {"error": f"{title}. {detail}"}, error.code
        return _error_page(error.code)

    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> tuple[str, int]:
        title, detail = _("This form expired"), _("Reload the page and send the form again.")
        return render_template("error.html", title=title, detail=detail, status=400), 400

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        # The exception type and the route only: arguments could carry personal data.
        log.error("unhandled %s on %s", type(error).__name__, request.endpoint)
        if services().settings.env == "testing":
            raise error  # tests see the real failure, not a polite page
        return _error_page(500)

    @app.after_request
    def secure_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path.startswith("/staff"):
            # Staff pages and downloads hold personal data: no browser or proxy keeps them.
            response.headers["Cache-Control"] = "no-store"
        else:
            response.headers.setdefault("Cache-Control", "no-store")
        if services().settings.production:
            response.headers["Strict-Transport-Security"] = HSTS
        return response

    @app.template_filter("language_name")
    def language_name(code: str, in_language: str | None = None) -> str:
        """A language's name, in the page's language (or in its own, for the switcher)."""
        try:
            return Locale.parse(code).get_display_name(in_language or str(get_locale())) or code
        except (ValueError, UnknownLocaleError):
            return code

    @app.context_processor
    def globals_for_templates() -> dict[str, object]:
        settings = services().settings
        return {"languages": settings.languages, "city_name": settings.city_name,
                "get_locale": get_locale}
