"""How long the verify API's check takes for each kind of answer, in-process.

`is_valid_card` (what POST /api/v1/verify runs) is timed for "valid" and for every kind
of "not valid", 1,000 rounds, each round running every kind once in a fresh random
order, so drift in the machine's speed hits all kinds alike. It prints each kind's
median, its gap to "valid" paired by round, and the largest gap between two kinds
(goal: at most 10 us, so timing cannot tell one answer from another).

Run from the project root: .venv/bin/python -m bench.verify_timing [rounds]
"""

from __future__ import annotations

import base64
import itertools
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta

from idcard.statuslist import StatusBits
from idcard.tokens import CardClaims, SigningKey, encode_token, key_set
from idcard.verify.checks import is_valid_card
from idcard.verify.status import Snapshot

ROUNDS = 1_000
GOAL_US = 10.0
TODAY = date(2026, 3, 1)
LIST_ID, ACTIVE, REVOKED = 3, 98_765, 98_766


def _token(key: SigningKey, *, index: int = ACTIVE, list_id: int = LIST_ID,
           expires_on: date = date(2031, 6, 30), version: int = 1) -> str:
    return encode_token(CardClaims(bytes(range(16)), expires_on, list_id, index, version), key)


def _message(token: str) -> bytes:
    return base64.b32decode(token + "=" * (-len(token) % 8))


def _text(message: bytes) -> str:
    return base64.b32encode(message).rstrip(b"=").decode()


def _flip_last_signature_bit(token: str) -> str:
    raw = bytearray(_message(token))
    raw[-1] ^= 1
    return _text(bytes(raw))


def _long_signature_head(token: str) -> str:
    """The same envelope with the signature's length in a needless 2-byte head."""
    message = _message(token)
    return _text(message[:-66] + b"\x59\x00\x40" + message[-64:])


def _random_base32(rng: random.Random, length: int) -> str:
    """Canonical Base32 of random bytes: a token-sized text that is not CBOR."""
    return _text(rng.randbytes(length * 5 // 8))


def kinds(key: SigningKey, rounds: int) -> dict[str, list[object]]:
    """Inputs for "valid" and for each way a token can be "not valid" (one per round
    where they vary, as random text does)."""
    valid = _token(key)
    rng = random.Random(15)
    fixed: dict[str, object] = {
        "valid": valid,
        "revoked (status bit 1)": _token(key, index=REVOKED),
        "unknown status list": _token(key, list_id=LIST_ID + 1),
        "expired": _token(key, expires_on=TODAY - timedelta(days=1)),
        "unsupported version": _token(key, version=2),
        "forged (bad signature)": _flip_last_signature_bit(valid),
        "unknown key": _token(SigningKey.generate()),
        "not deterministic CBOR": _long_signature_head(valid),
        "CBOR cut short": _text(_message(valid)[:-5]),
        "truncated text": valid[:-8],
        "not Base32 (lower case)": valid.lower(),
        "garbage text": "NOT-A-TOKEN",
        "too long": "A" * 100_000,
        "not a string": 12345,
    }
    inputs = {name: [value] for name, value in fixed.items()}
    inputs["random Base32 (not CBOR)"] = [_random_base32(rng, len(valid)) for _ in range(rounds)]
    return inputs


def snapshot(key: SigningKey) -> Snapshot:
    """A verifier's state: the key, and one list with ACTIVE valid and REVOKED not."""
    bits = StatusBits.from_bytes(b"\xff" * (131_072 // 8))
    bits.set(ACTIVE, False)
    return Snapshot(keys=key_set([key.public_bytes]), lists={LIST_ID: bits})


def timings(rounds: int) -> dict[str, list[float]]:
    """Microseconds of is_valid_card per kind and round, kinds in a fresh order each round."""
    key = SigningKey.generate()
    inputs, state = kinds(key, rounds), snapshot(key)
    assert is_valid_card(inputs["valid"][0], state, TODAY)
    assert not any(is_valid_card(value, state, TODAY)
                   for name, values in inputs.items() if name != "valid" for value in values)
    samples: dict[str, list[float]] = {name: [] for name in inputs}
    order = list(inputs)
    clock = time.perf_counter_ns
    for round_number in range(rounds):
        random.shuffle(order)
        for name in order:
            values = inputs[name]
            value = values[round_number % len(values)]
            started = clock()
            is_valid_card(value, state, TODAY)
            samples[name].append((clock() - started) / 1000)
    return samples


def largest_paired_gap(samples: dict[str, list[float]]) -> tuple[float, str, str]:
    """The largest median, over rounds, of the difference between two kinds' times.

    Pairing each round's two times cancels the machine's drift, which on two shared
    cores is larger than the effect measured.
    """
    gaps = ((abs(statistics.median(a - b for a, b in zip(samples[x], samples[y], strict=True))),
             x, y) for x, y in itertools.combinations(samples, 2))
    return max(gaps)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    rounds = int(args[0]) if args else ROUNDS
    samples = timings(rounds)
    medians = {name: statistics.median(times) for name, times in samples.items()}
    for name, median in medians.items():
        paired = statistics.median(a - b for a, b in zip(samples[name], samples["valid"],
                                                           strict=True))
        print(f"verify timing: {name:<26} median {median:6.1f} us  ({paired:+5.1f} us vs valid, "
              "paired by round)")
    gap, first, second = largest_paired_gap(samples)
    spread = max(medians.values()) - min(medians.values())
    print(f"verify timing: largest gap between two kinds {gap:.1f} us paired by round "
          f"({first} vs {second}), {spread:.1f} us between medians "
          f"(goal, paired: <= {GOAL_US:.0f} us, {'met' if gap <= GOAL_US else 'NOT met'}); "
          f"{rounds} rounds, in-process, load average {os.getloadavg()[0]:.1f} on "
          f"{os.cpu_count()} cores")


if __name__ == "__main__":
    main()
