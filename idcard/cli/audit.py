"""Operator commands for the audit log: check its hash chain, export its head."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from idcard.audit_chain import Head, head, verify_chain
from idcard.services import services


def _parse_head(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Head | None:
    if value is None:
        return None
    seq, _, chain_hash = value.partition(":")
    if not seq.isdigit() or len(chain_hash) != 64:
        raise click.BadParameter("give it as SEQ:HASH, as `idcard audit head` prints it")
    return Head(int(seq), chain_hash.lower())


@click.group("audit")
def audit_group() -> None:
    """The audit log: verify its hash chain, print its head for safekeeping."""


@audit_group.command("head")
@with_appcontext
def head_command() -> None:
    """Print the chain's newest link (SEQ:HASH): keep it apart from the database."""
    with services().session() as session:
        click.echo(str(head(session)))


@audit_group.command("verify")
@click.option("--expect", callback=_parse_head, metavar="SEQ:HASH",
              help="A head exported earlier: the chain must still lead through it.")
@with_appcontext
def verify_command(expect: Head | None) -> None:
    """Check every link of the chain; report the first broken one (exit status 1)."""
    with services().session() as session:
        report = verify_chain(session, expect)
    if report.broken:
        click.echo(f"audit chain broken after {report.checked} good events: {report.broken}")
        raise SystemExit(1)
    click.echo(f"audit chain intact: {report.checked} events, head {report.head}")


AUDIT_COMMANDS = (audit_group,)
