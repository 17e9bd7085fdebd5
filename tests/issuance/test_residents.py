"""Every name in every script enrolls and reads back; hostile input never hurts."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlmodel import select

from idcard.issuance.residents import open_resident
from idcard.models import Resident
from idcard.services import services
from tests.helpers import count_rows, enroll, read_data

NAMES = read_data("names.json")
HOSTILE = [item["value"] for item in read_data("hostile.json")]
TEXT_FIELDS = ("name", "address_line1", "address_line2", "postal_code", "care_of",
               "emergency_name", "emergency_phone")


def test_every_name_enrolls_and_reads_back_identically(
    app, clerk_client, db_session,
) -> None:
    for entry in NAMES:
        response = enroll(clerk_client, name=entry["name"])
        assert response.status_code == 302, (entry, response.text[:500])
        page = clerk_client.get(response.headers["Location"])
        assert str(escape(entry["name"])) in page.text, entry
    vault = services(app).vault
    stored = {open_resident(db_session, vault, r).details.name
              for r in db_session.exec(select(Resident))}
    assert stored == {entry["name"] for entry in NAMES}


def _flash_errors(page: str) -> list[str]:
    return re.findall(r'<p class="flash error" role="alert">(.*?)</p>', page, re.S)


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_hostile_values_are_refused_or_stored_inert(
    app, clerk_client, db_session, field: str,
) -> None:
    overrides = {"address_kind": "care_of", "care_of": "Safe Harbor Shelter",
                 "emergency_name": "Ana Ruiz", "emergency_phone": "555 0100"}
    vault = services(app).vault
    for value in HOSTILE:
        before = count_rows(db_session, Resident)
        response = enroll(clerk_client, **{**overrides, field: value})
        assert response.status_code in (200, 302), (field, value)
        if response.status_code == 200:
            assert _flash_errors(response.text), (field, value)
            assert count_rows(db_session, Resident) == before, (field, value)
            continue
        page = clerk_client.get(response.headers["Location"])
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        resident_id = response.headers["Location"].rsplit("/", 1)[1]
        record = open_resident(db_session, vault, db_session.get(Resident, resident_id))
        contact = record.details.emergency_contact
        stored = [*vars(record.details).values(), *vars(record.details.address).values(),
                  *(vars(contact).values() if contact else ())]
        assert value.strip() in [str(v) for v in stored] + [""], (field, value)


@pytest.mark.parametrize("value", ["Ann\u0000a", "\u202eevil\u202c", "A\u200bnna", "   ", ""])
def test_invisible_and_empty_names_are_refused_with_a_clear_message(
    clerk_client, db_session, value: str,
) -> None:
    response = enroll(clerk_client, name=value)
    assert response.status_code == 200
    errors = _flash_errors(response.text)
    assert errors and "Name" in errors[0]
    assert count_rows(db_session, Resident) == 0


def test_names_with_joiners_are_kept(clerk_client, db_session, app) -> None:
    name = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # Persian with a ZWNJ
    assert enroll(clerk_client, name=name).status_code == 302
    record = open_resident(db_session, services(app).vault,
                           db_session.exec(select(Resident)).one())
    assert record.details.name == name
