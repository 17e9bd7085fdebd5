"""gunicorn.conf.py: the access log cannot tell a "valid resident" answer from "not valid"."""

from __future__ import annotations

import runpy
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger

from tests.helpers import printed_card
from tests.pdfs import token_from_pdf

CONF = runpy.run_path(str(Path(__file__).resolve().parents[1] / "gunicorn.conf.py"))


def _access_line(response, path: str) -> str:
    """The line gunicorn would write for this response, with the configured format."""
    sent = SimpleNamespace(status=response.status, sent=len(response.data),
                           headers=list(response.headers.items()))
    environ = {"REQUEST_METHOD": "POST", "RAW_URI": f"{path}?t=secret", "PATH_INFO": path,
               "QUERY_STRING": "t=secret", "SERVER_PROTOCOL": "HTTP/1.1"}
    atoms = Logger(Config()).atoms(sent, {}, environ, timedelta(milliseconds=3))
    atoms["t"] = "[01/Mar/2026:09:00:00 +0000]"  # the same moment for both lines
    return CONF["access_log_format"] % atoms


def test_the_access_log_reads_the_same_for_both_answers(app, clerk_client, db_session) -> None:
    _card, pdf = printed_card(clerk_client, db_session)
    token = token_from_pdf(pdf)
    valid = clerk_client.post("/api/v1/verify", json={"token": token})
    not_valid = clerk_client.post("/api/v1/verify", json={"token": token.lower()})
    assert valid.get_json()["result"] != not_valid.get_json()["result"]
    line = _access_line(valid, "/api/v1/verify")
    assert line == _access_line(not_valid, "/api/v1/verify")
    assert "secret" not in line and "28" not in line.split('"')[-1]  # no query, no size
