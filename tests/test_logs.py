"""Logs carry events and ids, never personal data (privacy rule 6)."""

from __future__ import annotations

import logging

from tests.helpers import enroll, post_form

SECRETS = ("Oluwaseun", "Adébáyọ̀", "1979-08-30", "Quillfeather", "Vantongeren", "555-0142")


def test_enrolling_and_looking_up_log_no_personal_data(
    clerk_client, caplog, capsys,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="idcard")
    response = enroll(clerk_client, name="Oluwaseun Adébáyọ̀", born_on="1979-08-30",
                      address_line1="9 Quillfeather Lane", emergency_name="Ines Vantongeren",
                      emergency_phone="555-0142")
    clerk_client.get(response.headers["Location"])
    enroll(clerk_client, name="Oluwaseun Adébáyọ̀", born_on="1979-08-30", documents=[])
    post_form(clerk_client, "/staff/lookup", {"name": "Oluwaseun Adébáyọ̀",
                                             "born_on": "1979-08-30"})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    captured = capsys.readouterr()
    everything = logged + captured.out + captured.err
    assert "resident.enroll" in logged  # the events themselves are there
    for secret in SECRETS:
        assert secret not in everything, secret
