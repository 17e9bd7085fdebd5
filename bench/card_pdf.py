"""Card PDF figures: QR encoding, one card against its floor, sheets, batch printing.

Run: .venv/bin/python -m bench.card_pdf            (batch of 1,000 cards)
     .venv/bin/python -m bench.card_pdf --full     (also 10,000 cards, ~1 minute)

Figures print as plain "name: value" lines. The floor is the same two pages drawn
without the QR (no encoding, no modules), so "ratio" is what the QR costs on top.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

from PIL import Image, ImageDraw, ImageFilter

from idcard.cardprint import batch, pdf, qr, sheet
from idcard.cardprint.face import CardDesign, CardFace, Layout

TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def sample_photo(seed: int) -> bytes:
    """A 600x800 JPEG about the size of a real normalized photo (~50 kB)."""
    rng = random.Random(seed)
    image = Image.effect_noise((600, 800), 40).convert("RGB")
    draw = ImageDraw.Draw(image, "RGBA")
    draw.ellipse((150, 140, 450, 520), fill=(190, 150, 120, 200))
    draw.rectangle((90, 560, 510, 800), fill=(rng.randrange(256), 60, 120, 220))
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def sample_face(k: int, photo: bytes) -> CardFace:
    rng = random.Random(k)
    token = "".join(rng.choice(TOKEN_CHARS) for _ in range(192))  # ~120-byte COSE_Sign1
    return CardFace(
        name="María José Pérez-Rodríguez" if k % 2 else "Nguyễn Thị Ánh Tuyết",
        date_of_birth=date(1990, 3, 15),
        card_number=f"{rng.randrange(10**12):012d}",
        expires_on=date(2031, 5, 1),
        photo_jpeg=photo,
        qr_text="https://id.example-city.gov/v#" + token,
        design=CardDesign("City of Example", (0, 76, 140), (242, 169, 0)),
        gender="F",
        address_lines=("c/o Grace Shelter", "123 Main Street", "Example City, NY 10001"),
    )


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Best-of-N milliseconds per call after a warm-up (robust to a busy machine)."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return min(samples)


def qrcode_matrix(text: str, level: str = "M") -> qr.QrMatrix:
    """The same symbol made by the qrcode package (pure Python mask evaluation)."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    n = len(code.modules)
    bits = sum(1 << (y * n + x) for y in range(n) for x in range(n) if code.modules[y][x])
    return qr.QrMatrix(code.version, level, code.mask_pattern or 0, n, bits)


def bench_qr(face: CardFace, repeat: int) -> None:
    text = face.qr_text
    ours = timed(lambda: qr.encode(text, "M"), repeat)
    print(f"qr text length: {len(text)} characters, version {qr.encode(text).version}-M")
    print(f"qr encode ms (idcard.cardprint.qr, all 8 masks scored): {ours:.3f}")
    theirs = timed(lambda: qrcode_matrix(text), max(repeat // 10, 5))
    print(f"qr encode ms (qrcode 8.2, all 8 masks scored): {theirs:.3f}")
    print(f"qr encode speed-up vs qrcode: {theirs / ours:.1f}x")
    try:
        import segno
    except ImportError:
        print("qr encode ms (segno): not installed")
    else:
        seg = timed(lambda: segno.make_qr(text, error="m", boost_error=False), repeat)
        print(f"qr encode ms (segno {segno.__version__}, all 8 masks scored): {seg:.3f}")


def bench_card(face: CardFace, repeat: int) -> None:
    card = timed(lambda: pdf.render_card(face), repeat)
    matrix = qr.encode(face.qr_text)
    with (
        mock.patch.object(pdf.qr, "encode", lambda text, level: matrix),
        mock.patch.object(pdf, "draw_qr", lambda *args: None),
    ):
        floor = timed(lambda: pdf.render_card(face), repeat)
    with mock.patch.object(pdf.qr, "encode", lambda text, level: qrcode_matrix(text)):
        with_qrcode = timed(lambda: pdf.render_card(face), max(repeat // 10, 5))
    print(f"card pdf ms: {card:.2f}")
    print(f"floor ms (same pages, no QR): {floor:.2f}")
    print(f"ratio card/floor: {card / floor:.2f} (target <= 3)")
    print(f"card pdf ms with the qrcode package instead: {with_qrcode:.2f}")
    print(f"ratio with the qrcode package: {with_qrcode / floor:.2f}")
    print(f"card pdf bytes: {len(pdf.render_card(face))}")
    ten = [replace(face, card_number=f"{k:012d}") for k in range(10)]
    per_card = timed(lambda: sheet.render_sheet(ten, "letter"), max(repeat // 10, 5)) / 10
    print(f"letter sheet ms per card (10 a sheet, one process): {per_card:.2f}")
    try:
        import _rl_accel  # noqa: F401

        print("reportlab C accelerator (rl_accel): installed")
    except ImportError:
        print("reportlab C accelerator (rl_accel): not installed")


class CountingSink(io.RawIOBase):
    """An output that only counts bytes, so the batch measures rendering, not disk."""

    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.size += len(data)
        return len(data)


class WorkerMemory(threading.Thread):
    """Track the peak RSS (VmHWM) of this process's descendants, i.e. the pool workers."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.2):
            for pid in _descendants(os.getpid()):
                self.peak_kb = max(self.peak_kb, _peak_rss_kb(pid))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _descendants(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        children = [child for child, parent in parents.items() if parent == pid]
        found.extend(children)
        frontier.extend(children)
    return found


def _peak_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_batch(count: int, layout: Layout, workers: int) -> None:
    """Print one batch's figures; meant to run in its own process (peak RSS is per process)."""
    photos = [sample_photo(seed) for seed in range(4)]

    def faces() -> Iterator[CardFace]:
        for k in range(count):
            yield sample_face(k, photos[k % len(photos)])

    sink = CountingSink()
    marks: list[int] = []
    watcher = WorkerMemory()
    watcher.start()
    start = time.perf_counter()
    written = batch.write_cards(faces(), sink, layout=layout, workers=workers,
                                     progress=marks.append)
    seconds = time.perf_counter() - start
    watcher.stop()
    parent = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = watcher.peak_kb / 1024
    tag = f"batch {written} cards layout={layout} workers={workers}"
    print(f"{tag}: {written / seconds:.0f} cards/s ({seconds:.1f} s)")
    print(f"{tag}: peak memory parent {parent:.0f} MB, largest worker {child:.0f} MB")
    print(f"{tag}: output {sink.size / 1e6:.0f} MB, progress callbacks {len(marks)}")


def batch_in_subprocess(count: int, layout: str, workers: int) -> None:
    args = ["--batch", str(count), "--layout", layout, "--workers", str(workers)]
    subprocess.run([sys.executable, "-m", "bench.card_pdf", *args], check=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="also batch 10,000 cards")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--layout", default="card", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.batch:
        run_batch(args.batch, args.layout, args.workers)
        return
    face = sample_face(1, sample_photo(1))
    bench_qr(face, args.repeat)
    bench_card(face, args.repeat)
    batch_in_subprocess(1000, "card", 0)
    batch_in_subprocess(1000, "card", 2)
    batch_in_subprocess(1000, "letter", 2)
    if args.full:
        batch_in_subprocess(10_000, "card", 2)
        batch_in_subprocess(10_000, "letter", 2)


if __name__ == "__main__":
    main()
