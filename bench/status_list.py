"""Status list size on the wire: 2,000,000 cards with 1% revoked.

Cards fill lists of 131,072 entries completely, in a keyed random order, as issuance
does (idcard.issuance.status_slots); each list is signed and compressed exactly as
/api/v1/status-lists/<id> serves it. A verifier downloads only its card's list.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime

from idcard.statuslist import MIN_STATUS_ENTRIES, StatusBits, sign_status_list
from idcard.tokens import SigningKey

CARDS = 2_000_000
REVOKED_SHARE = 0.01


def signed_lists(cards: int, revoked_share: float, rng: random.Random) -> list[bytes]:
    key = SigningKey.generate()
    per_list = MIN_STATUS_ENTRIES
    lists = []
    for list_id, start in enumerate(range(0, cards, per_list), start=1):
        held = min(per_list, cards - start)
        # As served: entries no card holds are 1, active cards 0, revoked cards 1.
        bits = StatusBits.from_bytes(b"\xff" * (MIN_STATUS_ENTRIES // 8))
        for index in rng.sample(range(MIN_STATUS_ENTRIES), held):
            bits.set(index, rng.random() < revoked_share)
        lists.append(sign_status_list(
            bits.to_bytes(), list_id, key, issued_at=datetime.now(UTC), ttl_seconds=300,
            uri=f"https://id.example-city.gov/api/v1/status-lists/{list_id}"))
    return lists


def main() -> None:
    started = time.perf_counter()
    lists = signed_lists(CARDS, REVOKED_SHARE, random.Random(2026))
    sizes = [len(signed) for signed in lists]
    full = statistics.median(sizes[:-1])  # every list but the newest is full
    raw = MIN_STATUS_ENTRIES // 8
    print(f"status list: {CARDS:,} cards, {REVOKED_SHARE:.0%} revoked -> {len(lists)} lists "
          f"of {MIN_STATUS_ENTRIES:,} entries")
    print(f"status list: a full list on the wire {full / 1024:.1f} KiB (raw bits "
          f"{raw / 1024:.0f} KiB, {raw / full:.1f}x smaller); the newest, partly filled "
          f"list {sizes[-1] / 1024:.1f} KiB")
    print(f"status list: all lists together {sum(sizes) / 1024:.0f} KiB "
          f"(built and signed in {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
