"""The card commands: keys, print-queue, demo, and verify-token offline from saved files."""

from __future__ import annotations

import json

from pypdf import PdfReader
from sqlmodel import select

from idcard.models import Card, CardState, Resident
from idcard.services import services
from tests.helpers import (
    card_action,
    count_rows,
    enrolled_resident,
    issue,
    printed_card,
    verify,
)
from tests.pdfs import token_from_pdf


def test_rotated_keys_keep_verifying_old_cards_and_revoked_keys_do_not(
    app, clerk_client, db_session,
) -> None:
    card, pdf = printed_card(clerk_client, db_session)
    token = token_from_pdf(pdf)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    services(app).verification.expire()
    jwks = json.loads(clerk_client.get("/.well-known/jwks.json").data)
    assert len(jwks["keys"]) == 2 and card.kid in {k["kid"] for k in jwks["keys"]}
    assert verify(clerk_client, token) == "valid resident"
    assert runner.invoke(args=["keys", "revoke", card.kid, "--yes"]).exit_code == 0
    services(app).verification.expire()
    assert verify(clerk_client, token) == "not valid"
    assert card.kid not in clerk_client.get("/.well-known/jwks.json").text


def test_print_queue_command_writes_the_file_then_marks_printed(
    app, clerk_client, db_session, site, tmp_path,
) -> None:
    for name in ("Suharto", "李小龙"):
        issue(clerk_client, enrolled_resident(clerk_client, name=name))
    out = tmp_path / "queue.pdf"
    result = app.test_cli_runner().invoke(args=["print-queue", "--site", site.name,
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(PdfReader(out).pages) == 4
    assert out.stat().st_mode & 0o777 == 0o600  # cards carry personal data
    assert not (tmp_path / "queue.pdf.part").exists()
    db_session.expire_all()
    assert set(db_session.exec(select(Card.state)).all()) == {CardState.ACTIVE}


def test_demo_command_writes_real_cards(app, tmp_path, db_session) -> None:
    out = tmp_path / "demo-cards"
    result = app.test_cli_runner().invoke(args=["demo", "--residents", "2", "--out",
                                                str(out), "--seed", "7"])
    assert result.exit_code == 0, result.output
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == 2
    assert out.stat().st_mode & 0o777 == 0o700
    assert all(pdf.stat().st_mode & 0o777 == 0o600 for pdf in pdfs)
    client = app.test_client()
    for pdf in pdfs:
        assert verify(client, token_from_pdf(pdf.read_bytes())) == "valid resident"
    assert count_rows(db_session, Resident) == 2


def test_demo_data_is_refused_in_production(make_app, tmp_path) -> None:
    app = make_app(env="production")
    result = app.test_cli_runner().invoke(args=["demo", "--out", str(tmp_path / "out")])
    assert result.exit_code != 0 and "refused in production" in result.output
    assert not (tmp_path / "out").exists()


def _saved_card(clerk_client, db_session, tmp_path, key_set_url: str):
    """Print a card; save a key set (tmp_path/keys) and its status list (tmp_path/list.cwt)."""
    card, pdf = printed_card(clerk_client, db_session)
    (tmp_path / "keys").write_bytes(clerk_client.get(key_set_url).data)
    (tmp_path / "list.cwt").write_bytes(
        clerk_client.get(f"/api/v1/status-lists/{card.status_list_id}").data)
    return card, token_from_pdf(pdf)


def test_verify_token_command_checks_offline_from_saved_files(
    app, clerk_client, supervisor_client, db_session, tmp_path,
) -> None:
    card, token = _saved_card(clerk_client, db_session, tmp_path, "/.well-known/jwks.json")
    args = ["verify-token", f"https://id.example/v#{token}", "--offline",
            "--key-set", str(tmp_path / "keys"), "--status-list", str(tmp_path / "list.cwt")]
    runner = app.test_cli_runner()
    result = runner.invoke(args=args)
    assert result.exit_code == 0 and result.output.strip() == "valid resident"
    card_action(supervisor_client, card, "revoke", reason="fraud")
    (tmp_path / "list.cwt").write_bytes(
        clerk_client.get(f"/api/v1/status-lists/{card.status_list_id}").data)
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and result.output.strip() == "not valid"


def test_verify_token_command_reads_a_cose_key_set_and_says_when_it_cannot_tell(
    app, clerk_client, db_session, tmp_path,
) -> None:
    _card, token = _saved_card(clerk_client, db_session, tmp_path, "/.well-known/cose-key-set")
    runner = app.test_cli_runner()
    base = ["verify-token", token, "--offline", "--key-set", str(tmp_path / "keys")]
    result = runner.invoke(args=[*base, "--status-list", str(tmp_path / "list.cwt")])
    assert result.exit_code == 0 and result.output.strip() == "valid resident"
    result = runner.invoke(args=base)
    assert result.exit_code == 2 and result.output.startswith("cannot tell")
    (tmp_path / "list.cwt").write_bytes(b"not a list")
    result = runner.invoke(args=[*base, "--status-list", str(tmp_path / "list.cwt")])
    assert result.exit_code != 0 and "refused" in result.output
