"""The JSON verify API: one bit out, the same bytes for every kind of "not valid"."""

from __future__ import annotations

import base64
import json
from datetime import date, timedelta

import pytest
from pycose.headers import KID
from pycose.keys import OKPKey
from pycose.messages import Sign1Message
from sqlmodel import select

from idcard.issuance.printing import card_token
from idcard.keys import current_signer
from idcard.models import Card
from idcard.services import services
from idcard.tokens import CardClaims, SigningKey, encode_token, new_handle
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
    assert sorted(valid.headers.items()) == sorted(not_valid.headers.items())


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


def test_tokens_verify_with_an_independent_cose_library(
    app, db_session, clerk_client, valid_token,
) -> None:
    jwks = clerk_client.get("/.well-known/jwks.json").get_json()
    (jwk,) = jwks["keys"]
    x = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
    key = OKPKey(crv="ED25519", x=x)
    raw = base64.b32decode(valid_token + "=" * (-len(valid_token) % 8))
    message = Sign1Message.decode(raw)
    message.key = key
    assert message.verify_signature()
    assert message.phdr[KID].hex() == jwk["kid"]
    tampered = Sign1Message.decode(base64.b32decode(_flip_bit(valid_token, 60) + "=" * (
        -len(valid_token) % 8)))
    tampered.key = key
    assert not tampered.verify_signature()


def test_openapi_document_is_served(app) -> None:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/verify", "/.well-known/jwks.json"} <= set(document["paths"])


def test_reprinted_token_is_the_same_token(app, db_session, valid_token) -> None:
    card = db_session.exec(select(Card)).one()
    assert card_token(db_session, services(app).vault, card) == valid_token
