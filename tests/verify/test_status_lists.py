"""Status lists over HTTP, the verify page served static, and no trail of any check."""

from __future__ import annotations

import base64
import json
import logging
import re
from datetime import UTC, datetime

from sqlalchemy import inspect, text

from idcard.issuance.cards import card_number
from idcard.services import services
from idcard.statuslist import MIN_STATUS_ENTRIES
from idcard_verifier.card import decode_token
from idcard_verifier.statuslist import read_status_list
from tests.helpers import card_action, printed_card
from tests.pdfs import token_from_pdf


def keys_of(client) -> dict[bytes, bytes]:
    jwks = client.get("/.well-known/jwks.json").get_json()
    return {bytes.fromhex(k["kid"]): base64.urlsafe_b64decode(k["x"] + "==") for k in jwks["keys"]}


def test_status_list_is_signed_cached_and_flips_on_revocation(
    app, clerk_client, supervisor_client, db_session,
) -> None:
    card, _pdf = printed_card(clerk_client, db_session)
    url = f"/api/v1/status-lists/{card.status_list_id}"
    first = clerk_client.get(url)
    assert first.status_code == 200 and first.mimetype == "application/statuslist+cwt"
    assert "max-age=" in first.headers["Cache-Control"] and first.headers["ETag"]
    status = read_status_list(first.data, keys_of(clerk_client), now=datetime.now(UTC))
    assert 8 * len(status.bits) >= MIN_STATUS_ENTRIES and status.status(card.status_index) == 0
    again = clerk_client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    card_action(supervisor_client, card, "revoke", reason="fraud")
    changed = clerk_client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    status = read_status_list(changed.data, keys_of(clerk_client), now=datetime.now(UTC))
    assert status.status(card.status_index) == 1
    assert clerk_client.get("/api/v1/status-lists/999").status_code == 404


def test_a_thousand_checks_leave_no_trail(app, clerk_client, db_session, caplog, capsys) -> None:
    printed = [printed_card(clerk_client, db_session, name=f"Resident {n}") for n in range(4)]
    cards, tokens = [c for c, _ in printed], [token_from_pdf(pdf) for _, pdf in printed]
    keys = keys_of(clerk_client)
    before = _dump_tables(app)
    capsys.readouterr()
    caplog.clear()
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="idcard")
    partner = app.test_client()
    for n in range(1000):
        assert partner.post("/api/v1/verify", json={"token": tokens[n % 4]}).status_code == 200
    assert _dump_tables(app) == before  # no row was written or changed by any check
    captured = capsys.readouterr()
    output = "\n".join(r.getMessage() for r in caplog.records) + captured.out + captured.err
    stored = json.dumps(before, default=lambda v: v.hex() if isinstance(v, bytes) else str(v))
    vault = services(app).vault
    for token, card in zip(tokens, cards, strict=True):
        claims = decode_token(token, keys, today=datetime.now(UTC).date())
        number = card_number(vault.resident_key(db_session, card.resident_id), card)
        for trace in (token, token[:32], claims.handle.hex(), number):
            assert trace not in output
        assert not re.search(rf"\b{claims.index}\b", output)
        # Tokens and card numbers are stored nowhere; the card's handle and status index
        # live only in its own issuance row (the list is published from it).
        assert token[:32] not in stored and number not in stored


def _dump_tables(app) -> dict[str, list[tuple[object, ...]]]:
    engine = services(app).engine
    tables = inspect(engine).get_table_names()
    with engine.connect() as conn:
        return {t: sorted(map(tuple, conn.execute(text(f'SELECT * FROM "{t}"'))), key=repr)
                for t in tables if t != "alembic_version"}


def test_the_verify_page_is_static_and_carries_no_token(app) -> None:
    client = app.test_client()
    page = client.get("/v")
    assert page.status_code == 200 and "public" in page.headers["Cache-Control"]
    assert "Set-Cookie" not in page.headers
    worker = client.get("/sw.js")
    assert worker.headers["Service-Worker-Allowed"] == "/"
