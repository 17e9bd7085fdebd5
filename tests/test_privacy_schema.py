"""Privacy rules 1, 2 and 5 as tests: nothing forbidden in any table or form, nothing
personal in plain text anywhere in the database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import inspect
from sqlmodel import SQLModel, select
from wtforms import FileField

import idcard.admin.forms
import idcard.auth.forms
import idcard.issuance.forms
from idcard.models import DocumentCheck, Resident
from idcard.services import services
from tests.helpers import enroll

# Rule 1: never ask. Words that must not name a column or a form field.
FORBIDDEN = re.compile(
    r"immigra|citizen|nationality|country_?of_?birth|birth_?country|visa|alien|a_?number|"
    r"ssn|social_?security|itin|passport_?(no|num)|document_?(no|num)|doc_?(no|num)|"
    r"(id|card|license|licence)_?num|status_?(of|in)_?country|legal_?status|asylum|refugee|"
    r"deport|scan|upload|copy_?of|attachment",
    re.IGNORECASE,
)
FORM_MODULES = (idcard.issuance.forms, idcard.admin.forms, idcard.auth.forms)
# The one upload anywhere: the portrait that is printed on the card.
PHOTO_FIELDS = {("EnrollmentForm", "photo")}


def all_forms() -> list[type[FlaskForm]]:
    forms = []
    for module in FORM_MODULES:
        forms += [obj for obj in vars(module).values()
                  if isinstance(obj, type) and issubclass(obj, FlaskForm) and obj is not FlaskForm]
    return forms


def form_field_names(form: type[FlaskForm]) -> list[str]:
    return [name for name in dir(form) if hasattr(getattr(form, name), "field_class")]


def test_no_table_has_a_forbidden_column() -> None:
    for table in SQLModel.metadata.sorted_tables:
        assert not FORBIDDEN.search(table.name), table.name
        for column in table.columns:
            assert not FORBIDDEN.search(column.name), f"{table.name}.{column.name}"


def test_the_forbidden_pattern_catches_what_it_must() -> None:
    for name in ("immigration_status", "citizenship", "passport_number", "ssn",
                 "alien_number", "document_no", "country_of_birth", "visa_type", "itin"):
        assert FORBIDDEN.search(name), name


def test_no_form_has_a_forbidden_field() -> None:
    forms = all_forms()
    assert len(forms) >= 8
    for form in forms:
        for name in form_field_names(form):
            assert not FORBIDDEN.search(name), f"{form.__name__}.{name}"


def test_the_only_upload_is_the_portrait() -> None:
    for form in all_forms():
        for name in form_field_names(form):
            field = getattr(form, name)
            if issubclass(field.field_class, FileField):
                assert (form.__name__, name) in PHOTO_FIELDS


def test_document_checks_record_type_points_staff_and_time_only() -> None:
    columns = {c.name for c in DocumentCheck.__table__.columns}  # type: ignore[attr-defined]
    assert columns == {"id", "resident_id", "document_type", "identity_points",
                       "residency_points", "for_caretaker", "checked_by", "checked_at"}


def test_resident_table_holds_only_sealed_personal_data() -> None:
    columns = {c.name for c in Resident.__table__.columns}  # type: ignore[attr-defined]
    assert columns == {"id", "details_sealed", "photo_sealed", "name_dob_index", "review",
                       "site_id", "enrolled_by", "enrolled_at"}


def test_data_keys_live_in_their_own_table(app) -> None:
    inspector = inspect(services(app).engine)
    assert "wrapped_key" in {c["name"] for c in inspector.get_columns("data_key")}
    for table in inspector.get_table_names():
        if table != "data_key":
            assert "wrapped_key" not in {c["name"] for c in inspector.get_columns(table)}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_raw_database_file_holds_no_plain_personal_data(
    app, clerk_client, db_session,
) -> None:
    response = enroll(clerk_client, name="Zoë Đorđević", born_on="1984-07-09",
                      address_line1="4417 Quillfeather Lane", postal_code="10099",
                      emergency_name="Anneliese Vantongeren", emergency_phone="555-0199")
    assert response.status_code == 302
    assert db_session.exec(select(Resident)).one()
    services(app).engine.dispose()  # flush WAL into the main file
    path = Path(services(app).settings.database_url.removeprefix("sqlite:///"))
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for secret in ("Zoë Đorđević", "Đorđević", "Dordevic", "1984-07-09", "19840709",
                   "Quillfeather", "Vantongeren", "555-0199"):
        for encoding in ("utf-8", "utf-16-le"):
            assert secret.encode(encoding) not in raw, secret
        assert secret.casefold().encode() not in raw, secret
