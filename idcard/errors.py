"""Errors that carry a message for the person whose input was refused.

Domain modules do not import Flask, so they cannot translate. They raise
`UserError` with an English message marked by `N_`; the view translates it with
`gettext(error.message, **error.params)`. Babel extracts `N_` strings (see
babel.cfg), so the Spanish catalog covers them too.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Mark a message for extraction; it is translated where it is shown."""
    return message


class UserError(Exception):
    """Input we refuse, with a plain-words message and its parameters."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
