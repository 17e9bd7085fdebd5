"""Turn an uploaded photo into a clean card photo: upright, 3:4, 600x800 JPEG, no metadata.

Everything a phone writes into a picture (GPS position, camera, time, thumbnails,
comments, XMP) stays behind: the output is a freshly encoded JPEG built from pixels
only. Anything we cannot decode completely and safely is refused with `PhotoError`.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from PIL import ExifTags, Image, ImageCms, ImageFile, ImageOps, JpegImagePlugin

from idcard.errors import N_, UserError

CARD_SIZE = (600, 800)
MIN_SIZE = (300, 400)  # below this the printed photo turns visibly blocky
MAX_BYTES = 15 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 50 MP phone picture fits; Pillow's own bomb limit is ~89 MP
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 85
WHITE = (255, 255, 255, 255)

# Orientations 5 to 8 turn the picture a quarter, so the stored width is the upright height.
_QUARTER_TURNS = frozenset({5, 6, 7, 8})
_DRAFT_SCALES = (8, 4, 2)  # the reductions libjpeg can apply while decoding
# What Pillow raises on broken or hostile files (see the except clauses in Image.open).
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error)
_BOMBS = (Image.DecompressionBombError, Image.DecompressionBombWarning)

Box = tuple[float, float, float, float]


class PhotoError(UserError):
    """A photo we refuse, with a message the clerk can act on."""


def _is_fraction(value: object) -> bool:
    """Tell whether a value is a finite number from 0 to 1."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and 0 <= value <= 1


@dataclass(frozen=True)
class Crop:
    """A crop box in fractions (0..1) of the upright (EXIF-rotated) image.

    x is the left edge, y the top edge, w the width and h the height.
    """

    x: float
    y: float
    w: float
    h: float

    def __post_init__(self) -> None:
        """Refuse a box that is not made of four fractions with some width and height."""
        for value in (self.x, self.y, self.w, self.h):
            if not _is_fraction(value):
                raise PhotoError(N_("The crop box must lie within the photo."))
        if self.w == 0 or self.h == 0:
            raise PhotoError(N_("The crop box is empty: choose an area of the photo."))


WHOLE_PHOTO = Crop(0.0, 0.0, 1.0, 1.0)


def normalize_photo(raw: bytes, crop: Crop | None = None, *, max_bytes: int = MAX_BYTES) -> bytes:
    """Return a card photo: upright, 3:4, about 600x800, JPEG, with no metadata at all."""
    return _normalize(raw, crop or WHOLE_PHOTO, max_bytes=max_bytes, draft=True)


def _normalize(raw: bytes, crop: Crop, *, max_bytes: int, draft: bool) -> bytes:
    """Run the whole pipeline; `draft=False` decodes at full size (for the benchmark)."""
    _check_length(raw, max_bytes)
    image = _open(raw)
    box = _crop_box(_upright_size(image), crop)
    _check_big_enough(box)
    if draft:
        _draft_for(image, box)
    upright = _decode_upright(image)
    icc_profile = upright.info.get("icc_profile")
    resized = _flatten(upright).resize(
        CARD_SIZE, Image.Resampling.LANCZOS, box=_crop_box(upright.size, crop)
    )
    return _encode(_to_srgb(resized, icc_profile))


def _check_length(raw: bytes, max_bytes: int) -> None:
    """Refuse an empty upload or one above the size limit, before parsing anything."""
    if not raw:
        raise PhotoError(N_("The photo file is empty."))
    if len(raw) > max_bytes:
        raise PhotoError(
            N_("The photo is larger than %(limit)s MB. Please choose a smaller file."),
            limit=f"{max_bytes / 2**20:.1f}".removesuffix(".0"),
        )


def _open(raw: bytes) -> ImageFile.ImageFile:
    """Identify the image and check its declared size without decoding any pixels."""
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # With this set, Pillow pads a truncated file with grey instead of failing.
        raise RuntimeError("PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False")
    try:
        # Pillow only warns between ~89 and ~179 MP; make that an error we can catch.
        # (catch_warnings is process-wide state; the worst a race can leave behind is
        # this same rule, which is harmless.)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw), formats=ACCEPTED_FORMATS)
    except _BOMBS:
        raise _too_many_pixels() from None
    except Image.UnidentifiedImageError:
        raise PhotoError(
            N_("This file is not a photo. Please use a JPEG, PNG or WebP picture.")
        ) from None
    except _DECODE_ERRORS:
        raise _damaged() from None
    if image.width * image.height > MAX_PIXELS:
        raise _too_many_pixels()
    return image


