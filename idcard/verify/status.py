"""What verification needs, kept in memory: published keys and every card's status bit.

The verify path must not open an ORM session per request (it halves throughput),
so this cache reads the database with two plain queries and only catches up on
what changed: every change of a card's validity stamps the card with the next
status-clock tick, and a refresh reads just the cards with a newer tick.
Refreshes happen at most every `refresh_seconds`; a worker that changes a card
calls `expire()` so its own next request sees the change at once.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Engine

from idcard.models import CardState
from idcard.statuslist import StatusBits

KEYS_SQL = text("SELECT kid, public_key FROM signing_key WHERE revoked_at IS NULL")
LISTS_SQL = text("SELECT id, size FROM status_list")
CHANGES_SQL = text(
    "SELECT status_list_id, status_index, state, status_tick FROM card WHERE status_tick > :tick")


@dataclass
class Snapshot:
    """Keys and status lists as of one refresh."""

    keys: dict[bytes, bytes] = field(default_factory=dict)
    lists: dict[int, StatusBits] = field(default_factory=dict)
    list_ticks: dict[int, int] = field(default_factory=dict)  # last change per list
    tick: int = -1

    def is_valid(self, list_id: int, index: int) -> bool:
        bits = self.lists.get(list_id)
        return bits is not None and 0 <= index < len(bits) and not bits.get(index)


class VerificationState:
    """A per-process, incrementally refreshed copy of keys and status bits."""

    def __init__(self, engine: Engine, refresh_seconds: float) -> None:
        self._engine = engine
        self._refresh_seconds = refresh_seconds
        self._snapshot = Snapshot()
        self._checked_at = float("-inf")
        self._lock = threading.Lock()

    def expire(self) -> None:
        """Make the next `current()` read the database (after this process changed it)."""
        self._checked_at = float("-inf")

    def current(self) -> Snapshot:
        """The snapshot, refreshed first if it is older than the refresh interval."""
        if time.monotonic() - self._checked_at >= self._refresh_seconds:
            with self._lock:
                if time.monotonic() - self._checked_at >= self._refresh_seconds:
                    self._refresh()
        return self._snapshot

    def _refresh(self) -> None:
        snapshot = self._snapshot
        with self._engine.connect() as conn:
            snapshot.keys = {bytes.fromhex(kid): bytes(public)
                             for kid, public in conn.execute(KEYS_SQL)}
            for list_id, size in conn.execute(LISTS_SQL):
                if list_id not in snapshot.lists:
                    # Entries no card holds are 1 (not valid): even a token minted
                    # with a leaked key fails unless it names an active card's index.
                    snapshot.lists[list_id] = StatusBits.from_bytes(b"\xff" * (size // 8))
                    snapshot.list_ticks[list_id] = 0
            for list_id, index, state, tick in conn.execute(CHANGES_SQL, {"tick": snapshot.tick}):
                snapshot.lists[list_id].set(index, state != CardState.ACTIVE)
                snapshot.list_ticks[list_id] = max(snapshot.list_ticks[list_id], tick)
                snapshot.tick = max(snapshot.tick, tick)
        self._checked_at = time.monotonic()


class SignedLists:
    """Each status list as last signed, kept until its bits change or its signature ages."""

    def __init__(self, resign_seconds: float) -> None:
        self._resign_seconds = resign_seconds
        self._signed: dict[int, tuple[int, float, bytes]] = {}  # id -> (tick, when, bytes)

    def get(self, list_id: int, tick: int) -> bytes | None:
        """The signed list if it was signed at this tick and recently enough."""
        cached = self._signed.get(list_id)
        if cached and cached[0] == tick and time.monotonic() - cached[1] < self._resign_seconds:
            return cached[2]
        return None

    def put(self, list_id: int, tick: int, signed: bytes) -> None:
        self._signed[list_id] = (tick, time.monotonic(), signed)
