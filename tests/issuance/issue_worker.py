"""A separate process that issues cards, for the concurrent-issuance test.

Run as `python -m tests.issuance.issue_worker SETTINGS_JSON RESIDENT_ID...`. Card numbers are
drawn from a deliberately tiny pool so that processes collide and the retry on a
unique-constraint clash is exercised; status entries come from the shared counter.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import date
from pathlib import Path

from sqlmodel import Session

from idcard.audit import Actor
from idcard.db import make_engine
from idcard.issuance import cards
from idcard.keys import current_signer
from idcard.models import Resident
from idcard.vault import Vault

NUMBER_POOL = [f"{n:012d}" for n in range(100000000000, 100000000000 + 400)]


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text())
    rng = random.Random()
    cards.new_card_number = lambda: rng.choice(NUMBER_POOL)  # type: ignore[assignment]
    engine = make_engine(config["database_url"])
    vault = Vault(bytes.fromhex(config["master_key"]), bytes.fromhex(config["index_key"]))
    actor = Actor(config["staff_id"], config["site_id"])
    for resident_id in sys.argv[2:]:
        with Session(engine) as session:
            signer = current_signer(session, vault)
            resident = session.get(Resident, resident_id)
            cards.issue_card(session, vault, signer, resident, actor, cards.CardPolicy(),
                             today=date.today())
            session.commit()
    engine.dispose()


if __name__ == "__main__":
    main()
