"""Status entries are handed out in a keyed random order that covers the whole list."""

from __future__ import annotations

import pytest

from idcard.issuance.status_slots import slot_index

KEY = b"k" * 32


@pytest.mark.parametrize("size", [16, 1024, 8192])
def test_every_slot_gets_its_own_index(size: int) -> None:
    indexes = [slot_index(KEY, 1, slot, size) for slot in range(size)]
    assert sorted(indexes) == list(range(size))


def test_the_order_looks_random_and_depends_on_key_and_list() -> None:
    first = [slot_index(KEY, 1, slot, 131072) for slot in range(64)]
    assert first != sorted(first) and len(set(first)) == 64
    assert first != [slot_index(b"x" * 32, 1, slot, 131072) for slot in range(64)]
    assert first != [slot_index(KEY, 2, slot, 131072) for slot in range(64)]
    assert max(first) > 131072 // 2  # spread over the whole list, not its start


def test_bad_sizes_and_slots_are_refused() -> None:
    with pytest.raises(ValueError):
        slot_index(KEY, 1, 0, 1000)
    with pytest.raises(ValueError):
        slot_index(KEY, 1, 16, 16)
