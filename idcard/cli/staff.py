"""Operator commands for the service and its staff: migrate, serve, first admin, accounts, sites."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlmodel import select
from werkzeug.serving import WSGIRequestHandler, run_simple

from idcard.admin.sites import save_site
from idcard.audit import OPERATOR
from idcard.auth import accounts
from idcard.errors import UserError
from idcard.keys import current_signer
from idcard.migrate import upgrade_database
from idcard.models import Role, Site, SiteKind
from idcard.services import services


def _fail(error: UserError) -> None:
    raise click.ClickException(str(error))


@click.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Create or upgrade the database schema, and make the first signing key if none."""
    upgrade_database(services().engine)
    with services().session() as session:
        current_signer(session, services().vault)
        session.commit()
    click.echo("database is up to date")


def announce_setup_link(app: Flask, base_url: str) -> None:
    """When no admin exists yet, print a one-time link to create the first one."""
    with services(app).session() as session:
        if accounts.admin_exists(session):
            return
        token = accounts.create_setup_link(session)
        session.commit()
    click.secho("\nNo admin account exists yet. Open this one-time link to create it:", bold=True)
    click.secho(f"    {base_url.rstrip('/')}/staff/setup/{token}\n", fg="green", bold=True)


@click.command("setup-link")
@with_appcontext
def setup_link_command() -> None:
    """Print a one-time link to create the first admin (only while none exists)."""
    with services().session() as session:
        if accounts.admin_exists(session):
            raise click.ClickException("an admin exists already; use create-user")
    announce_setup_link(current_app, services().settings.public_url)


@click.command("serve")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve_command(host: str, port: int) -> None:
    """Serve the app with Flask's server (development; use gunicorn in production)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    announce_setup_link(app, f"http://{host}:{port}")
    # werkzeug directly: Flask's app.run() refuses to start from inside a CLI command.
    run_simple(host, port, app, use_reloader=False, use_debugger=False, threaded=True,
               request_handler=QuietServerHandler)


class QuietServerHandler(WSGIRequestHandler):
    """Name no server software or version in the Server header."""

    server_version = "idcard"
    sys_version = ""


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.CLERK.value,
              show_default=True)
@click.option("--site", "site_name", help="Name of the site the person works at.")
@click.password_option(help="Prompted for when not given.")
def create_user_command(username: str, role: str, site_name: str | None, password: str) -> None:
    """Create a staff account (also the first admin)."""
    with services().session() as session:
        site_id = None
        if site_name:
            site = session.exec(select(Site).where(Site.name == site_name)).first()
            if site is None:
                raise click.ClickException(f"no site named {site_name!r}")
            site_id = site.id
        try:
            user = accounts.create_user(session, OPERATOR, username, password, Role(role), site_id)
        except UserError as error:
            _fail(error)
        session.commit()
        click.echo(f"created {role} {user.username} (id {user.id})")


@click.command("create-site")
@with_appcontext
@click.argument("name")
@click.option("--kind", type=click.Choice([k.value for k in SiteKind]),
              default=SiteKind.CENTER.value, show_default=True)
def create_site_command(name: str, kind: str) -> None:
    """Create an enrollment site."""
    with services().session() as session:
        try:
            site = save_site(session, OPERATOR, None, name, kind, True)
        except UserError as error:
            _fail(error)
        session.commit()
        click.echo(f"created site {site.name} (id {site.id})")


STAFF_COMMANDS = (migrate_command, serve_command, setup_link_command, create_user_command,
                  create_site_command)
