"""The enrollment page in a real browser: Debian's Chromium driven through Playwright.

A clerk signs in, fills the one-page form with the keyboard, uploads or takes a photo,
crops it and lands on the resident page. Run with -s to see how long each step took.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from idcard.issuance.photos import Crop, normalize_photo
from idcard.models import Resident, Role
from tests.browser_fixtures import ServerTimings
from tests.helpers import PASSWORD, count_rows, sample_photo, years_ago

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ENOUGH_DOCUMENTS = ("photo_id_with_birth_date", "utility_bill")
OK_CLASS = re.compile(r"(^|\s)ok(\s|$)")
RESIDENT_URL = re.compile(r"/staff/residents/[^/]+$")

# --- steps a clerk takes ----------------------------------------------------------------

def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def sign_in(page: Page, username: str) -> None:
    """Open the sign-in page, type the username and password, press Enter."""
    page.goto("/staff/login")
    page.get_by_label("Username").press_sequentially(username)
    page.get_by_label("Password").press_sequentially(PASSWORD)
    with page.expect_navigation():
        page.get_by_label("Password").press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/$"))


def open_enroll(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link", name="Enroll").click()
    expect(page.get_by_role("heading", name="Enroll a resident")).to_be_visible()


def tick(page: Page, *documents: str) -> None:
    for key in documents:
        page.locator(f"input[name=documents][value={key}]").check()


def untick(page: Page, *documents: str) -> None:
    for key in documents:
        page.locator(f"input[name=documents][value={key}]").uncheck()


def fill_applicant(page: Page, name: str, born_on_typed: str) -> None:
    """Type the person's details, address and emergency contact as a clerk would."""
    page.get_by_label("Name as it should appear on the card").press_sequentially(name)
    born_on = page.get_by_label("Date of birth", exact=True)
    born_on.click()
    born_on.press_sequentially(born_on_typed)  # en-US order: mm dd yyyy
    page.get_by_label("Gender on the card").select_option("X")
    page.get_by_label("Preferred language").select_option("vi")
    page.get_by_role("radio", name="Street address").check()
    page.locator("input[name=address_line1]").press_sequentially("100 Main Street")
    page.get_by_label("Apartment or floor").press_sequentially("Apt 4")
    page.get_by_label("Postal code", exact=True).press_sequentially("10001")
    page.get_by_label("Emergency contact name").press_sequentially("Trần Văn Bình")
    page.get_by_label("Emergency contact phone").press_sequentially("+1 212 555 0100")


def crop_values(page: Page) -> dict[str, float]:
    """The crop enroll.js will post (the first crop_* input: the page has two of each)."""
    return {key: float(page.locator(f"input[name=crop_{key}]").input_value())
            for key in "xywh"}


