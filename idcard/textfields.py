"""Validation of free text typed by staff: names, addresses, contacts.

Text is stored exactly as typed (after trimming the ends), so that a name reads
back identically in any script. What is refused: control and invisible formatting
characters (NUL, bidi overrides, zero-width spaces) that let one string pose as
another, unassigned or private-use code points, and over-long values.
"""

from __future__ import annotations

import unicodedata

from idcard.errors import N_, UserError

# Zero-width (non-)joiners are part of correct spelling in Persian and Indic names.
JOINERS = {"\u200c", "\u200d"}
REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


class TextRefused(UserError):
    """A text field holds something we will not store."""


def clean_text(value: str | None, field: str, *, max_length: int, required: bool = True) -> str:
    """Return the trimmed text, or raise TextRefused naming the field in plain words."""
    text = (value or "").strip()
    if not text:
        if required:
            raise TextRefused(N_("%(field)s is required."), field=field)
        return ""
    if len(text) > max_length:
        raise TextRefused(
            N_("%(field)s is too long: at most %(limit)s characters."),
            field=field, limit=max_length)
    for char in text:
        if char not in JOINERS and unicodedata.category(char) in REFUSED_CATEGORIES:
            raise TextRefused(
                N_("%(field)s contains an invisible or control character (%(code)s). "
                   "Please type it again."),
                field=field, code=f"U+{ord(char):04X}")
    if not any(char.isalnum() for char in text):
        raise TextRefused(N_("%(field)s must contain letters or digits."), field=field)
    return text
