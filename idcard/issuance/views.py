"""Clerk pages: home, enrollment, resident summary, look-up, duplicate review."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlmodel import Session, col, func, select
from werkzeug.wrappers import Response

from idcard import db
from idcard.audit import record_event
from idcard.auth.guard import current_actor, requires_role
from idcard.forms import ActionForm
from idcard.issuance.access import current_scope, grant_serving, resident_in_reach
from idcard.issuance.card_numbers import format_card_number
from idcard.issuance.cards import (
    LIVE_STATES,
    REPLACE_REASONS,
    REVOKE_REASONS,
    card_number,
    find_card_by_number,
)
from idcard.issuance.enrollment import Application, enroll_resident
from idcard.issuance.forms import CardLookupForm, EnrollmentForm, LookupForm
from idcard.issuance.photos import Crop
from idcard.issuance.residents import (
    Address,
    EmergencyContact,
    ResidentDetails,
    ResidentRecord,
    find_by_name_and_birth,
    open_record,
    open_resident,
)
from idcard.issuance.review import approve_resident, discard_resident
from idcard.issuance.scope import Reach, Scope, reach
from idcard.models import Card, CardState, Resident, ReviewState, Role, Site
from idcard.services import services
from idcard.transaction import transaction
from idcard.vault import ResidentKey, ShreddedError, Vault

bp = Blueprint("staff", __name__, url_prefix="/staff")


def vault() -> Vault:
    return services().vault


@bp.get("/")
@requires_role(Role.CLERK)
def home() -> str:
    """The clerk's start page: enroll, look up, and what waits for review."""
    session = db.session()
    actor = current_actor()
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    enrolled_today = session.exec(select(func.count()).select_from(Resident).where(
        Resident.site_id == actor.site_id, Resident.enrolled_at >= today)).one()
    to_review = session.exec(_in_site(select(func.count()).select_from(Resident).where(
        Resident.review == ReviewState.POSSIBLE_DUPLICATE), current_scope())).one()
    site = session.get(Site, actor.site_id) if actor.site_id else None
    queued = session.exec(select(func.count()).select_from(Card).where(
        Card.site_id == actor.site_id, Card.state == CardState.AWAITING_PRINT)).one()
    return render_template("issuance/home.html", site=site, enrolled_today=enrolled_today,
                           to_review=to_review, queued=queued, lookup=LookupForm(formdata=None),
                           card_lookup=CardLookupForm(formdata=None))


@bp.route("/enroll", methods=["GET", "POST"])
@requires_role(Role.CLERK)
def enroll() -> Response | str:
    """Enroll one applicant on a single page."""
    rules = services().rules
    form = EnrollmentForm()
    form.set_choices(rules)
    if form.validate_on_submit():
        with transaction() as tx:
            result = enroll_resident(tx.session, vault(), rules, _application(form),
                                     current_actor(), today=datetime.now(UTC).date())
        if tx.committed:
            if result.possible_duplicate:
                flash(_("Enrolled. A resident with the same name and date of birth exists: "
                        "a supervisor will review this enrollment."), "warning")
            else:
                flash(_("Enrolled."), "info")
            return redirect(url_for("staff.show_resident", resident_id=result.resident_id))
    elif request.method == "POST":
        flash(_("Please correct the fields marked below."), "error")
    return render_template("issuance/enroll.html", form=form, rules=rules)


def _application(form: EnrollmentForm) -> Application:
    """Turn a validated form into the plain values the enrollment service takes."""
    data = form.data
    crop_values = [data[f"crop_{k}"] for k in "xywh"]
    upload = request.files.get(form.photo.name)
    return Application(
        details=ResidentDetails(
            name=data["name"] or "", born_on=data["born_on"], gender=data["gender"] or None,
            language=data["language"],
            address=Address(kind=data["address_kind"], care_of=data["care_of"] or "",
                            line1=data["address_line1"] or "", line2=data["address_line2"] or "",
                            postal_code=data["postal_code"] or ""),
            emergency_contact=EmergencyContact(data["emergency_name"] or "",
                                               data["emergency_phone"] or ""),
        ),
        documents=data["documents"] or [],
        caretaker_documents=data["caretaker_documents"] or [],
        photo=upload.read() if upload else b"",
        crop=Crop(*crop_values) if None not in crop_values else None,
    )


def _in_site(query: Any, scope: Scope) -> Any:
    """Limit a query over residents to the staff member's site (admins: every site)."""
    return query if scope.everywhere else query.where(Resident.site_id == scope.site_id)


def _opened(resident: Resident) -> tuple[ResidentKey, ResidentRecord]:
    """The resident's unwrapped key and record; 410 Gone once the key was destroyed."""
    try:
        key = vault().resident_key(db.session(), resident.id)
    except ShreddedError:
        abort(410)
    return key, open_record(key, resident)


