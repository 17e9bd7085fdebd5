"""Partner API keys on the verify path, and the one usage record: a daily count.

Like the status bits, keys are read with plain queries and kept in memory, so the
hot path opens no ORM session. Counts are summed in memory and written at most
every FLUSH_SECONDS, per partner and day: nothing about which card was checked.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, date, datetime

from sqlalchemy import Integer, String, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from idcard.apikeys import hash_key
from idcard.models import UTCDateTime

KEYS_SQL = text(
    "SELECT key_hash, partner_id, expires_at FROM partner_key WHERE revoked_at IS NULL"
).columns(key_hash=String(), partner_id=Integer(), expires_at=UTCDateTime())
UPDATE_SQL = text("UPDATE partner_daily_count SET count = count + :n "
                  "WHERE partner_id = :partner AND day = :day")
INSERT_SQL = text("INSERT INTO partner_daily_count (partner_id, day, count) "
                  "VALUES (:partner, :day, :n)")
KEYS_REFRESH_SECONDS = 30.0
FLUSH_SECONDS = 10.0


class PartnerKeys:
    """Which partner a presented key belongs to, from a periodically refreshed map."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._keys: dict[str, tuple[int, datetime | None]] = {}
        self._loaded_at = float("-inf")
        self._lock = threading.Lock()

    def expire(self) -> None:
        self._loaded_at = float("-inf")

    def partner_for(self, key: str) -> int | None:
        """The partner id for a live key, or None for an unknown, revoked or expired one."""
        if time.monotonic() - self._loaded_at >= KEYS_REFRESH_SECONDS:
            with self._lock:
                self._load()
        found = self._keys.get(hash_key(key))
        if found is None:
            return None
        partner_id, expires_at = found
        if expires_at is not None and expires_at <= datetime.now(UTC):
            return None
        return partner_id

    def _load(self) -> None:
        with self._engine.connect() as conn:
            self._keys = {row[0]: (row[1], row[2]) for row in conn.execute(KEYS_SQL)}
        self._loaded_at = time.monotonic()


class UsageCounter:
    """Verifications per partner per day, summed in memory and flushed now and then."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._pending: Counter[tuple[int, date]] = Counter()
        self._flushed_at = time.monotonic()
        self._lock = threading.Lock()

    def add(self, partner_id: int) -> None:
        with self._lock:
            self._pending[(partner_id, datetime.now(UTC).date())] += 1
        if time.monotonic() - self._flushed_at >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write the pending counts (also called at shutdown and by tests)."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._flushed_at = time.monotonic()
        if not pending:
            return
        with self._engine.begin() as conn:
            for (partner_id, day), n in pending.items():
                _add_count(conn, partner_id, day, n)


def _add_count(conn: Connection, partner_id: int, day: date, n: int) -> None:
    params = {"partner": partner_id, "day": day, "n": n}
    if conn.execute(UPDATE_SQL, params).rowcount:
        return
    try:
        with conn.begin_nested():
            conn.execute(INSERT_SQL, params)
    except IntegrityError:  # another worker inserted the day's row first
        conn.execute(UPDATE_SQL, params)
