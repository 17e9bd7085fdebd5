"""Admins manage enrollment sites, including in-person pickup."""

from __future__ import annotations

from sqlmodel import select

from idcard.models import AuditEvent, Site
from tests.helpers import post_form


def test_admin_creates_and_edits_a_pickup_site(admin_client, db_session) -> None:
    response = post_form(admin_client, "/staff/admin/sites", {
        "name": "Pop-up at Hope Shelter", "kind": "popup", "active": "y",
        "requires_pickup": "y"})
    assert response.status_code == 302
    site = db_session.exec(select(Site).where(Site.name == "Pop-up at Hope Shelter")).one()
    assert (site.kind, site.active, site.requires_pickup) == ("popup", True, True)
    page = f"/staff/admin/sites/{site.public_id}"
    post_form(admin_client, page, {"name": "Hope Shelter pop-up", "kind": "popup"})
    db_session.expire_all()
    site = db_session.get(Site, site.id)
    assert (site.name, site.active, site.requires_pickup) == ("Hope Shelter pop-up", False, False)
    actions = [e.action for e in db_session.exec(select(AuditEvent))]
    assert "site.create" in actions and "site.update" in actions


def test_site_names_are_unique_and_clean(admin_client, db_session, site) -> None:
    duplicate = post_form(admin_client, "/staff/admin/sites", {"name": site.name,
                                                              "kind": "center"})
    assert "exists already" in duplicate.text
    hostile = post_form(admin_client, "/staff/admin/sites", {"name": "Lib\u202erary",
                                                            "kind": "center"})
    assert "invisible or control character" in hostile.text
    assert len(db_session.exec(select(Site)).all()) == 1
