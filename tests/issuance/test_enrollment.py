"""Enrolling at the counter: documents, minors, photos, duplicates, look-up, review."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlmodel import select

from idcard.audit import Actor
from idcard.auth import accounts
from idcard.issuance.residents import open_resident
from idcard.models import AuditEvent, DataKey, DocumentCheck, Resident, ReviewState, Role
from idcard.services import services
from tests.helpers import (
    PASSWORD,
    count_rows,
    encode_image,
    enroll,
    enroll_totp,
    post_form,
    sample_photo,
    signed_in,
    years_ago,
)


def test_enrollment_stores_sealed_details_documents_and_an_audit_event(
    app, clerk_client, db_session,
) -> None:
    response = enroll(clerk_client, gender="X", emergency_name="Ana Ruiz",
                      emergency_phone="555 0100")
    assert response.status_code == 302
    resident = db_session.exec(select(Resident)).one()
    record = open_resident(db_session, services(app).vault, resident)
    assert record.details.name == "María José Pérez-Rodríguez"
    assert record.details.gender == "X"
    assert record.details.address.printed_lines() == ("100 Main Street", "Apt 4", "10001")
    assert record.details.emergency_contact.phone == "555 0100"
    assert resident.review == ReviewState.APPROVED
    checks = db_session.exec(select(DocumentCheck)).all()
    assert sorted(c.document_type for c in checks) == ["photo_id_with_birth_date", "utility_bill"]
    assert all(c.checked_by == resident.enrolled_by for c in checks)
    events = db_session.exec(select(AuditEvent).where(AuditEvent.action == "resident.enroll")).all()
    assert [(e.record_id, e.site_id) for e in events] == [(resident.id, resident.site_id)]


def test_photo_is_normalized_before_it_is_stored(app, clerk_client, db_session) -> None:
    assert enroll(clerk_client, photo=sample_photo((2000, 1500), "PNG")).status_code == 302
    resident_id = db_session.exec(select(Resident.id)).one()
    photo = clerk_client.get(f"/staff/residents/{resident_id}/photo.jpg")
    assert photo.headers["Cache-Control"] == "no-store"
    image = Image.open(io.BytesIO(photo.data))
    assert (image.format, image.size) == ("JPEG", (600, 800))


def test_crop_chosen_by_the_clerk_is_applied(app, clerk_client, db_session) -> None:
    picture = Image.new("RGB", (1200, 1600), "white")
    picture.paste((255, 0, 0), (0, 0, 600, 800))  # red top-left quarter
    response = enroll(clerk_client, photo=encode_image(picture, "PNG"),
                      crop_x="0", crop_y="0", crop_w="0.5", crop_h="0.5")
    assert response.status_code == 302
    record = open_resident(db_session, services(app).vault,
                           db_session.exec(select(Resident)).one())
    pixel = Image.open(io.BytesIO(record.photo_jpeg)).getpixel((300, 400))
    assert pixel[0] > 200 and pixel[1] < 60


@pytest.mark.parametrize(("overrides", "message"), [
    ({"documents": ["utility_bill"]}, "Identity documents add up to 0"),
    ({"documents": ["birth_certificate", "medical_record", "tax_document"]}, "carry a photo"),
    ({"born_on": years_ago(8)}, "at least 10 years old"),
    ({"born_on": "2999-01-01"}, "in the future"),
    ({"born_on": years_ago(12)}, "need a caretaker"),
    ({"gender": "Q"}, "Not a valid choice"),
    ({"address_kind": "care_of", "care_of": ""}, "Care of (shelter or organization) is required"),
    ({"address_kind": "street", "address_line1": ""}, "Street address is required"),
])
def test_refused_enrollments_say_why_and_store_nothing(
    clerk_client, db_session, overrides, message: str,
) -> None:
    response = enroll(clerk_client, **overrides)
    assert response.status_code == 200
    assert message in response.text
    assert count_rows(db_session, Resident) == 0
    assert count_rows(db_session, DataKey) == 0
    assert count_rows(db_session, DocumentCheck) == 0


@pytest.mark.parametrize("photo", [b"", b"%PDF-1.7 not a photo", sample_photo()[:5000]])
def test_bad_photos_are_refused_and_store_nothing(clerk_client, db_session, photo: bytes) -> None:
    response = enroll(clerk_client, photo=photo)
    assert response.status_code == 200
    assert 'class="flash error"' in response.text
    assert count_rows(db_session, Resident) == 0


def test_a_minor_with_a_caretaker_document_enrolls(clerk_client, db_session) -> None:
    response = enroll(clerk_client, born_on=years_ago(12), caretaker_documents=["custody_order"])
    assert response.status_code == 302
    caretaker = db_session.exec(select(DocumentCheck).where(DocumentCheck.for_caretaker)).one()
    assert caretaker.document_type == "custody_order"


def test_no_address_keeps_no_address(app, clerk_client, db_session) -> None:
    assert enroll(clerk_client, address_kind="none").status_code == 302
    record = open_resident(db_session, services(app).vault,
                           db_session.exec(select(Resident)).one())
    assert record.details.address.printed_lines() == ()
    assert "100 Main Street" not in record.details.to_json().decode()


def test_same_name_and_birth_date_is_flagged_not_blocked(clerk_client, db_session) -> None:
    assert enroll(clerk_client).status_code == 302
    second = enroll(clerk_client, name="  maría josé PÉREZ-RODRÍGUEZ ")
    assert second.status_code == 302
    page = clerk_client.get(second.headers["Location"])
    assert "Possible duplicate" in page.text
    reviews = [r.review for r in db_session.exec(select(Resident).order_by(Resident.enrolled_at))]
    assert reviews == [ReviewState.APPROVED, ReviewState.POSSIBLE_DUPLICATE]
    assert enroll(clerk_client, born_on="1990-04-13").status_code == 302
    assert count_rows(db_session, Resident) == 3


def test_supervisor_approves_or_discards_a_possible_duplicate(
    clerk_client, supervisor_client, db_session,
) -> None:
    enroll(clerk_client)
    enroll(clerk_client)
    enroll(clerk_client)
    page = supervisor_client.get("/staff/review")
    assert page.text.count("Different person: approve") == 2
    flagged = db_session.exec(select(Resident).where(
        Resident.review == ReviewState.POSSIBLE_DUPLICATE).order_by(Resident.enrolled_at)).all()
    flagged_ids = [r.id for r in flagged]
    unknown = post_form(supervisor_client, f"/staff/review/{flagged[0].id}", {"decision": "maybe"},
                        page_url="/staff/review")
    assert unknown.status_code == 400
    for resident, decision in zip(flagged, ("approve", "discard"), strict=True):
        response = post_form(supervisor_client, f"/staff/review/{resident.id}",
                             {"decision": decision}, page_url="/staff/review")
        assert response.status_code == 302
    db_session.expire_all()
    assert count_rows(db_session, Resident) == 2
    assert db_session.get(DataKey, flagged_ids[1]) is None
    actions = {e.action for e in db_session.exec(select(AuditEvent))}
    assert {"resident.approve", "resident.discard", "resident.flag_duplicate"} <= actions


def test_clerks_cannot_review(clerk_client) -> None:
    assert clerk_client.get("/staff/review").status_code == 403


def test_lookup_finds_exact_name_and_birth_date_only(clerk_client) -> None:
    enroll(clerk_client, name="Владимир Ёлкин", born_on="1975-03-02")
    found = post_form(clerk_client, "/staff/lookup", {"name": "владимир  ёлкин",
                                                     "born_on": "1975-03-02"})
    assert "Владимир Ёлкин" in found.text
    missed = post_form(clerk_client, "/staff/lookup", {"name": "Владимир",
                                                      "born_on": "1975-03-02"})
    assert "No resident with that name" in missed.text


def test_a_clerk_without_a_site_cannot_enroll(app, db_session, site) -> None:
    user = accounts.create_user(db_session, Actor(None, None), "siteless", PASSWORD, Role.ADMIN,
                                None)
    enroll_totp(db_session, services(app).vault, user)
    db_session.commit()
    response = enroll(signed_in(app, "siteless"))
    assert "not assigned to an enrollment site" in response.text
    assert count_rows(db_session, Resident) == 0


@pytest.mark.parametrize("name", ["Ana 😀 Ruiz", "𒀭𒂗𒍪"])
def test_names_the_card_cannot_print_are_refused_at_enrollment(
    clerk_client, db_session, name,
) -> None:
    response = enroll(clerk_client, name=name)
    assert response.status_code == 200
    assert 'class="flash error"' in response.text
    assert count_rows(db_session, Resident) == 0
