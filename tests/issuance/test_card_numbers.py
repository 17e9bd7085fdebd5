"""Card numbers: Verhoeff check digit, pattern filters, random draws, typing and printing."""

from __future__ import annotations

import pytest

from idcard.issuance.card_numbers import (
    InvalidCardNumber,
    format_card_number,
    is_valid_card_number,
    looks_patterned,
    new_card_number,
    normalize_card_number,
    verhoeff_check_digit,
    verhoeff_ok,
)

# Fixed numbers with every digit represented, plus freshly drawn ones.
SAMPLES = ["58203917462", "90817263540", "27384950617", "31415926535"]


def with_check(body: str) -> str:
    return body + verhoeff_check_digit(body)


@pytest.mark.parametrize(("body", "check"), [("236", "3"), ("12345", "1"), ("142857", "0")])
def test_verhoeff_check_digit_matches_published_examples(body: str, check: str) -> None:
    assert verhoeff_check_digit(body) == check
    assert verhoeff_ok(body + check)


# Parameters must be the same in every test process (pytest-xdist), so no random draws here.
@pytest.mark.parametrize("number", [with_check(b) for b in SAMPLES])
def test_every_single_digit_error_is_caught(number: str) -> None:
    for position, original in enumerate(number):
        for digit in "0123456789".replace(original, ""):
            typo = number[:position] + digit + number[position + 1 :]
            assert not verhoeff_ok(typo), typo


@pytest.mark.parametrize("number", [with_check(b) for b in SAMPLES])
def test_every_adjacent_transposition_is_caught(number: str) -> None:
    for position in range(len(number) - 1):
        a, b = number[position], number[position + 1]
        if a != b:
            swapped = number[:position] + b + a + number[position + 2 :]
            assert not verhoeff_ok(swapped), swapped


def swap(number: str, position: int) -> str:
    return number[:position] + number[position + 1] + number[position] + number[position + 2 :]


def test_every_digit_pair_transposed_anywhere_is_caught() -> None:
    frame = "58203917462"
    for position in range(10):
        for a in "0123456789":
            for b in "0123456789".replace(a, ""):
                number = with_check(frame[:position] + a + b + frame[position + 2 :])
                assert not verhoeff_ok(swap(number, position)), number
                # The last body digit can also trade places with the check digit.
                assert number[10] == number[11] or not verhoeff_ok(swap(number, 10)), number


@pytest.mark.parametrize(
    "number",
    [
        "058203917462",  # leading zero
        "581111917462",  # four equal digits
        "582345617462",  # ascending run 2345
        "589876017462",  # descending run 9876
        "582039174444",  # run at the end
    ],
)
def test_patterned_numbers_are_recognised(number: str) -> None:
    assert looks_patterned(number)


@pytest.mark.parametrize("number", ["582039174620", "581110917462", "582346017462"])
def test_plain_numbers_are_not_patterned(number: str) -> None:
    assert not looks_patterned(number)


def test_drawn_numbers_are_valid_unpatterned_and_unique() -> None:
    drawn = [new_card_number() for _ in range(10_000)]
    assert len(set(drawn)) == len(drawn)
    for number in drawn:
        assert len(number) == 12 and number.isascii() and number.isdigit()
        assert verhoeff_ok(number) and not looks_patterned(number)


def test_drawn_numbers_use_every_digit_in_every_position() -> None:
    # Nothing fixed, such as a site or year prefix, hides in any position.
    drawn = [new_card_number() for _ in range(2_000)]
    for position in range(11):
        expected = set("123456789") if position == 0 else set("0123456789")
        assert {number[position] for number in drawn} == expected


@pytest.mark.parametrize("separator", ["", " ", "-"])
def test_typed_numbers_with_separators_are_accepted(separator: str) -> None:
    number = with_check("58203917462")
    typed = separator.join([number[:4], number[4:8], number[8:]])
    assert is_valid_card_number(f"  {typed} ")
    assert normalize_card_number(typed) == number
    assert format_card_number(typed) == f"{number[:4]} {number[4:8]} {number[8:]}"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "5820391746",  # too short
        "5820 3917 46213",  # too long
        "5820.3917.4621",
        "5820  3917 4621",  # two separators
        "abcd efgh ijkl",
        "٥٨٢٠٣٩١٧٤٦٢١",  # Arabic-Indic digits
        "５８２０３９１７４６２１",  # full-width digits
    ],
)
def test_malformed_numbers_are_refused(text: str) -> None:
    assert not is_valid_card_number(text)
    with pytest.raises(InvalidCardNumber):
        format_card_number(text)


def test_number_with_a_wrong_check_digit_is_refused() -> None:
    number = with_check("58203917462")
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not is_valid_card_number(wrong)


def test_refusal_carries_a_translatable_message() -> None:
    with pytest.raises(InvalidCardNumber) as refused:
        normalize_card_number("1234")
    assert "card number" in refused.value.message
