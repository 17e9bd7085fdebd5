"""Translations: every string has Spanish, placeholders survive, pages follow the language.

The message catalog is extracted afresh with scripts/update-translations (the same
command and keywords future engineers run), so a string added without a Spanish
translation fails here with the list of what is missing.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from idcard.models import Role, Site
from tests.helpers import PASSWORD, post_form

REPO = Path(__file__).resolve().parents[1]
TRANSLATIONS = REPO / "idcard" / "translations"
SPANISH = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po"
UPDATE_SCRIPT = REPO / "scripts" / "update-translations"
HOW_TO_FIX = ("run scripts/update-translations, translate the new or fuzzy entries in "
              "idcard/translations/es/LC_MESSAGES/messages.po, then make translations")

# A printf conversion: %%, %s, %d, %(name)s, %(num)d, %5.2f ...
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?"
    r"(?P<type>[diouxXeEfFgGcrsa%])")
BRACED = re.compile(r"\{\w+\}")


def read_catalog(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def compile_catalogs() -> None:
    """Write each catalog's .mo like `make translations` (fuzzy included) when stale.

    Each .mo is written to a temporary file and renamed, so parallel test workers
    never load a half-written catalog.
    """
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        partial = mo.with_name(f"{mo.name}.{os.getpid()}.tmp")
        with partial.open("wb") as file:
            write_mo(file, read_catalog(po), use_fuzzy=True)
        os.replace(partial, mo)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs() -> None:
    """The .mo files are build products (gitignored); make sure pages can load them."""
    compile_catalogs()


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """Every translatable string in the code and templates right now."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    env = {**os.environ, "PYBABEL": str(pybabel) if pybabel.exists() else "pybabel"}
    subprocess.run([str(UPDATE_SCRIPT), "--pot", str(pot)], check=True, env=env,
                   capture_output=True, text=True)
    return read_catalog(pot)


@pytest.fixture(scope="module")
def spanish() -> Catalog:
    return read_catalog(SPANISH)


def _texts(value: object) -> tuple[str, ...]:
    """A message's id or string as a tuple: one text, or one per plural form."""
    return tuple(value) if isinstance(value, (tuple, list)) else (str(value or ""),)


def _forms(message: Message) -> tuple[str, ...]:
    return _texts(message.string)


def _sources(message: Message) -> tuple[str, ...]:
    return _texts(message.id)


def _key(message: Message) -> str:
    return _sources(message)[0]


def placeholders(text: str) -> tuple[frozenset[str], Counter[str]]:
    """Named placeholders as a set, positional ones counted by type (%s, %d...).

    `{name}` counts as named too: page scripts fill those in (verify page, print queue).
    """
    named: set[str] = set(BRACED.findall(text))
    positional: Counter[str] = Counter()
    for match in PLACEHOLDER.finditer(text):
        if match["type"] == "%":
            continue
        if match["name"] is not None:
            named.add(f"%({match['name']}){match['type']}")
        else:
            positional[f"%{match['type']}"] += 1
    return frozenset(named), positional


def _stray_percent(text: str) -> bool:
    """A % that starts no placeholder: Jinja's gettext formats every string with %."""
    return "%" in PLACEHOLDER.sub("", text)


def test_extraction_finds_lazy_domain_and_plural_strings(extracted: Catalog) -> None:
    # One of each kind of marker: _l in a form, N_ in a domain module, ngettext in Jinja.
    assert "Name as it should appear on the card" in extracted  # _l
    assert "The date of birth is in the future." in extracted  # N_
    plural = extracted.get("%(num)d resident enrolled here today")
    assert plural is not None and plural.pluralizable  # ngettext in a template


def test_every_message_has_a_spanish_translation(extracted: Catalog, spanish: Catalog) -> None:
    missing = []
    for message in extracted:
        if not message.id:
            continue
        translated = spanish.get(_key(message))
        if (translated is None or translated.fuzzy
                or translated.pluralizable != message.pluralizable
                or len(_forms(translated)) != (spanish.num_plurals if message.pluralizable else 1)
                or not all(form.strip() for form in _forms(translated))):
            missing.append(_key(message))
    assert not missing, (f"{len(missing)} message(s) without a Spanish translation "
                         f"({HOW_TO_FIX}):\n  " + "\n  ".join(missing))


def test_spanish_keeps_every_placeholder(spanish: Catalog) -> None:
    wrong = []
    for message in spanish:
        if not message.id or not any(_forms(message)):
            continue
        sources = _sources(message)
        for index, form in enumerate(_forms(message)):
            source = sources[min(index, len(sources) - 1)]  # form 0: singular, then plural
            if placeholders(form) != placeholders(source) or _stray_percent(form):
                wrong.append(f"{source!r} -> {form!r}")
    assert not wrong, "placeholders differ from the English:\n  " + "\n  ".join(wrong)


def test_spanish_plural_rule_is_spanish(spanish: Catalog) -> None:
    assert spanish.num_plurals == 2
    assert spanish.plural_expr == "(n != 1)"


def test_page_follows_the_browser_language(app) -> None:
    client = app.test_client()
    page = client.get("/staff/login", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert page.status_code == 200
    assert '<html lang="es">' in page.text
    assert "Inicio de sesión del personal" in page.text
    assert "Nombre de usuario" in page.text
    assert "Staff sign-in" not in page.text


def test_chosen_language_wins_over_the_browser(app) -> None:
    client = app.test_client()
    spanish_browser = {"Accept-Language": "es"}
    response = post_form(client, "/language", {"language": "en", "next": "/staff/login"},
                         page_url="/staff/login", headers=spanish_browser)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/login")

    page = client.get("/staff/login", headers=spanish_browser)
    assert '<html lang="en">' in page.text
    assert "Staff sign-in" in page.text
    assert "Inicio de sesión del personal" not in page.text

    post_form(client, "/language", {"language": "es", "next": "/staff/login"},
              page_url="/staff/login")
    page = client.get("/staff/login", headers={"Accept-Language": "en"})
    assert "Inicio de sesión del personal" in page.text


def test_unknown_language_choice_is_ignored(app) -> None:
    client = app.test_client()
    post_form(client, "/language", {"language": "xx", "next": "/staff/login"},
              page_url="/staff/login")
    page = client.get("/staff/login", headers={"Accept-Language": "es"})
    assert "Inicio de sesión del personal" in page.text


def test_domain_error_and_its_field_name_are_translated(
        admin_client, site: Site) -> None:
    response = post_form(admin_client, "/staff/admin/staff", {
        "username": "ana\u200bgomez", "password": PASSWORD, "role": Role.CLERK.value,
        "site_id": str(site.id), "active": "y"}, headers={"Accept-Language": "es"})
    text = html.unescape(response.text)
    assert ('El campo "Nombre de usuario" contiene un carácter invisible o de control '
            "(U+200B)") in text
