"""Where a name goes on the card, and which names cannot be printed faithfully."""

from __future__ import annotations

import pytest

from idcard.cardprint import layout
from idcard.cardprint.face import CardLayoutError
from idcard.cardprint.layout import unprintable_reason
from idcard.cardprint.pdf import render_card
from tests.cardprint.faces import NAMES, make_face


def test_a_name_too_long_for_one_line_wraps_to_two_at_full_size() -> None:
    fitted = layout.fit_name("María José Pérez-Rodríguez")
    assert fitted is not None
    lines, size = fitted
    assert [line.text for line in lines] == ["María José", "Pérez-Rodríguez"]
    assert size == layout.NAME_MAX


def test_a_name_that_cannot_fit_is_refused_not_cut() -> None:
    name = " ".join(["Wolfeschlegelsteinhausenbergerdorff"] * 12)
    assert unprintable_reason(name) is not None
    with pytest.raises(CardLayoutError):
        render_card(make_face(name=name))


@pytest.mark.parametrize("name", [n["name"] for n in NAMES])
def test_every_sample_name_is_printable(name: str) -> None:
    assert unprintable_reason(name) is None


@pytest.mark.parametrize(
    "name",
    ["Ana 😀 Lopez", "𒀀𒀁 Cuneiform", "𐀀𐀁 Linear B", "Ana\u0000Lopez", "Ana\u202eLopez",
     "Ana \ue000", "", "   "],
)
def test_unprintable_names_are_refused_with_a_reason(name: str) -> None:
    reason = unprintable_reason(name)
    assert reason is not None and len(reason) > 10


def test_refusal_names_the_character() -> None:
    reason = unprintable_reason("Ana 😀")
    assert reason is not None and "U+1F600" in reason
