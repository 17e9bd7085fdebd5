"""Forms for signing in, first-run setup and password changes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})


class NewPasswordMixin:
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"})


class SetupForm(NewPasswordMixin, FlaskForm):
    username = StringField(_l("Username for the first admin"),
                           validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "username", "autofocus": True})


class PasswordChangeForm(NewPasswordMixin, FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)],
                            render_kw={"autocomplete": "current-password", "autofocus": True})


class CodeForm(FlaskForm):
    code = StringField(_l("Code from the authenticator app, or a recovery code"),
                       validators=[DataRequired(), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "autofocus": True,
                                  "inputmode": "text", "spellcheck": "false"})


class EnrolForm(FlaskForm):
    code = StringField(_l("The 6-digit code the app shows now"),
                       validators=[DataRequired(), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "autofocus": True,
                                  "inputmode": "numeric"})
