"""Enrollment sites: centers and pop-ups."""

from __future__ import annotations

from sqlmodel import Session, select

from idcard.audit import Actor, record_event
from idcard.errors import N_, UserError
from idcard.models import Site, SiteKind
from idcard.textfields import clean_text


def save_site(
    session: Session, actor: Actor, site: Site | None, name: str, kind: str, active: bool,
    requires_pickup: bool = False, clerks_need_totp: bool = False,
) -> Site:
    """Create a site (site=None) or update one; names are unique."""
    name = clean_text(name, N_("Site name"), max_length=120)
    if kind not in set(SiteKind):
        raise UserError(N_("Choose enrollment center or pop-up site."))
    clash = session.exec(select(Site).where(Site.name == name)).first()
    if clash is not None and clash is not site:
        raise UserError(N_("A site with that name exists already."))
    created = site is None
    site = site or Site(name=name)
    site.name, site.kind, site.active = name, kind, active
    site.requires_pickup, site.clerks_need_totp = requires_pickup, clerks_need_totp
    session.add(site)
    session.flush()
    record_event(session, actor, "site.create" if created else "site.update", "site",
                 site.public_id)
    return site
