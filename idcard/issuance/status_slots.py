"""Where each new card sits in its status list: a keyed shuffle of the list's entries.

Cards take a list's entries in an order that looks random to anyone without the
index key (a small Feistel network: a keyed permutation of 0..size-1), so a card's
index says nothing about when or where it was issued, yet a list fills completely
without retries and long runs of valid cards compress well.
"""

from __future__ import annotations

import hashlib
import hmac

ROUNDS = 4


def slot_index(key: bytes, list_id: int, slot: int, size: int) -> int:
    """The index of the list's `slot`-th card: a bijection of 0..size-1 (size a power of 2)."""
    if size & (size - 1) or not 0 <= slot < size:
        raise ValueError("size must be a power of two and slot within it")
    half_bits = (size.bit_length()) // 2  # a balanced network over >= size values
    value = slot
    while True:  # cycle-walking: re-encrypt until the value falls inside the list
        value = _encrypt(key, list_id, value, half_bits)
        if value < size:
            return value


def _encrypt(key: bytes, list_id: int, value: int, half_bits: int) -> int:
    mask = (1 << half_bits) - 1
    left, right = value >> half_bits, value & mask
    for round_number in range(ROUNDS):
        left, right = right, left ^ _round(key, list_id, round_number, right, mask)
    return (left << half_bits) | right


def _round(key: bytes, list_id: int, round_number: int, half: int, mask: int) -> int:
    message = f"{list_id}:{round_number}:{half}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return int.from_bytes(digest[:4], "big") & mask
