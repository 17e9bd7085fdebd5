"""Free text typed by staff: trimmed, kept as typed, refused when it could deceive."""

from __future__ import annotations

import pytest

from idcard.errors import UserError
from idcard.textfields import TextRefused, clean_text


def refusal(value: str | None, *, max_length: int = 40, required: bool = True) -> str:
    """The message clean_text refuses `value` with (as the person would read it)."""
    with pytest.raises(TextRefused) as refused:
        clean_text(value, "Name", max_length=max_length, required=required)
    assert isinstance(refused.value, UserError)  # views show it like any domain refusal
    return str(refused.value)


def test_the_ends_are_trimmed_and_the_inside_is_kept_as_typed() -> None:
    assert clean_text("  Nguyễn  Thị Ánh\t\n", "Name", max_length=40) == "Nguyễn  Thị Ánh"


@pytest.mark.parametrize("value", [None, "", "   ", "\t\n"])
def test_empty_text_is_refused_when_required_and_empty_when_optional(value: str | None) -> None:
    assert refusal(value) == "Name is required."
    assert clean_text(value, "Name", max_length=40, required=False) == ""


def test_text_longer_than_the_limit_is_refused_and_the_limit_itself_is_kept() -> None:
    assert clean_text("a" * 5, "Name", max_length=5) == "aaaaa"
    assert refusal("a" * 6, max_length=5) == "Name is too long: at most 5 characters."
    assert clean_text(" " * 10 + "abcde", "Name", max_length=5) == "abcde"  # after trimming


@pytest.mark.parametrize(("value", "code"), [
    ("Ann\u0000a", "U+0000"),  # NUL
    ("Ann\u0007a", "U+0007"),  # bell: a control character
    ("\u202eevil\u202c", "U+202E"),  # right-to-left override: text that reads backwards
    ("Lib\u2066rary", "U+2066"),  # left-to-right isolate
    ("A\u200bnna", "U+200B"),  # zero-width space
    ("An\ufeffna", "U+FEFF"),  # zero-width no-break space (byte order mark)
    ("Anna\u2028Smith", "U+2028"),  # line separator
    ("Anna\ue000", "U+E000"),  # private use
    ("Anna\U000e0041", "U+E0041"),  # tag character: invisible
])
def test_control_bidi_and_invisible_characters_are_refused_by_code_point(
    value: str, code: str,
) -> None:
    message = refusal(value)
    assert message.startswith("Name contains an invisible or control character")
    assert f"({code})" in message


def test_unassigned_code_points_are_refused() -> None:
    assert "(U+0378)" in refusal("Ann\u0378a")  # unassigned in the Greek block


@pytest.mark.parametrize("value", ["---", "...", "😀", "' '", "()"])
def test_text_without_a_letter_or_digit_is_refused(value: str) -> None:
    assert refusal(value) == "Name must contain letters or digits."


@pytest.mark.parametrize("value", [
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian with a ZWNJ
    "\u0915\u094d\u200d\u0937",  # Devanagari half form with a ZWJ
])
def test_zero_width_joiners_are_kept_for_correct_spelling(value: str) -> None:
    assert clean_text(value, "Name", max_length=40) == value


@pytest.mark.parametrize("value", ["O'Brien-Smith", "Zoë Ça", "김민준", "Ιωάννης", "42"])
def test_ordinary_names_in_any_script_pass_unchanged(value: str) -> None:
    assert clean_text(value, "Name", max_length=40) == value
