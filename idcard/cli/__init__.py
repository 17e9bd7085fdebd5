"""The `idcard` command for operators (a Flask click group built by create_app)."""

from __future__ import annotations

import sys

from flask import Flask
from flask.cli import FlaskGroup


def register_commands(app: Flask) -> None:
    """Add every operator command to the app's CLI."""
    from idcard.cli.audit import AUDIT_COMMANDS
    from idcard.cli.cards import CARD_COMMANDS
    from idcard.cli.staff import STAFF_COMMANDS

    for command in (*STAFF_COMMANDS, *CARD_COMMANDS, *AUDIT_COMMANDS):
        app.cli.add_command(command)


def main() -> None:
    """Entry point of the `idcard` console script."""
    from idcard import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), add_default_commands=False,
                     load_dotenv=False, help="Operate an idcard service.")
    sys.exit(cli.main())