@bp.get("/residents/<opaque:resident_id>")
@requires_role(Role.CLERK)
def show_resident(resident_id: str) -> str:
    """A resident's details and photo, opened with their data key.

    Staff serving a resident of another site see only what serving needs.
    """
    resident, level = resident_in_reach(resident_id)
    key, record = _opened(resident)
    with transaction() as tx:
        record_event(tx.session, current_actor(), "resident.view", "resident", resident_id)
    session = db.session()
    cards = session.exec(select(Card).where(Card.resident_id == resident_id)
                         .order_by(col(Card.issued_at).desc())).all()
    numbers = {card.id: format_card_number(card_number(key, card)) for card in cards}
    return render_template(
        "issuance/resident.html", record=record, cards=cards, numbers=numbers,
        live_states=LIVE_STATES, replace_reasons=REPLACE_REASONS, revoke_reasons=REVOKE_REASONS,
        site=session.get(Site, record.site_id), form=ActionForm(),
        full=level is Reach.FULL, here=current_actor().site_id)


@bp.get("/residents/<opaque:resident_id>/photo.jpg")
@requires_role(Role.CLERK)
def resident_photo(resident_id: str) -> Response:
    """The resident's photo; never cached by the browser or a proxy."""
    _key, record = _opened(resident_in_reach(resident_id)[0])
    response = Response(record.photo_jpeg, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/lookup", methods=["GET", "POST"])
@requires_role(Role.CLERK)
def lookup() -> str:
    """Find residents by exact name and date of birth (through the blind index)."""
    form = LookupForm()
    matches = []
    if form.validate_on_submit():
        with transaction() as tx:
            found = find_by_name_and_birth(tx.session, vault(), form.name.data or "",
                                           form.born_on.data)
            for resident in found:
                _record_found(tx.session, resident)
            matches = [open_resident(tx.session, vault(), r) for r in found]
            if not found:
                record_event(tx.session, current_actor(), "resident.lookup")
    return render_template("issuance/lookup.html", form=form, matches=matches,
                           searched=form.is_submitted(), card_form=CardLookupForm(formdata=None),
                           here=current_actor().site_id)


def _record_found(session: Session, resident: Resident) -> None:
    """Audit an exact look-up's find; one of another site may be served from now on."""
    if reach(session, current_scope(), resident) is Reach.NONE:
        grant_serving(resident.id)
        record_event(session, current_actor(), "resident.lookup_other_site", "resident",
                     resident.id)
    else:
        record_event(session, current_actor(), "resident.lookup", "resident", resident.id)


@bp.post("/lookup/card")
@requires_role(Role.CLERK)
def lookup_card() -> Response | str:
    """Open the resident holding the card with this number (through the blind index)."""
    card_form = CardLookupForm()
    if card_form.validate_on_submit():
        with transaction() as tx:
            card = find_card_by_number(tx.session, vault(), card_form.number.data or "")
            resident = tx.session.get(Resident, card.resident_id) if card else None
            if resident is None:
                record_event(tx.session, current_actor(), "card.lookup")
            else:
                _record_found(tx.session, resident)
        if tx.committed:
            if card is not None:
                return redirect(url_for("staff.show_resident", resident_id=card.resident_id))
            flash(_("No card has that number."), "error")
    return render_template("issuance/lookup.html", form=LookupForm(formdata=None), matches=[],
                           searched=False, card_form=card_form)


@bp.get("/review")
@requires_role(Role.SUPERVISOR)
def list_reviews() -> str:
    """Enrollments flagged as possible duplicates, oldest first."""
    session = db.session()
    flagged = session.exec(_in_site(select(Resident).where(
        Resident.review == ReviewState.POSSIBLE_DUPLICATE,
    ), current_scope()).order_by(col(Resident.enrolled_at))).all()
    pairs = []
    with transaction() as tx:
        for resident in flagged:
            record = open_resident(tx.session, vault(), resident)
            pairs.append((record, _earlier_enrollments(tx.session, record)))
    return render_template("issuance/review.html", pairs=pairs, form=ActionForm())


def _earlier_enrollments(session: Session, record: ResidentRecord) -> list[
        tuple[ResidentRecord, bool]]:
    """Enrollments with the same name and birth date, each with whether it is shown in
    full; one from another site shows only what telling two people apart needs."""
    earlier = []
    for match in find_by_name_and_birth(session, vault(), record.details.name,
                                        record.details.born_on):
        if match.id != record.id:
            full = reach(session, current_scope(), match) is Reach.FULL
            if not full:
                _record_found(session, match)  # its photo may be opened for comparison
            earlier.append((open_resident(session, vault(), match), full))
    return earlier


@bp.post("/review/<opaque:resident_id>")
@requires_role(Role.SUPERVISOR)
def decide_review(resident_id: str) -> Response:
    """Approve a flagged enrollment as a different person, or discard it as a duplicate."""
    decision = request.form.get("decision")
    if not ActionForm().validate_on_submit() or decision not in ("approve", "discard"):
        abort(400)
    resident, _reach = resident_in_reach(resident_id, Reach.FULL)
    if decision == "approve":
        with transaction(_("Approved: this is a different person.")) as tx:
            approve_resident(tx.session, current_actor(), resident)
    else:
        with transaction(_("Discarded as a duplicate. Its personal data is destroyed.")) as tx:
            discard_resident(tx.session, vault(), current_actor(), resident)
    return redirect(url_for("staff.list_reviews"))