def submit_enrollment(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Enroll", exact=True).click()


def wait_for_photo(page: Page) -> tuple[int, int]:
    """Wait until the resident's portrait has loaded; return its natural size."""
    portrait = page.get_by_role("img", name="Photo of the resident")
    expect(portrait).to_be_visible()
    # decode() settles once the image has loaded, and rejects if it cannot be shown.
    size = portrait.evaluate(
        "img => img.decode().then(() => [img.naturalWidth, img.naturalHeight])")
    return int(size[0]), int(size[1])


def resident_count(db_session: Session) -> int:
    db_session.rollback()  # a fresh transaction sees what the server committed
    return count_rows(db_session, Resident)


def _server_ms(timings: ServerTimings, start: int, method: str | None = None) -> str:
    return _ms(sum(s for m, _path, s in timings[start:] if method in (None, m)))


# --- the tests -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["María José Pérez-Rodríguez", "Nguyễn Thị Ánh Tuyết"])
def test_clerk_enrolls_a_resident_with_an_uploaded_photo(
    page: Page, staff: Any, db_session: Session, tmp_path: Path, server_timings: ServerTimings,
    database_url: str, name: str,
) -> None:
    username = staff(Role.CLERK)
    photo = tmp_path / "portrait.jpg"
    photo.write_bytes(sample_photo())

    started = time.perf_counter()
    page.goto("/staff/login")
    login_page = time.perf_counter() - started
    page.get_by_label("Username").press_sequentially(username)
    page.get_by_label("Password").press_sequentially(PASSWORD)
    mark = len(server_timings)
    started = time.perf_counter()
    with page.expect_navigation():
        page.get_by_label("Password").press("Enter")
    login = time.perf_counter() - started
    login_server = _server_ms(server_timings, mark)
    expect(page).to_have_url(re.compile(r"/staff/$"))

    mark = len(server_timings)
    started = time.perf_counter()
    open_enroll(page)
    form = time.perf_counter() - started
    form_server = _server_ms(server_timings, mark, "GET")

    started = time.perf_counter()
    fill_applicant(page, name, "04121990")
    expect(page.get_by_label("Date of birth", exact=True)).to_have_value("1990-04-12")
    expect(page.locator("#caretaker")).to_be_hidden()
    tick(page, *ENOUGH_DOCUMENTS)

    page.locator("input[type=file][name=photo]").set_input_files(photo)
    expect(page.locator("#crop")).to_be_visible()
    frame = page.locator("#crop-frame")
    expect(frame).to_be_visible()
    assert crop_values(page) == {"x": 0.0, "y": 0.0, "w": 1.0, "h": 1.0}
    zoom = page.locator("#crop-zoom")
    zoom.focus()
    for _ in range(20):  # shrink the frame to 80% with the arrow keys
        zoom.press("ArrowLeft")
    expect(zoom).to_have_value("80")
    before = crop_values(page)
    assert before["w"] == pytest.approx(0.8) and before["h"] == pytest.approx(0.8)
    box = frame.bounding_box()
    assert box is not None
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*centre)
    page.mouse.down()
    page.mouse.move(centre[0] + 15, centre[1] + 20, steps=5)
    page.mouse.up()
    dragged = crop_values(page)
    assert dragged["x"] > before["x"] and dragged["y"] > before["y"]
    assert dragged["w"] == pytest.approx(0.8) and dragged["h"] == pytest.approx(0.8)
    filling = time.perf_counter() - started

    mark = len(server_timings)
    started = time.perf_counter()
    submit_enrollment(page)
    expect(page).to_have_url(RESIDENT_URL)
    submit = time.perf_counter() - started
    submit_server = _server_ms(server_timings, mark, "POST")

    expect(page.get_by_role("status")).to_have_text("Enrolled.")
    expect(page.locator("dd.name")).to_have_text(name, use_inner_text=True)
    assert page.locator("dd.name").inner_text() == name
    started = time.perf_counter()
    assert wait_for_photo(page) == (600, 800)
    photo_load = time.perf_counter() - started

    # The stored photo is exactly the upload cut where the clerk dragged the frame.
    stored = page.request.get(page.url + "/photo.jpg")
    assert stored.ok and stored.headers["content-type"] == "image/jpeg"
    assert stored.body() == normalize_photo(photo.read_bytes(), Crop(**dragged))

    assert resident_count(db_session) == 1
    resident_id = page.url.rsplit("/", 1)[1]
    assert db_session.get(Resident, resident_id) is not None

    engine = database_url.split(":", 1)[0]
    print(f"\nenrollment timings ({engine}, {name}): login page {_ms(login_page)}, "
          f"sign-in {_ms(login)} (server {login_server}), form {_ms(form)} "
          f"(server {form_server}), filling by script {_ms(filling)}, "
          f"submit+redirect {_ms(submit)} (server POST {submit_server}), "
          f"photo {_ms(photo_load)}")


def test_clerk_takes_the_photo_with_the_webcam(
    camera_page: Page, staff: Any, db_session: Session,
) -> None:
    page = camera_page
    sign_in(page, staff(Role.CLERK))
    open_enroll(page)
    fill_applicant(page, "Camera Test", "07011985")
    tick(page, *ENOUGH_DOCUMENTS)

    page.get_by_role("button", name="Use the camera").click()
    expect(page.locator("#camera-video")).to_be_visible()
    expect(page.locator("#camera-error")).to_be_hidden()
    page.wait_for_function("""() => {
        const video = document.getElementById('camera-video');
        return video.readyState >= 2 && video.videoWidth > 0 && !video.paused;
    }""")
    page.get_by_role("button", name="Take photo").click()
    file_input = page.locator("input[type=file][name=photo]")
    page.wait_for_function(
        "() => document.querySelector('input[type=file][name=photo]').files.length === 1")
    assert file_input.evaluate("input => input.files[0].type") == "image/jpeg"
    expect(page.locator("#camera")).to_be_hidden()
    expect(page.locator("#crop")).to_be_visible()
    expect(page.locator("#crop-frame")).to_be_visible()
    assert crop_values(page)["w"] < 1.0  # a landscape frame gets a narrower 3:4 crop

    submit_enrollment(page)
    expect(page).to_have_url(RESIDENT_URL)
    expect(page.locator("dd.name")).to_have_text("Camera Test")
    assert wait_for_photo(page) == (600, 800)
    assert resident_count(db_session) == 1


