"""The JSON verify API: one bit out, the same bytes for every kind of "not valid"."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from idcard.issuance.printing import card_token
from idcard.keys import current_signer
from idcard.models import Card
from idcard.services import services
from idcard.tokens import CardClaims, SigningKey, encode_token, new_handle
from idcard_verifier.keyset import keys_from_cose_key_set, keys_from_jwks
from tests.helpers import printed_card
from tests.pdfs import token_from_pdf


@pytest.fixture
def valid_token(clerk_client, db_session) -> str:
    _card, pdf = printed_card(clerk_client, db_session)
    return token_from_pdf(pdf)


def _flip_bit(token: str, position: int) -> str:
    raw = bytearray(base64.b32decode(token + "=" * (-len(token) % 8)))
    raw[position] ^= 1
    return base64.b32encode(bytes(raw)).rstrip(b"=").decode()


def not_valid_tokens(app, db_session, valid: str) -> dict[str, object]:
    """One token for every way a card can fail."""
    signer = current_signer(db_session, services(app).vault)
    claims = CardClaims(handle=new_handle(), expires_on=date.today() + timedelta(days=9),
                        list_id=1, index=3)
    expired = CardClaims(handle=new_handle(), expires_on=date.today() - timedelta(days=1),
                         list_id=1, index=3)
    return {
        "unknown card": encode_token(claims, signer),
        "expired": encode_token(expired, signer),
        "unknown key": encode_token(claims, SigningKey.generate()),
        "flipped bit": _flip_bit(valid, 40),
        "truncated": valid[:-7],
        "lower case": valid.lower(),
        "garbage": "NOT-A-TOKEN",
        "empty": "",
        "very long": "A" * 100_000,
        "number": 12345,
        "null": None,
        "list": [valid],
        "unknown list": encode_token(
            CardClaims(handle=new_handle(), expires_on=date.today(), list_id=999, index=1),
            signer),
    }


def test_every_not_valid_answer_is_byte_identical(
    app, clerk_client, db_session, valid_token,
) -> None:
    valid = clerk_client.post("/api/v1/verify", json={"token": valid_token})
    assert valid.status_code == 200 and valid.get_json() == {"result": "valid resident"}
    answers = set()
    for reason, token in not_valid_tokens(app, db_session, valid_token).items():
        response = clerk_client.post("/api/v1/verify", json={"token": token})
        assert response.status_code == 200, reason
        answers.add((response.data, response.headers["Content-Type"],
                     response.headers["Cache-Control"]))
    assert answers == {(b'{"result": "not valid"     }', "application/json", "no-store")}


def test_both_answers_have_the_same_length_and_headers(app, clerk_client, valid_token) -> None:
    """Neither a log's size column nor an encrypted response's length tells the answer."""
    valid = clerk_client.post("/api/v1/verify", json={"token": valid_token})
    not_valid = clerk_client.post("/api/v1/verify", json={"token": valid_token.lower()})
    assert valid.get_json() == {"result": "valid resident"}
    assert not_valid.get_json() == {"result": "not valid"}
    assert len(valid.data) == len(not_valid.data) == 28
    def shape(response) -> list[tuple[str, str]]:
        return sorted((name, value) for name, value in response.headers.items()
                      if not name.startswith("X-RateLimit-"))  # counts down with each call

    assert shape(valid) == shape(not_valid)


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b'{"tok": "x"}', b"\xff\xfe"])
def test_a_request_without_a_token_gets_a_plain_400(app, body: bytes) -> None:
    response = app.test_client().post("/api/v1/verify", data=body,
                                      content_type="application/json")
    assert response.status_code == 400 and "token" in response.get_json()["error"]


def test_the_api_needs_no_login_csrf_or_cookie(app, valid_token) -> None:
    client = app.test_client(use_cookies=False)
    response = client.post("/api/v1/verify", data=json.dumps({"token": valid_token}),
                           content_type="application/json",
                           headers={"Origin": "https://library.example.org"})
    assert response.get_json() == {"result": "valid resident"}
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers


def test_the_key_sets_are_served_in_both_forms_with_their_media_types(
    clerk_client, valid_token,
) -> None:
    jwks = clerk_client.get("/.well-known/jwks.json")
    cose = clerk_client.get("/.well-known/cose-key-set")
    assert jwks.mimetype == "application/jwk-set+json"
    assert cose.mimetype == "application/cose-key-set"
    for response in (jwks, cose):
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert keys_from_jwks(jwks.data) == keys_from_cose_key_set(cose.data)
    assert len(keys_from_jwks(jwks.data)) == len(jwks.get_json()["keys"]) >= 1


def test_openapi_document_is_served(app) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/verify", "/.well-known/jwks.json", "/.well-known/cose-key-set"} <= set(
        document["paths"])


def test_reprinted_token_is_the_same_token(app, db_session, valid_token) -> None:
    card = db_session.exec(select(Card)).one()
    assert card_token(db_session, services(app).vault, card) == valid_token
