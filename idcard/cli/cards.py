"""Operator commands for cards: signing keys, batch printing, demo data, checking a token."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlmodel import col, select

from idcard.audit import OPERATOR
from idcard.errors import UserError
from idcard.files import open_private
from idcard.issuance.cards import print_queue
from idcard.issuance.printing import print_cards
from idcard.keys import revoke_key, rotate_keys
from idcard.models import SigningKeyRecord, Site
from idcard.services import services
from idcard_verifier import Answer, InvalidKeySet, InvalidStatusList, OnlineVerifier, Verifier


@click.group("keys")
def keys_group() -> None:
    """Signing keys: list, rotate, revoke."""


@keys_group.command("list")
@with_appcontext
def list_keys() -> None:
    """Show every signing key and whether it signs, verifies, or is revoked."""
    with services().session() as session:
        query = select(SigningKeyRecord).order_by(col(SigningKeyRecord.created_at))
        for key in session.exec(query):
            state = ("revoked" if key.revoked_at else "retired (verifies)" if key.retired_at
                     else "signing")
            click.echo(f"{key.kid}  {key.created_at:%Y-%m-%d}  {state}")


@keys_group.command("rotate")
@with_appcontext
def rotate_command() -> None:
    """Start signing with a new key; older keys keep verifying their cards."""
    with services().session() as session:
        record = rotate_keys(session, services().vault, OPERATOR)
        session.commit()
    click.echo(f"new signing key {record.kid}")


@keys_group.command("revoke")
@click.argument("kid")
@click.confirmation_option(prompt="Every card signed by this key stops verifying. Go on?")
@with_appcontext
def revoke_command(kid: str) -> None:
    """Withdraw a compromised key (cards it signed must be replaced)."""
    with services().session() as session:
        try:
            revoke_key(session, kid, OPERATOR)
        except UserError as error:
            raise click.ClickException(str(error)) from None
        session.commit()
    click.echo(f"revoked {kid}")


@click.command("print-queue")
@click.option("--site", "site_name", required=True, help="The site whose queue to print.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--layout", type=click.Choice(["card", "letter", "a4"]), default="card",
              show_default=True)
@with_appcontext
def print_queue_command(site_name: str, out_path: Path, layout: str) -> None:
    """Print a site's whole queue into one PDF; cards count as printed once it is complete."""
    with services().session() as session:
        site = session.exec(select(Site).where(Site.name == site_name)).first()
        if site is None:
            raise click.ClickException(f"no site named {site_name!r}")
        queue = print_queue(session, site.id)  # type: ignore[arg-type]
        if not queue:
            click.echo("the print queue is empty")
            return
        partial = out_path.with_name(out_path.name + ".part")
        with click.progressbar(length=len(queue), label="printing cards") as bar, \
                open_private(partial) as out:
            done = 0

            def advance(count: int) -> None:
                nonlocal done
                bar.update(count - done)
                done = count

            print_cards(session, services().vault, services().settings, queue,
                        out, OPERATOR, layout=layout, progress=advance)  # type: ignore[arg-type]
        os.replace(partial, out_path)
        session.commit()
    click.echo(f"{len(queue)} cards written to {out_path}")


@click.command("demo")
@click.option("--residents", "count", default=10, show_default=True, type=click.IntRange(1, 10000))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--seed", type=int, help="Make the same demo residents every time.")
@with_appcontext
def demo_command(count: int, out_dir: Path, seed: int | None) -> None:
    """Enroll demo residents and write their printed cards as PDFs (not in production)."""
    from idcard.demo import make_demo

    app = services()
    if app.settings.production:
        raise click.ClickException("demo data is refused in production mode")
    with app.session() as session, click.progressbar(length=count, label="demo cards") as bar:
        result = make_demo(session, app.vault, app.rules, app.settings, count, out_dir,
                           today=datetime.now(UTC).date(), seed=seed,
                           progress=lambda _n: bar.update(1))
    click.echo(f"{result.residents} demo cards written to {out_dir}")


@click.command("verify-token")
@click.argument("token")
@click.option("--offline", is_flag=True,
              help="Use only the key set and status list files given, no network.")
@click.option("--key-set", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A saved /.well-known/jwks.json or /.well-known/cose-key-set.")
@click.option("--status-list", "status_lists", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A saved /api/v1/status-lists/<id> response (repeatable).")
@click.option("--base-url", help="Where to fetch keys and lists when online "
              "(default: IDCARD_PUBLIC_URL).")
@with_appcontext
def verify_token_command(token: str, offline: bool, key_set: Path | None,
                         status_lists: tuple[Path, ...], base_url: str | None) -> None:
    """Check a token as a partner system would, with the idcard_verifier package."""
    if offline:
        verifier = _offline_verifier(key_set, status_lists)
    else:
        verifier = OnlineVerifier(base_url or services().settings.public_url)
    answer = verifier.check(token)
    click.echo(_ANSWERS[answer][0])
    raise SystemExit(_ANSWERS[answer][1])


_ANSWERS = {
    Answer.VALID: ("valid resident", 0),
    Answer.NOT_VALID: ("not valid", 1),
    Answer.UNKNOWN: ("cannot tell: no key set, or no fresh status list for this card", 2),
}


def _offline_verifier(key_set: Path | None, status_lists: tuple[Path, ...]) -> Verifier:
    """A verifier holding the saved key set and status lists, each checked."""
    if key_set is None:
        raise click.ClickException("--offline needs --key-set (and --status-list)")
    try:
        verifier = Verifier.from_key_set(key_set.read_bytes())
        for path in status_lists:
            verifier.add_status_list(path.read_bytes())
    except (InvalidKeySet, InvalidStatusList) as error:
        raise click.ClickException(f"refused: {error}") from None
    return verifier


CARD_COMMANDS = (keys_group, print_queue_command, demo_command, verify_token_command)
