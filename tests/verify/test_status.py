"""Verification's in-memory state: keys and status bits caught up from the database, and
signed status lists kept only while their bits are unchanged."""

from __future__ import annotations

from idcard.services import services
from idcard.verify.status import SignedLists, VerificationState
from tests.helpers import card_action, enrolled_resident, issue, latest_card, printed_card

HOUR = 3600.0


def test_a_changed_card_is_seen_after_expire_and_not_before(
    app, clerk_client, supervisor_client, db_session,
) -> None:
    card, _pdf = printed_card(clerk_client, db_session)
    state = VerificationState(services(app).engine, refresh_seconds=HOUR)
    before = state.current()
    assert before.is_valid(card.status_list_id, card.status_index)
    assert bytes.fromhex(card.kid) in before.keys
    card_action(supervisor_client, card, "suspend")
    # Within the refresh interval this process keeps its snapshot...
    assert state.current().is_valid(card.status_list_id, card.status_index)
    state.expire()
    # ...and after expire() (this process changed a card) it reads the change at once.
    assert not state.current().is_valid(card.status_list_id, card.status_index)
    card_action(supervisor_client, card, "unsuspend")
    state.expire()
    assert state.current().is_valid(card.status_list_id, card.status_index)


def test_with_no_interval_every_read_catches_up(
    app, clerk_client, supervisor_client, db_session,
) -> None:
    card, _pdf = printed_card(clerk_client, db_session)
    state = VerificationState(services(app).engine, refresh_seconds=0)
    assert state.current().is_valid(card.status_list_id, card.status_index)
    card_action(supervisor_client, card, "revoke", reason="fraud")
    assert not state.current().is_valid(card.status_list_id, card.status_index)


def test_entries_no_printed_card_holds_are_not_valid(app, clerk_client, db_session) -> None:
    printed, _pdf = printed_card(clerk_client, db_session)
    resident_id = enrolled_resident(clerk_client, name="Ana Lima")
    issue(clerk_client, resident_id)
    waiting = latest_card(db_session, resident_id)  # issued, not printed yet
    snapshot = VerificationState(services(app).engine, refresh_seconds=HOUR).current()
    size = len(snapshot.lists[printed.status_list_id])
    valid = [i for i in range(size) if snapshot.is_valid(printed.status_list_id, i)]
    assert valid == [printed.status_index]
    assert not snapshot.is_valid(waiting.status_list_id, waiting.status_index)
    assert not snapshot.is_valid(printed.status_list_id + 1000, 0)  # no such list


def test_revoked_signing_keys_leave_the_snapshot(app, clerk_client, db_session) -> None:
    card, _pdf = printed_card(clerk_client, db_session)
    state = VerificationState(services(app).engine, refresh_seconds=HOUR)
    assert set(state.current().keys) == {bytes.fromhex(card.kid)}
    runner = app.test_cli_runner()
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    assert runner.invoke(args=["keys", "revoke", card.kid, "--yes"]).exit_code == 0
    state.expire()
    keys = state.current().keys
    assert len(keys) == 1 and bytes.fromhex(card.kid) not in keys


def test_a_signed_list_is_reused_only_for_the_same_tick() -> None:
    signed = SignedLists(resign_seconds=HOUR)
    assert signed.get(1, 0) is None
    signed.put(1, 3, b"list one at tick 3")
    assert signed.get(1, 3) == b"list one at tick 3"
    assert signed.get(1, 4) is None  # its bits changed since: sign again
    assert signed.get(1, 2) is None
    assert signed.get(2, 3) is None  # another list
    signed.put(1, 4, b"list one at tick 4")
    assert signed.get(1, 4) == b"list one at tick 4"
    assert signed.get(1, 3) is None


def test_a_signed_list_is_signed_again_once_its_signature_ages() -> None:
    signed = SignedLists(resign_seconds=0)
    signed.put(1, 3, b"list one at tick 3")
    assert signed.get(1, 3) is None
