"""A check-in desk's verifier: one bit about a scanned card, from a cached key set and lists.

`Verifier` works offline from what it was given. `OnlineVerifier` also downloads the
issuer's key set and the status lists its cards name, and keeps them for their cache
times. Either way the card itself never leaves the machine: a status list holds every
card's bit, so downloading one says nothing about which card is being checked.
"""

from __future__ import annotations

import contextlib
import urllib.request
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from idcard_verifier.card import CardClaims, Step, decode_token, list_uri, token_from_text
from idcard_verifier.cose import InvalidToken
from idcard_verifier.keyset import InvalidKeySet, read_key_set
from idcard_verifier.statuslist import InvalidStatusList, StatusList, read_status_list

Fetch = Callable[[str], bytes]
KEY_SET_PATH = "/.well-known/cose-key-set"


class Answer(StrEnum):
    """What a desk learns about a card: the same strings as the JavaScript verifier."""

    VALID = "valid"
    NOT_VALID = "invalid"
    UNKNOWN = "unknown"  # no usable status list for this card here: cannot tell now


def _now() -> datetime:
    return datetime.now(UTC)


class Verifier:
    """Check cards against a key set and status lists held in memory."""

    def __init__(self, keys: Mapping[bytes, bytes], *,
                 max_list_age: timedelta = timedelta(hours=24)) -> None:
        self.keys = dict(keys)
        self.max_list_age = max_list_age
        self.lists: dict[int, StatusList] = {}

    @classmethod
    def from_key_set(cls, data: Mapping[str, Any] | str | bytes) -> Verifier:
        """Build a verifier from a saved JWK Set (JSON) or COSE Key Set (CBOR bytes)."""
        return cls(read_key_set(data))

    def add_status_list(self, cwt: bytes, *, now: datetime | None = None,
                        uri: str | None = None) -> StatusList:
        """Verify a status list and keep it, unless a newer one of its id is held.

        `uri`, when given, is where the list was downloaded: its `sub` must say the same.
        """
        status_list = read_status_list(cwt, self.keys, now=now or _now())
        if uri is not None and status_list.uri != uri:
            raise InvalidStatusList("the list names another URI than it was fetched from")
        held = self.lists.get(status_list.list_id)
        if held is None or held.issued_at <= status_list.issued_at:
            self.lists[status_list.list_id] = status_list
        return status_list

    def check(self, text: str, *, now: datetime | None = None) -> Answer:
        """Check a scanned QR text or a bare token: valid, not valid, or unknown."""
        moment = now or _now()
        try:
            claims = self._claims(token_from_text(text), moment)
        except InvalidToken:
            return Answer.NOT_VALID if self.keys else Answer.UNKNOWN
        status_list = self._status_list(claims.list_id, moment)
        if status_list is None or not self._usable(status_list, moment):
            return Answer.UNKNOWN
        return Answer.VALID if status_list.status(claims.index) == 0 else Answer.NOT_VALID

    def _claims(self, token: str, moment: datetime) -> CardClaims:
        return decode_token(token, self.keys, today=moment.date())

    def _status_list(self, list_id: int, moment: datetime) -> StatusList | None:
        return self.lists.get(list_id)

    def _usable(self, status_list: StatusList, moment: datetime) -> bool:
        """A list may answer until it expires and while it is not older than allowed."""
        return (moment < status_list.expires_at
                and moment - status_list.issued_at <= self.max_list_age)


def fetch_url(url: str) -> bytes:
    """GET a URL with a short timeout (the default way an OnlineVerifier downloads)."""
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the issuer's URL
        body: bytes = response.read()
    return body


class OnlineVerifier(Verifier):
    """A Verifier that downloads the issuer's key set and lists and keeps them cached."""

    def __init__(self, issuer_url: str, *, fetch: Fetch | None = None,
                 key_set_max_age: timedelta = timedelta(minutes=5), **options: Any) -> None:
        super().__init__({}, **options)
        self.issuer_url = issuer_url.rstrip("/")
        self.key_set_max_age = key_set_max_age
        self._fetch = fetch or fetch_url
        self._keys_at = datetime.min.replace(tzinfo=UTC)
        self._lists_at: dict[int, datetime] = {}  # when each list was last asked for

    def _claims(self, token: str, moment: datetime) -> CardClaims:
        if moment - self._keys_at > self.key_set_max_age:
            self._refresh_keys(moment)
        try:
            return super()._claims(token, moment)
        except InvalidToken as refusal:
            # Refused at the kid (the step after FORM): maybe a key rotated in since the
            # last download. Look once more, at most every minute, then answer.
            if refusal.done != Step.FORM or moment - self._keys_at < timedelta(minutes=1):
                raise
        self._refresh_keys(moment)
        return super()._claims(token, moment)

    def _refresh_keys(self, moment: datetime) -> None:
        self._keys_at = moment
        # On failure the keys held stay: they are the issuer's until it publishes others.
        with contextlib.suppress(OSError, InvalidKeySet):
            self.keys = read_key_set(self._fetch(self.issuer_url + KEY_SET_PATH))

    def _status_list(self, list_id: int, moment: datetime) -> StatusList | None:
        """The list, downloaded again once its ttl has passed since it was last asked for."""
        held = self.lists.get(list_id)
        ttl = timedelta(seconds=held.ttl_seconds if held else 60)
        asked = self._lists_at.get(list_id)
        if asked is None or moment - asked >= ttl:
            self._lists_at[list_id] = moment
            # On failure the list held, if any, still answers while it is usable.
            with contextlib.suppress(OSError, InvalidStatusList):
                uri = list_uri(self.issuer_url, list_id)
                self.add_status_list(self._fetch(uri), now=moment, uri=uri)
        return self.lists.get(list_id)
