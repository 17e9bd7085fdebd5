"""Forms every staff page may use."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A form of buttons only (review decisions, card actions): its CSRF token is all."""
