"""Benchmark normalize_photo on a realistic 12 MP phone JPEG, with and without draft decoding.

Run from the project root: .venv/bin/python -m bench.photo
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable

from PIL import ExifTags, Image, ImageChops, ImageCms

from idcard.issuance import photos

WIDTH, HEIGHT = 4000, 3000  # 12 MP, stored landscape as phone sensors do
RUNS = 20


def phone_jpeg() -> bytes:
    """Build a 12 MP JPEG like a phone's: gradients, sensor noise, EXIF turn, ICC profile."""
    gradient = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    channels = [
        ImageChops.add(gradient.rotate(angle, expand=False), _noise(sigma), scale=1.6)
        for angle, sigma in ((0, 24), (90, 18), (180, 30))
    ]
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # held upright: the camera stores it on its side
    exif[ExifTags.Base.Model] = "Bench Phone 12"
    out = io.BytesIO()
    # Phones embed a colour profile (Display P3 on iPhones), which costs a conversion.
    icc_profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.merge("RGB", channels).save(out, "JPEG", quality=90, exif=exif, icc_profile=icc_profile)
    return out.getvalue()


def _noise(sigma: float) -> Image.Image:
    """Return grey sensor-like noise for one channel."""
    return Image.effect_noise((WIDTH, HEIGHT), sigma)


def median_ms(run: Callable[[], object], runs: int = RUNS) -> float:
    """Time `run` several times after one warm-up and return the median in milliseconds."""
    run()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def main() -> None:
    """Print the median time per card photo, with draft decoding and without."""
    raw = phone_jpeg()
    crop = photos.WHOLE_PHOTO
    fast = median_ms(lambda: photos._normalize(raw, crop, max_bytes=photos.MAX_BYTES, draft=True))
    plain = median_ms(lambda: photos._normalize(raw, crop, max_bytes=photos.MAX_BYTES, draft=False))
    print(
        f"photo: {WIDTH * HEIGHT / 1e6:.0f} MP JPEG ({len(raw) / 2**20:.1f} MB) -> card photo: "
        f"{fast:.1f} ms median (plain decode {plain:.1f} ms, {plain / fast:.2f}x faster)"
    )


if __name__ == "__main__":
    main()
