"""Several processes issuing at once never repeat a card number, handle or status index."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from idcard.keys import current_signer
from idcard.models import Card, Resident, StaffUser
from idcard.services import services
from tests.helpers import enroll

PROCESSES = 4
CARDS_EACH = 15


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_concurrent_issuance_never_repeats(
    app, clerk_client, db_session, site, tmp_path: Path,
) -> None:
    for n in range(PROCESSES * CARDS_EACH):
        assert enroll(clerk_client, name=f"Resident {n}").status_code == 302
    settings = services(app).settings
    current_signer(db_session, services(app).vault)  # one key, not one per process
    db_session.commit()
    clerk = db_session.exec(select(StaffUser)).first()
    config = tmp_path / "worker.json"
    config.write_text(json.dumps({
        "database_url": settings.database_url, "master_key": settings.master_key.hex(),
        "index_key": settings.index_key.hex(), "staff_id": clerk.id, "site_id": site.id}))
    ids = [r.id for r in db_session.exec(select(Resident))]
    workers = [subprocess.Popen([sys.executable, "-m", "tests.issuance.issue_worker", str(config),
                                 *ids[i::PROCESSES]]) for i in range(PROCESSES)]
    assert [w.wait(timeout=300) for w in workers] == [0] * PROCESSES
    db_session.expire_all()
    issued = db_session.exec(select(Card)).all()
    assert len(issued) == PROCESSES * CARDS_EACH
    assert len({c.number_index for c in issued}) == len(issued)
    assert len({c.handle for c in issued}) == len(issued)
    assert len({(c.status_list_id, c.status_index) for c in issued}) == len(issued)
    assert len({c.status_tick for c in issued}) == len(issued)  # every change its own tick
