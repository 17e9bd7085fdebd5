"""The enrollment form and the staff look-up form.

Fields about status, nationality or a document's number are forbidden here
(architecture.md, rule 1); tests/test_privacy_schema.py walks every form.
"""

from __future__ import annotations

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField  # for the portrait only: documents are never uploaded
from wtforms import (
    DateField,
    FloatField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from idcard.issuance.documents import DocumentRules
from idcard.issuance.residents import PREFERRED_LANGUAGES


class CheckboxListField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _fraction() -> FloatField:
    return FloatField(widget=widgets.HiddenInput(), validators=[Optional(), NumberRange(0, 1)])


class EnrollmentForm(FlaskForm):
    name = StringField(_l("Name as it should appear on the card"),
                       validators=[Length(max=200)], render_kw={"autofocus": True,
                                                                "autocomplete": "off"})
    born_on = DateField(_l("Date of birth"), validators=[InputRequired()],
                        render_kw={"autocomplete": "off"})
    gender = SelectField(_l("Gender on the card"), choices=[
        SelectChoice("", _l("Not shown")), SelectChoice("F"), SelectChoice("M"),
        SelectChoice("X")], default="")
    language = SelectField(_l("Preferred language"), default="en")
    address_kind = RadioField(_l("Address"), default="street", choices=[
        SelectChoice("street", _l("Street address")),
        SelectChoice("care_of", _l("Care of a shelter or organization")),
        SelectChoice("none", _l("No address (card picked up in person)"))])
    care_of = StringField(_l("Care of (shelter or organization)"), validators=[Length(max=120)])
    address_line1 = StringField(_l("Street address"), validators=[Length(max=120)])
    address_line2 = StringField(_l("Apartment or floor"), validators=[Length(max=120)])
    postal_code = StringField(_l("Postal code"), validators=[Length(max=16)])
    emergency_name = StringField(_l("Emergency contact name"), validators=[Length(max=120)])
    emergency_phone = StringField(_l("Emergency contact phone"), validators=[Length(max=32)])
    documents = CheckboxListField(_l("Original documents seen and handed back"))
    caretaker_documents = CheckboxListField(_l("Caretaker's relationship document"))
    photo = FileField(_l("Photo"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
    crop_x = _fraction()
    crop_y = _fraction()
    crop_w = _fraction()
    crop_h = _fraction()

    def set_choices(self, rules: DocumentRules) -> None:
        """Fill the choices that depend on the rules file and the clerk's language."""
        language = str(get_locale() or "en")
        self.documents.choices = [
            SelectChoice(d.key, d.label(language)) for d in rules.documents.values()]
        self.caretaker_documents.choices = [
            SelectChoice(d.key, d.label(language)) for d in rules.relationship_documents.values()]
        display = Locale.parse(language)
        self.language.choices = [
            SelectChoice(code, Locale.parse(code).get_display_name(display) or code)
            for code in PREFERRED_LANGUAGES]


class LookupForm(FlaskForm):
    """Posted, never a GET query: a query string would put the name in access logs."""

    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=200)])
    born_on = DateField(_l("Date of birth"), validators=[InputRequired()])


class CardLookupForm(FlaskForm):
    number = StringField(_l("Card number"), validators=[InputRequired(), Length(max=32)],
                         render_kw={"inputmode": "numeric", "autocomplete": "off"})

