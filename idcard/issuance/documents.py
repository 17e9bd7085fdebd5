"""Document rules: which originals a clerk may accept, and whether they are enough.

The rules come from a TOML file (see document_rules.toml); the code knows no
document of its own. Only the type of each document is ever recorded.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from idcard.errors import N_, UserError


class RulesFileError(RuntimeError):
    """The rules file is unreadable or inconsistent; the message says where."""


class DocumentsRefused(UserError):
    """The documents shown do not meet the rules."""


@dataclass(frozen=True)
class DocumentType:
    key: str
    labels: Mapping[str, str]
    identity: int = 0
    residency: int = 0
    photo: bool = False
    birth_date: bool = False

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels["en"]

    @property
    def points(self) -> int:
        return self.identity + self.residency


@dataclass(frozen=True)
class Requirements:
    identity_points: int = 3
    residency_points: int = 1
    total_points: int = 4
    photo_document: bool = True
    birth_date_document: bool = True
    minimum_age: int = 10
    caretaker_under_age: int = 14


@dataclass(frozen=True)
class DocumentRules:
    requirements: Requirements
    documents: Mapping[str, DocumentType]
    relationship_documents: Mapping[str, DocumentType]

    def check(self, shown: Collection[str]) -> list[DocumentType]:
        """Return the documents shown if they meet the rules; raise DocumentsRefused if not."""
        unknown = set(shown) - set(self.documents)
        if unknown:
            raise DocumentsRefused(N_("That document type is not on the accepted list."))
        chosen = [self.documents[key] for key in shown]
        for problem in self._shortfalls(chosen):
            raise problem
        return chosen

    def _shortfalls(self, chosen: list[DocumentType]) -> list[DocumentsRefused]:
        req = self.requirements
        identity = sum(d.identity for d in chosen)
        residency = sum(d.residency for d in chosen)
        problems = []
        if identity < req.identity_points:
            problems.append(DocumentsRefused(
                N_("Identity documents add up to %(got)s points; at least %(need)s are needed."),
                got=identity, need=req.identity_points))
        if residency < req.residency_points:
            problems.append(DocumentsRefused(
                N_("Residency documents add up to %(got)s points; at least %(need)s are needed."),
                got=residency, need=req.residency_points))
        if identity + residency < req.total_points:
            problems.append(DocumentsRefused(
                N_("The documents add up to %(got)s points; at least %(need)s are needed."),
                got=identity + residency, need=req.total_points))
        if req.photo_document and not any(d.photo for d in chosen):
            problems.append(DocumentsRefused(N_("One of the documents must carry a photo.")))
        if req.birth_date_document and not any(d.birth_date for d in chosen):
            problems.append(DocumentsRefused(
                N_("One of the documents must show the date of birth.")))
        return problems

    def check_age(self, born_on: date, today: date) -> bool:
        """Refuse applicants under the minimum age; return whether a caretaker is needed."""
        if born_on > today:
            raise DocumentsRefused(N_("The date of birth is in the future."))
        age = age_on(born_on, today)
        if age < self.requirements.minimum_age:
            raise DocumentsRefused(
                N_("Applicants must be at least %(age)s years old."),
                age=self.requirements.minimum_age)
        return age < self.requirements.caretaker_under_age

    def check_caretaker(self, shown: Collection[str]) -> list[DocumentType]:
        """Return the caretaker's relationship documents; at least one accepted one is needed."""
        chosen = [self.relationship_documents[k] for k in shown if k in self.relationship_documents]
        if not chosen or len(chosen) != len(set(shown)):
            raise DocumentsRefused(N_(
                "Applicants under %(age)s need a caretaker who shows a document proving "
                "the relationship."), age=self.requirements.caretaker_under_age)
        return chosen


def age_on(born_on: date, today: date) -> int:
    """Return the age in whole years on `today`."""
    before_birthday = (today.month, today.day) < (born_on.month, born_on.day)
    return today.year - born_on.year - before_birthday


def load_rules(path: Path) -> DocumentRules:
    """Read and validate a rules file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        requirements = Requirements(**data.get("requirements", {}))
        documents = _document_types(data.get("documents", []))
        relationship = _document_types(data.get("relationship_documents", []))
    except (OSError, tomllib.TOMLDecodeError, TypeError, KeyError) as exc:
        raise RulesFileError(f"document rules {path}: {exc}") from exc
    if not documents:
        raise RulesFileError(f"document rules {path}: no documents listed")
    return DocumentRules(requirements, documents, relationship)


def _document_types(entries: list[dict[str, object]]) -> dict[str, DocumentType]:
    types: dict[str, DocumentType] = {}
    for entry in entries:
        entry = dict(entry)
        labels = entry.pop("label")
        if not isinstance(labels, dict) or "en" not in labels:
            raise KeyError("every document needs label.en")
        doc = DocumentType(labels=labels, **entry)  # type: ignore[arg-type]
        if doc.key in types:
            raise KeyError(f"document {doc.key!r} is listed twice")
        types[doc.key] = doc
    return types
