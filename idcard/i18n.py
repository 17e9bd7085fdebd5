"""Language choice for every page, and translation of domain error messages."""

from __future__ import annotations

from flask import Blueprint, redirect, request, session, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from idcard.edge import safe_next
from idcard.errors import UserError
from idcard.services import services

bp = Blueprint("i18n", __name__)


def select_locale() -> str | None:
    """The language the person chose, else the best match for their browser."""
    languages = services().settings.languages
    chosen = session.get("language")
    if chosen in languages:
        return str(chosen)
    return request.accept_languages.best_match(languages) or languages[0]


def translate_error(error: UserError) -> str:
    """Translate a domain error's message and any field names among its parameters."""
    params = {k: gettext(v) if isinstance(v, str) else v for k, v in error.params.items()}
    return gettext(error.message, **params)


@bp.post("/language")
def choose_language() -> Response:
    """Remember the chosen language for this browser and go back where we were."""
    language = request.form.get("language", "")
    if language in services().settings.languages:
        session["language"] = language
    return redirect(safe_next(request.form.get("next")) or url_for("staff.home"))