def test_points_tally_turns_ok_only_once_enough_documents_are_ticked(
    page: Page, staff: Any,
) -> None:
    sign_in(page, staff(Role.CLERK))
    open_enroll(page)
    tally = page.locator("#points-tally")
    expect(tally).to_contain_text("Identity 0 of 3")
    expect(tally).not_to_have_class(OK_CLASS)
    tick(page, "utility_bill")  # residency only
    expect(tally).to_contain_text("Residency 1 of 1")
    expect(tally).not_to_have_class(OK_CLASS)
    tick(page, "school_id")  # identity 1 of 3
    expect(tally).to_contain_text("Identity 1 of 3")
    expect(tally).not_to_have_class(OK_CLASS)
    tick(page, "photo_id_with_birth_date")  # identity 4, residency 1
    expect(tally).to_contain_text("Identity 4 of 3")
    expect(tally).to_have_class(OK_CLASS)
    untick(page, "utility_bill")  # no residency point left
    expect(tally).to_contain_text("Residency 0 of 1")
    expect(tally).not_to_have_class(OK_CLASS)
    untick(page, "school_id", "photo_id_with_birth_date")
    expect(tally).to_contain_text("Total 0 of 4")


def test_enroll_page_has_each_field_once(page: Page, staff: Any) -> None:
    sign_in(page, staff(Role.CLERK))
    open_enroll(page)
    duplicates = page.evaluate("""() => {
        const ids = [...document.querySelectorAll('[id]')].map(el => el.id);
        return ids.filter((id, i) => ids.indexOf(id) !== i);
    }""")
    assert duplicates == []
    for key in "xywh":
        expect(page.locator(f"input[name=crop_{key}]")).to_have_count(1)


def test_caretaker_section_shows_only_for_young_applicants(page: Page, staff: Any) -> None:
    sign_in(page, staff(Role.CLERK))
    open_enroll(page)
    caretaker = page.locator("#caretaker")
    born_on = page.get_by_label("Date of birth", exact=True)
    expect(caretaker).to_be_hidden()
    born_on.fill(years_ago(12))
    expect(caretaker).to_be_visible()
    expect(caretaker.locator("input[name=caretaker_documents]")).to_have_count(3)
    born_on.fill(years_ago(30))
    expect(caretaker).to_be_hidden()


def test_too_few_documents_shows_an_error_and_stores_nothing(
    page: Page, staff: Any, db_session: Session, tmp_path: Path,
) -> None:
    sign_in(page, staff(Role.CLERK))
    open_enroll(page)
    page.get_by_label("Name as it should appear on the card").press_sequentially("Ana Lima")
    page.get_by_label("Date of birth", exact=True).fill(years_ago(30))
    page.locator("input[name=address_line1]").press_sequentially("1 Elm Street")
    page.get_by_label("Postal code", exact=True).press_sequentially("10002")
    tick(page, "utility_bill")  # residency 1, identity 0
    photo = tmp_path / "portrait.jpg"
    photo.write_bytes(sample_photo())
    page.locator("input[type=file][name=photo]").set_input_files(photo)
    expect(page.locator("#crop")).to_be_visible()
    submit_enrollment(page)

    expect(page).to_have_url(re.compile(r"/staff/enroll$"))
    alert = page.get_by_role("alert")
    expect(alert).to_have_count(1)
    expect(alert).to_have_text(
        "Identity documents add up to 0 points; at least 3 are needed.")
    # What the clerk typed and ticked is still there to correct.
    expect(page.get_by_label("Name as it should appear on the card")).to_have_value("Ana Lima")
    expect(page.locator("input[name=documents][value=utility_bill]")).to_be_checked()
    assert resident_count(db_session) == 0
