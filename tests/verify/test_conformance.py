"""What the app serves, checked by others' code: a freshly issued card and its status list
verify with pycose and with a JavaScript COSE library from npm (@auth0/cose), the key found
in the COSE Key Set by the token's kid bytes, and the list reads by the Token Status List
draft's conventions (status_list.uri = the list's sub, status_list.idx = claim 5)."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import zlib
from pathlib import Path

import cbor2
import pytest
from pycose.headers import KID
from pycose.keys import CoseKey
from pycose.messages import Sign1Message

from idcard.services import services
from idcard_verifier.card import list_uri
from tests.helpers import card_action, printed_card
from tests.pdfs import token_from_pdf

ROOT = Path(__file__).resolve().parents[2]
NODE_CHECK = ROOT / "tests" / "js" / "cose_library_check.mjs"


def _bytes(token: str) -> bytes:
    return base64.b32decode(token + "=" * (-len(token) % 8))


def _pycose_verified(message_bytes: bytes, cose_key_set: bytes) -> Sign1Message:
    """Verify with pycose, the key picked from the COSE Key Set by the protected kid."""
    message = Sign1Message.decode(message_bytes)
    keys = {entry[2]: CoseKey.decode(cbor2.dumps(entry)) for entry in cbor2.loads(cose_key_set)}
    message.key = keys[message.phdr[KID]]
    assert message.verify_signature()
    return message


def _draft_bit(client, card_payload: dict, public_url: str, cose_key_set: bytes) -> int:
    """Read a card's status as the draft says, from the list its claims 4 and 5 name."""
    uri = list_uri(public_url, card_payload[4])
    served = client.get(uri.removeprefix(public_url.rstrip("/")))
    assert served.mimetype == "application/statuslist+cwt"
    message = _pycose_verified(served.data, cose_key_set)
    assert message.phdr[16] == "application/statuslist+cwt"  # typ (RFC 9596)
    claims = cbor2.loads(message.payload)
    assert claims[2] == uri and claims[-65537] == card_payload[4]
    assert claims[4] > claims[6] and claims[65534] > 0  # exp after iat; a ttl
    status_list = claims[65533]
    assert status_list["bits"] == 1
    raw, idx = zlib.decompress(status_list["lst"]), card_payload[5]
    return (raw[idx // 8] >> (idx % 8)) & 1


def test_a_fresh_card_verifies_and_reads_its_status_with_pycose(
    app, clerk_client, supervisor_client, db_session,
) -> None:
    card, pdf = printed_card(clerk_client, db_session)
    token = token_from_pdf(pdf)
    cose_key_set = clerk_client.get("/.well-known/cose-key-set").data
    message = _pycose_verified(_bytes(token), cose_key_set)
    jwk_kids = [key["kid"] for key in clerk_client.get("/.well-known/jwks.json").get_json()["keys"]]
    assert message.phdr[KID].hex() in jwk_kids  # the JWK kid is the same 8 bytes in hex
    payload = cbor2.loads(message.payload)
    assert set(payload) == {1, 2, 3, 4, 5} and payload[5] == card.status_index
    public_url = services(app).settings.public_url
    assert _draft_bit(clerk_client, payload, public_url, cose_key_set) == 0
    card_action(supervisor_client, card, "revoke", reason="fraud")
    assert _draft_bit(clerk_client, payload, public_url, cose_key_set) == 1


def test_a_fresh_card_and_its_list_verify_with_a_javascript_cose_library(
    app, clerk_client, db_session, tmp_path: Path,
) -> None:
    if not (ROOT / "node_modules" / "@auth0" / "cose").is_dir():
        pytest.fail("the JavaScript test dependencies are missing: run `make test` (npm ci)")
    card, pdf = printed_card(clerk_client, db_session)
    token = token_from_pdf(pdf)
    status_list = clerk_client.get(f"/api/v1/status-lists/{card.status_list_id}").data
    cases = {"cose_key_set_hex": clerk_client.get("/.well-known/cose-key-set").data.hex(),
             "messages_hex": [_bytes(token).hex(), status_list.hex(),
                              _bytes(token)[:-1].hex() + "00"]}  # the last: a bad signature
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    node = shutil.which("node")
    assert node, "node is needed for the JavaScript tests (make test installs it)"
    done = subprocess.run([node, str(NODE_CHECK), str(tmp_path / "cases.json")], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=True)
    card_result, list_result, forged = json.loads(done.stdout)
    assert card_result["verified"] and list_result["verified"] and not forged["verified"]
    assert cbor2.loads(bytes.fromhex(card_result["payload_hex"]))[5] == card.status_index
