"""Card numbers: 12 random digits, the last a Verhoeff check digit, printed in fours.

A number is drawn at random, never from a sequence, so it encodes no date, site or
order of issue. Draws that look patterned (a leading zero, a digit repeated four
times, a run like 1234 or 9876) are redrawn, because people misread and misremember
them and they look forged. Uniqueness is the database's job: the caller stores the
number under a unique index and draws again on a collision.

Verhoeff's check digit catches every single-digit error and every transposition of
adjacent digits, which Luhn does not (it misses 09 <-> 90).
"""

from __future__ import annotations

import re
import secrets
from itertools import pairwise

from idcard.cardprint.face import group_in_fours
from idcard.errors import N_, UserError

CARD_NUMBER_DIGITS = 12
MAX_RUN = 3  # four equal or consecutive digits in a row is a pattern

# Verhoeff's tables: multiplication in the dihedral group D5, the position
# permutation, and the inverse.
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)

# ASCII digits only: str.isdigit() would also admit Arabic-Indic or full-width ones.
_TYPED_NUMBER = re.compile(r"([0-9]{4})[ -]?([0-9]{4})[ -]?([0-9]{4})")


class InvalidCardNumber(UserError):
    """Text that is not a well-formed card number with a correct check digit."""


def _verhoeff_state(digits: str, offset: int) -> int:
    """Run Verhoeff's checksum over `digits`, right to left, starting at position `offset`."""
    state = 0
    for position, digit in enumerate(reversed(digits), start=offset):
        state = _D[state][_P[position % 8][int(digit)]]
    return state


def verhoeff_check_digit(digits: str) -> str:
    """Return the Verhoeff check digit to append to `digits`."""
    return str(_INV[_verhoeff_state(digits, 1)])


def verhoeff_ok(digits: str) -> bool:
    """Tell whether `digits` ends with a correct Verhoeff check digit."""
    return _verhoeff_state(digits, 0) == 0


def _longest_run(digits: str, step: int) -> int:
    """Return the longest run where each digit is the previous plus `step`."""
    longest = run = 1
    for previous, current in pairwise(digits):
        run = run + 1 if int(current) - int(previous) == step else 1
        longest = max(longest, run)
    return longest


def looks_patterned(number: str) -> bool:
    """Tell whether a number has a leading zero or a run of 4 equal or consecutive digits."""
    runs = (_longest_run(number, step) for step in (0, 1, -1))
    return number.startswith("0") or max(runs) > MAX_RUN


def new_card_number() -> str:
    """Draw a random card number that is not patterned (12 digits, no spaces)."""
    while True:
        body = f"{secrets.randbelow(10 ** (CARD_NUMBER_DIGITS - 1)):011d}"
        number = body + verhoeff_check_digit(body)
        if not looks_patterned(number):
            return number


def normalize_card_number(text: str) -> str:
    """Return the 12 digits of a typed card number, or raise InvalidCardNumber."""
    match = _TYPED_NUMBER.fullmatch(text.strip())
    if match is None or not verhoeff_ok("".join(match.groups())):
        raise InvalidCardNumber(N_("This is not a valid card number. Check the 12 digits."))
    return "".join(match.groups())


def is_valid_card_number(text: str) -> bool:
    """Tell whether `text` is 12 digits (spaces or dashes between fours) with a valid check."""
    try:
        normalize_card_number(text)
    except InvalidCardNumber:
        return False
    return True


def format_card_number(text: str) -> str:
    """Print a typed card number in groups of four ("1234 5678 9012"), checking it first."""
    return group_in_fours(normalize_card_number(text))