def _too_many_pixels() -> PhotoError:
    """Build the error for a picture with more pixels than we will decode."""
    return PhotoError(
        N_("The photo has more than %(limit)s megapixels. Please use a smaller picture."),
        limit=MAX_PIXELS // 1_000_000,
    )


def _damaged() -> PhotoError:
    """Build the error for a file that cannot be decoded completely."""
    return PhotoError(N_("The photo file is damaged or incomplete. Please take or send it again."))


@contextmanager
def _decoding() -> Iterator[None]:
    """Turn any decoding failure into a `PhotoError`."""
    try:
        yield
    except _BOMBS:
        raise _too_many_pixels() from None
    except _DECODE_ERRORS:
        raise _damaged() from None


def _orientation(image: Image.Image) -> int:
    """Read the EXIF orientation (1 = upright as stored)."""
    with _decoding():
        value = image.getexif().get(ExifTags.Base.Orientation, 1)
    return value if isinstance(value, int) else 1


def _upright_size(image: Image.Image) -> tuple[int, int]:
    """Return the image's width and height once EXIF orientation is applied."""
    width, height = image.size
    return (height, width) if _orientation(image) in _QUARTER_TURNS else (width, height)


def _crop_box(size: tuple[int, int], crop: Crop) -> Box:
    """Place the crop on an image of this size, clamped to it, shrunk to 3:4 around its centre."""
    width, height = size
    left, top = crop.x * width, crop.y * height
    right, bottom = min(crop.x + crop.w, 1.0) * width, min(crop.y + crop.h, 1.0) * height
    box_w, box_h = right - left, bottom - top
    aspect_w, aspect_h = CARD_SIZE
    fit_w = min(box_w, box_h * aspect_w / aspect_h)
    fit_h = fit_w * aspect_h / aspect_w
    centre_x, centre_y = left + box_w / 2, top + box_h / 2
    # Clamp again: float rounding can push an edge a hair outside, which resize() refuses.
    return (
        max(centre_x - fit_w / 2, 0.0),
        max(centre_y - fit_h / 2, 0.0),
        min(centre_x + fit_w / 2, float(width)),
        min(centre_y + fit_h / 2, float(height)),
    )


def _check_big_enough(box: Box) -> None:
    """Refuse a crop with too few pixels to print sharply."""
    min_w, min_h = MIN_SIZE
    # A hair of tolerance so that exactly 300x400 passes despite float rounding.
    if box[2] - box[0] < min_w - 0.01 or box[3] - box[1] < min_h - 0.01:
        raise PhotoError(
            N_("The photo is too small to print: the chosen area needs at least %(size)s pixels."),
            size=f"{min_w}x{min_h}",
        )


def _draft_for(image: Image.Image, box: Box) -> None:
    """Let libjpeg shrink while decoding, as far as the crop keeps 600x800 pixels."""
    if not isinstance(image, JpegImagePlugin.JpegImageFile):
        return
    card_w, card_h = CARD_SIZE
    box_w, box_h = box[2] - box[0], box[3] - box[1]
    scale = next((s for s in _DRAFT_SCALES if box_w / s >= card_w and box_h / s >= card_h), 1)
    if scale > 1:
        # The scale is the same on both axes, so the stored (unrotated) size works here;
        # width // scale makes draft() pick exactly this scale, not a larger one.
        image.draft(image.mode, (image.width // scale, image.height // scale))


def _decode_upright(image: ImageFile.ImageFile) -> Image.Image:
    """Decode every pixel (refusing truncated files) and apply the EXIF orientation."""
    with _decoding():
        image.load()
        ImageOps.exif_transpose(image, in_place=True)  # in place: no copy of the pixels
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """Reduce any mode to L, RGB or CMYK, laying transparency onto white."""
    if _has_transparency(image):
        rgba = image.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, WHITE), rgba).convert("RGB")
    if image.mode.startswith("I"):
        # 16-bit greyscale: scale to 8 bits (a plain convert would clip to white).
        return image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode in ("L", "RGB", "CMYK"):
        return image
    return image.convert("RGB")


def _has_transparency(image: Image.Image) -> bool:
    """Tell whether the image has an alpha channel or a transparent colour."""
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


@cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    """Build the sRGB profile once: card printers and browsers assume sRGB."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert to RGB, through the photo's ICC profile when it has a usable one."""
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(image, source, _srgb_profile(), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            converted = None  # a broken or mismatched profile costs colour accuracy only
        if converted is not None:
            return converted
    return image.convert("RGB")


def _encode(image: Image.Image) -> bytes:
    """Encode a fresh JPEG from the pixels alone."""
    # info carries the source's comment, EXIF, XMP and ICC along; the encoder reads some of it.
    image.info.clear()
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()
