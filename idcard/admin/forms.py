"""Forms for managing sites and staff accounts."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from idcard.edge import bounded_int
from idcard.models import Role, SiteKind

ROLE_CHOICES = [SelectChoice(Role.CLERK.value, _l("Clerk")),
                SelectChoice(Role.SUPERVISOR.value, _l("Supervisor")),
                SelectChoice(Role.ADMIN.value, _l("Admin"))]


class SiteForm(FlaskForm):
    name = StringField(_l("Site name"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=[
        SelectChoice(SiteKind.CENTER.value, _l("Enrollment center")),
        SelectChoice(SiteKind.POPUP.value, _l("Pop-up site"))])
    active = BooleanField(_l("Open for enrollment"), default=True)
    requires_pickup = BooleanField(
        _l("Cards become valid only when handed over in person (not when printed)"))
    clerks_need_totp = BooleanField(
        _l("Clerks sign in with a second factor too (supervisors and admins always do)"))


class StaffForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    site_id = SelectField(_l("Site"), coerce=lambda v: bounded_int(str(v)) if v else None,
                          validate_choice=False)
    active = BooleanField(_l("May sign in"), default=True)


class NewStaffForm(StaffForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "new-password"})


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[Optional(), Length(max=256)],
                             render_kw={"autocomplete": "new-password"})


class PartnerForm(FlaskForm):
    name = StringField(_l("Organization name"), validators=[DataRequired(), Length(max=120)])
