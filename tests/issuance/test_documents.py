"""Document rules: the IDNYC-like defaults and a city's own rules file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from idcard.issuance.documents import DocumentsRefused, RulesFileError, load_rules
from idcard.settings import DEFAULT_DOCUMENT_RULES

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def rules():
    return load_rules(DEFAULT_DOCUMENT_RULES)


def test_photo_id_and_utility_bill_are_enough(rules) -> None:
    chosen = rules.check({"photo_id_with_birth_date", "utility_bill"})
    assert sum(d.points for d in chosen) == 4


def test_too_few_identity_points_are_refused(rules) -> None:
    with pytest.raises(DocumentsRefused, match="Identity documents add up to 1 points"):
        rules.check({"school_id", "lease", "utility_bill", "bank_statement"})


def test_missing_residency_is_refused(rules) -> None:
    with pytest.raises(DocumentsRefused, match="Residency documents add up to 0"):
        rules.check({"photo_id_with_birth_date", "birth_certificate"})


def test_enough_points_without_a_photo_document_are_refused(rules) -> None:
    with pytest.raises(DocumentsRefused, match="must carry a photo"):
        rules.check({"birth_certificate", "medical_record", "tax_document", "lease"})


def test_enough_points_without_a_birth_date_are_refused(rules) -> None:
    with pytest.raises(DocumentsRefused, match="date of birth"):
        rules.check({"official_papers_with_photo", "school_id", "lease"})


def test_unknown_document_type_is_refused(rules) -> None:
    with pytest.raises(DocumentsRefused, match="not on the accepted list"):
        rules.check({"photo_id_with_birth_date", "utility_bill", "rumour"})


def test_minimum_age_and_caretaker_threshold(rules) -> None:
    assert rules.check_age(date(1990, 1, 1), TODAY) is False
    with pytest.raises(DocumentsRefused, match="at least 10"):
        rules.check_age(date(2017, 1, 1), TODAY)
    with pytest.raises(DocumentsRefused, match="future"):
        rules.check_age(date(2030, 1, 1), TODAY)


def test_minor_needs_a_caretaker_relationship_document(rules) -> None:
    assert rules.check_age(date(2014, 11, 23), TODAY) is True  # 11 years old
    assert rules.check_age(date(2012, 11, 22), TODAY) is False  # 14 today
    with pytest.raises(DocumentsRefused, match="need a caretaker"):
        rules.check_caretaker(set())
    assert [d.key for d in rules.check_caretaker({"custody_order"})] == ["custody_order"]
    with pytest.raises(DocumentsRefused):
        rules.check_caretaker({"utility_bill"})


def test_a_changed_rules_file_changes_the_outcome(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("""
[requirements]
identity_points = 2
residency_points = 2
total_points = 4
photo_document = false
birth_date_document = false
minimum_age = 16
caretaker_under_age = 16

[[documents]]
key = "library_card"
label = { en = "Library card", es = "Tarjeta de biblioteca" }
identity = 2

[[documents]]
key = "rent_receipt"
label = { en = "Rent receipt" }
residency = 1

[[documents]]
key = "council_letter"
label = { en = "Letter from the council" }
residency = 1
""")
    rules = load_rules(path)
    assert {d.key for d in rules.check({"library_card", "rent_receipt", "council_letter"})} == {
        "library_card", "rent_receipt", "council_letter"}
    with pytest.raises(DocumentsRefused, match="Residency"):
        rules.check({"library_card", "rent_receipt"})
    with pytest.raises(DocumentsRefused, match="at least 16"):
        rules.check_age(date(2012, 1, 1), TODAY)
    assert rules.documents["rent_receipt"].label("es") == "Rent receipt"  # falls back to English


@pytest.mark.parametrize("content", [
    "not [ toml",
    "[requirements]\nidentity_points = 3\n",  # no documents
    '[[documents]]\nkey = "a"\nidentity = 1\n',  # no label
    '[[documents]]\nkey = "a"\nlabel = { en = "A" }\nbogus = 1\n',
    '[[documents]]\nkey = "a"\nlabel = { en = "A" }\n'
    '[[documents]]\nkey = "a"\nlabel = { en = "B" }\n',
])
def test_broken_rules_files_are_refused_at_start_up(tmp_path: Path, content: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(content)
    with pytest.raises(RulesFileError):
        load_rules(path)
