"""The check-in desk's verifier: offline from saved files, online with its own cache."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from idcard.services import services
from idcard.statuslist import StatusBits, sign_status_list
from idcard.tokens import CardClaims, SigningKey, cose_key_set, encode_token, qr_text
from idcard_verifier import Answer, OnlineVerifier, Verifier, list_uri, token_from_text
from tests.helpers import card_action, printed_card
from tests.pdfs import token_from_pdf

ISSUER = "https://id.example-city.gov"
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
KEY = SigningKey.generate()
LIST_ID, ACTIVE, REVOKED = 3, 10, 11


def token(key: SigningKey = KEY, *, index: int = ACTIVE, expires_on: date = date(2030, 1, 1),
          list_id: int = LIST_ID) -> str:
    return encode_token(CardClaims(bytes(16), expires_on, list_id, index), key)


def status_list(issued_at: datetime = NOW, list_id: int = LIST_ID, ttl: int = 300) -> bytes:
    bits = StatusBits()
    bits.set(REVOKED, True)
    return sign_status_list(bits.to_bytes(), list_id, KEY, issued_at=issued_at,
                            ttl_seconds=ttl, uri=list_uri(ISSUER, list_id))


def desk() -> Verifier:
    verifier = Verifier.from_key_set(cose_key_set([(KEY.kid, KEY.public_bytes)]))
    verifier.add_status_list(status_list(), now=NOW)
    return verifier


def test_a_desk_answers_one_bit_from_a_scanned_qr_or_a_bare_token() -> None:
    verifier = desk()
    assert verifier.check(qr_text(ISSUER, token()), now=NOW) is Answer.VALID
    assert verifier.check(f"  {token()}\n", now=NOW) is Answer.VALID
    for scanned in (token(index=REVOKED), token(expires_on=date(2026, 2, 28)),
                    token(SigningKey.generate()), token()[:-1], "", "https://example.org/"):
        assert verifier.check(scanned, now=NOW) is Answer.NOT_VALID


def test_a_desk_cannot_tell_without_a_fresh_list_for_the_card() -> None:
    verifier = desk()
    assert verifier.check(token(list_id=LIST_ID + 1), now=NOW) is Answer.UNKNOWN
    assert verifier.check(token(), now=NOW + timedelta(hours=25)) is Answer.UNKNOWN  # too old
    assert Verifier({}).check(token(), now=NOW) is Answer.UNKNOWN  # no keys at all


def test_an_older_list_never_replaces_a_newer_one() -> None:
    verifier = desk()
    verifier.add_status_list(status_list(NOW - timedelta(hours=1)), now=NOW)
    assert verifier.lists[LIST_ID].issued_at == NOW


class Issuer:
    """A fake issuer for OnlineVerifier: serves documents by URL and counts requests."""

    def __init__(self) -> None:
        self.documents = {
            f"{ISSUER}/.well-known/cose-key-set": cose_key_set([(KEY.kid, KEY.public_bytes)]),
            list_uri(ISSUER, LIST_ID): status_list(),
        }
        self.asked: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.asked.append(url)
        if url not in self.documents:
            raise OSError("404")
        return self.documents[url]


def test_an_online_desk_downloads_keys_and_lists_once_per_cache_time() -> None:
    issuer = Issuer()
    verifier = OnlineVerifier(ISSUER, fetch=issuer)
    for _ in range(3):
        assert verifier.check(token(), now=NOW) is Answer.VALID
    assert issuer.asked == [f"{ISSUER}/.well-known/cose-key-set", list_uri(ISSUER, LIST_ID)]
    assert verifier.check(token(), now=NOW + timedelta(seconds=301)) is Answer.VALID
    assert issuer.asked.count(list_uri(ISSUER, LIST_ID)) == 2


def test_an_online_desk_looks_for_a_rotated_key_once_a_minute() -> None:
    issuer = Issuer()
    verifier = OnlineVerifier(ISSUER, fetch=issuer)
    assert verifier.check(token(), now=NOW) is Answer.VALID
    new_key = SigningKey.generate()
    assert verifier.check(token(new_key), now=NOW) is Answer.NOT_VALID
    issuer.documents[f"{ISSUER}/.well-known/cose-key-set"] = cose_key_set(
        [(KEY.kid, KEY.public_bytes), (new_key.kid, new_key.public_bytes)])
    assert verifier.check(token(new_key), now=NOW + timedelta(seconds=30)) is Answer.NOT_VALID
    assert verifier.check(token(new_key), now=NOW + timedelta(seconds=61)) is Answer.VALID


def test_an_online_desk_keeps_answering_from_its_cache_when_the_issuer_is_down() -> None:
    issuer = Issuer()
    verifier = OnlineVerifier(ISSUER, fetch=issuer)
    assert verifier.check(token(), now=NOW) is Answer.VALID
    issuer.documents.clear()
    assert verifier.check(token(), now=NOW + timedelta(minutes=10)) is Answer.VALID
    assert verifier.check(token(), now=NOW + timedelta(hours=25)) is Answer.UNKNOWN


def test_a_freshly_issued_card_checks_against_the_app_itself(
    app, clerk_client, supervisor_client, db_session,
) -> None:
    card, pdf = printed_card(clerk_client, db_session)
    scanned = token_from_pdf(pdf)
    public_url = services(app).settings.public_url

    def fetch(url: str) -> bytes:
        response = clerk_client.get(url.removeprefix(public_url.rstrip("/")))
        if response.status_code != 200:
            raise OSError(response.status_code)
        return response.data

    assert OnlineVerifier(public_url, fetch=fetch).check(scanned) is Answer.VALID
    card_action(supervisor_client, card, "revoke", reason="fraud")
    assert OnlineVerifier(public_url, fetch=fetch).check(scanned) is Answer.NOT_VALID


def test_the_package_imports_nothing_from_the_app() -> None:
    root = Path(__file__).resolve().parents[2]
    code = ("import sys, idcard_verifier; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "{'idcard', 'flask', 'sqlalchemy', 'sqlmodel', 'cryptography'}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("text", ["https://id.example/v#ABC", "ABC", " ABC\n", "x#ABC"])
def test_token_from_text_takes_the_fragment(text: str) -> None:
    assert token_from_text(text) == "ABC"


def test_the_readme_desk_works_as_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (Path(__file__).resolve().parents[2] / "idcard_verifier" / "README.md").read_text()
    example = readme.split("```python\n", 1)[1].split("```", 1)[0]
    issuer = Issuer()
    monkeypatch.setattr("idcard_verifier.desk.fetch_url", issuer)
    now = datetime.now(UTC)
    issuer.documents[list_uri(ISSUER, LIST_ID)] = status_list(now - timedelta(minutes=1))
    namespace: dict = {}
    exec(compile(example, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    on_scan = namespace["on_scan"]
    assert on_scan(qr_text(ISSUER, token())) == "Card accepted: a valid resident card."
    assert on_scan(token(index=REVOKED)) == "This card is not valid."
    assert on_scan(token(list_id=LIST_ID + 1)).startswith("Cannot check cards right now")


def test_an_online_desk_refuses_a_list_published_under_another_uri() -> None:
    issuer = Issuer()
    issuer.documents[list_uri(ISSUER, LIST_ID)] = sign_status_list(
        StatusBits().to_bytes(), LIST_ID, KEY, issued_at=NOW, ttl_seconds=300,
        uri="https://elsewhere.example/api/v1/status-lists/3")
    assert OnlineVerifier(ISSUER, fetch=issuer).check(token(), now=NOW) is Answer.UNKNOWN
