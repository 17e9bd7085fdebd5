"""Card photos: upright, 3:4, 600x800 JPEG, no metadata; hostile or broken files refused."""

from __future__ import annotations

import io
import math
import struct
import warnings
import zlib

import pytest
from PIL import ExifTags, Image, ImageCms, ImageFile, PngImagePlugin

from idcard.errors import UserError
from idcard.issuance import photos
from idcard.issuance.photos import Crop, PhotoError, normalize_photo
from tests.helpers import encode_image

RED, GREEN, BLUE, YELLOW, WHITE = (220, 0, 0), (0, 200, 0), (0, 0, 220), (230, 230, 0), (255,) * 3

# Stored picture -> EXIF orientation: what the camera did, undone by the viewer.
STORED_TURN = {
    3: Image.Transpose.ROTATE_180,
    6: Image.Transpose.ROTATE_90,
    8: Image.Transpose.ROTATE_270,
}


# --- building test pictures ------------------------------------------------------------


def top_red_bottom_blue(size: tuple[int, int] = (900, 1200)) -> Image.Image:
    """Return an upright picture whose top half is red and bottom half blue."""
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, size[0], size[1] // 2))
    return image


def quadrants(size: tuple[int, int] = (1200, 1600)) -> Image.Image:
    """Return a picture with red, green / blue, yellow quadrants."""
    width, height = size
    image = Image.new("RGB", size)
    image.paste(RED, (0, 0, width // 2, height // 2))
    image.paste(GREEN, (width // 2, 0, width, height // 2))
    image.paste(BLUE, (0, height // 2, width // 2, height))
    image.paste(YELLOW, (width // 2, height // 2, width, height))
    return image


def stored_with_orientation(upright: Image.Image, orientation: int, **params: object) -> bytes:
    """Store an upright picture turned, with the EXIF tag that tells viewers to turn it back."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    return encode_image(upright.transpose(STORED_TURN[orientation]), exif=exif, **params)


def png_declaring(width: int, height: int) -> bytes:
    """Build a tiny PNG whose header claims a huge size (its pixel data is missing)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def jpeg_declaring(width: int, height: int) -> bytes:
    """Patch a small JPEG's frame header so that it claims a huge size."""
    raw = bytearray(encode_image(Image.new("RGB", (64, 64), RED)))
    sof = raw.index(b"\xff\xc0")
    raw[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(raw)


# --- reading results -------------------------------------------------------------------


def opened(out: bytes) -> Image.Image:
    """Decode a card photo for inspection."""
    image = Image.open(io.BytesIO(out))
    image.load()
    return image


def looks_like(pixel: tuple[int, ...], colour: tuple[int, ...], tolerance: int = 40) -> bool:
    """Compare colours loosely: JPEG moves every pixel a little."""
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def colours_at(out: bytes, *points: tuple[int, int]) -> list[tuple[int, ...]]:
    """Return the colours of a card photo at the given points."""
    image = opened(out)
    return [image.getpixel(point) for point in points]  # type: ignore[misc]


def jpeg_markers(jpeg: bytes) -> list[int]:
    """List the JPEG segment markers up to the start of the image data."""
    markers, pos = [], 2
    while pos < len(jpeg):
        assert jpeg[pos] == 0xFF
        marker = jpeg[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            return markers
        pos += 2 + struct.unpack(">H", jpeg[pos + 2 : pos + 4])[0]
    return markers


# --- the card photo --------------------------------------------------------------------


def test_card_photo_is_a_600_by_800_rgb_jpeg() -> None:
    out = normalize_photo(encode_image(top_red_bottom_blue((1500, 1000))))

    image = opened(out)
    assert (image.format, image.size, image.mode) == ("JPEG", (600, 800), "RGB")


def test_photo_error_is_a_user_error_with_a_plain_message() -> None:
    with pytest.raises(UserError) as refused:
        normalize_photo(b"")

    assert isinstance(refused.value, PhotoError)
    assert refused.value.message == "The photo file is empty."


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_rotated_photo_comes_out_upright(orientation: int) -> None:
    raw = stored_with_orientation(top_red_bottom_blue(), orientation)

    top_left, top_right, bottom_left, bottom_right = colours_at(
        normalize_photo(raw), (60, 60), (540, 60), (60, 740), (540, 740)
    )

    assert looks_like(top_left, RED) and looks_like(top_right, RED)
    assert looks_like(bottom_left, BLUE) and looks_like(bottom_right, BLUE)


def test_large_rotated_phone_photo_comes_out_upright_and_cropped() -> None:
    # Big enough that the decoder shrinks it while decoding; the crop is in upright terms.
    raw = stored_with_orientation(quadrants((3000, 4000)), 6, quality=90)

    out = normalize_photo(raw, Crop(0.5, 0.5, 0.5, 0.5))

    assert opened(out).size == (600, 800)
    assert all(looks_like(c, YELLOW) for c in colours_at(out, (20, 20), (580, 780)))


def test_exif_gps_camera_comment_xmp_and_icc_are_gone_from_the_output() -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "Spyphone 9"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (40.0, 42.0, 46.0)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    raw = encode_image(
        top_red_bottom_blue(),
        exif=exif,
        comment=b"taken at 12 Elm Street",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">Elm Street</x:xmpmeta>',
        icc_profile=srgb,
    )
    assert b"Spyphone" in raw and b"Elm Street" in raw  # the test input does carry them

    out = normalize_photo(raw)

    assert not opened(out).getexif()
    assert not set(jpeg_markers(out)) & {*range(0xE1, 0xF0), 0xFE}  # no APP1-15, no comment
    for secret in (b"Exif", b"GPS", b"Spyphone", b"Elm Street", b"ICC_PROFILE", b"xmp"):
        assert secret not in out


def test_png_text_and_exif_chunks_are_gone_from_the_output() -> None:
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Jane Resident")
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "Spyphone 9"

    out = normalize_photo(encode_image(top_red_bottom_blue(), "PNG", pnginfo=text, exif=exif))

    assert b"Jane Resident" not in out and b"Spyphone" not in out
    assert not opened(out).getexif()


# --- cropping --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("crop", "colour"),
    [
        (Crop(0.0, 0.0, 0.5, 0.5), RED),
        (Crop(0.5, 0.0, 0.5, 0.5), GREEN),
        (Crop(0.0, 0.5, 0.5, 0.5), BLUE),
        (Crop(0.5, 0.5, 0.5, 0.5), YELLOW),
    ],
)
def test_crop_box_selects_that_part_of_the_photo(crop: Crop, colour: tuple[int, ...]) -> None:
    out = normalize_photo(encode_image(quadrants()), crop)

    assert all(looks_like(c, colour) for c in colours_at(out, (10, 10), (590, 790), (300, 400)))


def test_wide_crop_is_narrowed_to_three_by_four_around_its_centre() -> None:
    # The top half of a 1200x1600 picture is 1200x800: the centred 600x800 straddles red|green.
    out = normalize_photo(encode_image(quadrants()), Crop(0.0, 0.0, 1.0, 0.5))

    left, right = colours_at(out, (100, 400), (500, 400))
    assert looks_like(left, RED) and looks_like(right, GREEN)


def test_crop_running_off_the_photo_is_clamped_to_it() -> None:
    out = normalize_photo(encode_image(quadrants()), Crop(0.5, 0.5, 1.0, 1.0))

    assert all(looks_like(c, YELLOW) for c in colours_at(out, (10, 10), (590, 790)))


def test_without_crop_the_centre_of_a_landscape_photo_is_kept() -> None:
    image = Image.new("RGB", (1600, 1200), BLUE)
    image.paste(RED, (300, 0, 1300, 1200))  # the centred 900x1200 is all red

    out = normalize_photo(encode_image(image))

    assert all(looks_like(c, RED) for c in colours_at(out, (3, 400), (596, 400)))


@pytest.mark.parametrize(
    "values",
    [
        (-0.1, 0.0, 0.5, 0.5),
        (0.0, 1.2, 0.5, 0.5),
        (0.0, 0.0, 1.5, 0.5),
        (math.nan, 0.0, 0.5, 0.5),
        (0.0, 0.0, math.inf, 0.5),
        (0.0, 0.0, 0.0, 0.5),
        (0.0, 0.0, 0.5, 0.0),
        ("0.1", 0.0, 0.5, 0.5),
    ],
)
def test_crop_box_outside_zero_to_one_or_empty_is_refused(values: tuple[object, ...]) -> None:
    with pytest.raises(PhotoError):
        Crop(*values)  # type: ignore[arg-type]


def test_crop_too_small_to_print_is_refused() -> None:
    # A tenth of 1200x1600 is 120x160 pixels, under the 300x400 minimum.
    with pytest.raises(PhotoError, match="too small"):
        normalize_photo(encode_image(quadrants()), Crop(0.0, 0.0, 0.1, 0.1))


@pytest.mark.parametrize("orientation", [1, 6])
@pytest.mark.parametrize(
    "crop",
    [
        Crop(0.0, 0.0, 1.0, 1.0),
        Crop(0.1, 0.1, 0.5, 0.8),
        Crop(0.0, 0.0, 0.3, 1.0),  # narrow once upright: rotation decides how far to shrink
        Crop(0.0, 0.0, 1.0, 0.45),
    ],
)
def test_shrunk_decoding_keeps_at_least_card_resolution_in_the_crop(
    orientation: int, crop: Crop
) -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    image = Image.open(io.BytesIO(encode_image(Image.new("RGB", (4000, 3000), RED), exif=exif)))

    photos._draft_for(image, photos._crop_box(photos._upright_size(image), crop))

    left, top, right, bottom = photos._crop_box(photos._upright_size(image), crop)
    assert right - left >= 600 - 1e-6 and bottom - top >= 800 - 1e-6


@pytest.mark.parametrize(
    ("orientation", "decoded_size"),
    [
        (1, (2000, 1500)),  # landscape: the centred 2250x3000 allows halving only
        (6, (1000, 750)),  # portrait: the whole 3000x4000 allows a quarter
    ],
)
def test_whole_phone_photo_is_decoded_shrunk(
    orientation: int, decoded_size: tuple[int, int]
) -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    image = Image.open(io.BytesIO(encode_image(Image.new("RGB", (4000, 3000), RED), exif=exif)))

    photos._draft_for(image, photos._crop_box(photos._upright_size(image), photos.WHOLE_PHOTO))

    assert image.size == decoded_size


# --- colour modes ----------------------------------------------------------------------


def test_transparent_png_is_laid_onto_white() -> None:
    image = Image.new("RGBA", (900, 1200), (0, 0, 0, 0))
    image.paste((220, 0, 0, 255), (300, 400, 600, 800))

    corner, centre = colours_at(normalize_photo(encode_image(image, "PNG")), (10, 10), (300, 400))

    assert looks_like(corner, WHITE, 5) and looks_like(centre, RED)


def test_palette_png_with_transparent_colour_is_laid_onto_white() -> None:
    image = top_red_bottom_blue().convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    blue_index = image.getpixel((0, 1199))

    out = normalize_photo(encode_image(image, "PNG", transparency=blue_index))

    top, bottom = colours_at(out, (300, 100), (300, 700))
    assert looks_like(top, RED) and looks_like(bottom, WHITE, 5)


def test_cmyk_jpeg_comes_out_in_rgb_colours() -> None:
    out = normalize_photo(encode_image(Image.new("CMYK", (900, 1200), (0, 255, 255, 0))))

    assert opened(out).mode == "RGB"
    assert looks_like(colours_at(out, (300, 400))[0], (255, 0, 0), 60)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_greyscale_photo_comes_out_as_rgb_grey(fmt: str) -> None:
    out = normalize_photo(encode_image(Image.new("L", (900, 1200), 128), fmt))

    assert opened(out).mode == "RGB"
    assert looks_like(colours_at(out, (300, 400))[0], (128, 128, 128), 3)


def test_sixteen_bit_greyscale_png_keeps_its_tones() -> None:
    # 40000 of 65535 is 156 of 255: clipping instead of scaling would give white.
    out = normalize_photo(encode_image(Image.new("I;16", (900, 1200), 40000), "PNG"))

    assert looks_like(colours_at(out, (300, 400))[0], (156, 156, 156), 3)


def test_webp_photo_is_accepted() -> None:
    out = normalize_photo(encode_image(top_red_bottom_blue(), "WEBP", quality=90))

    top, bottom = colours_at(out, (300, 100), (300, 700))
    assert looks_like(top, RED) and looks_like(bottom, BLUE)


def test_broken_icc_profile_is_dropped_without_refusing_the_photo() -> None:
    out = normalize_photo(encode_image(top_red_bottom_blue(), icc_profile=b"not a profile" * 20))

    assert b"not a profile" not in out
    assert looks_like(colours_at(out, (300, 100))[0], RED)


def test_animated_png_gives_its_first_frame() -> None:
    first, second = Image.new("RGB", (900, 1200), RED), Image.new("RGB", (900, 1200), BLUE)
    raw = encode_image(first, "PNG", save_all=True, append_images=[second], duration=100)

    assert looks_like(colours_at(normalize_photo(raw), (300, 400))[0], RED)


# --- refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n",
        b"just some text, not a picture\n",
        b"<!DOCTYPE html><html><body><img src=x></body></html>",
        b"\xff\xd8\xff",  # the first bytes of a JPEG and nothing else
    ],
)
def test_file_that_is_not_a_picture_is_refused(raw: bytes) -> None:
    with pytest.raises(PhotoError):
        normalize_photo(raw)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_picture_in_an_unsupported_format_is_refused(fmt: str) -> None:
    with pytest.raises(PhotoError, match="JPEG, PNG or WebP"):
        normalize_photo(encode_image(top_red_bottom_blue(), fmt))


def test_empty_upload_is_refused() -> None:
    with pytest.raises(PhotoError, match="empty"):
        normalize_photo(b"")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_photo_is_refused_not_half_decoded(fmt: str) -> None:
    raw = encode_image(Image.effect_noise((900, 1200), 40).convert("RGB"), fmt)

    with pytest.raises(PhotoError, match="damaged or incomplete"):
        normalize_photo(raw[: len(raw) * 2 // 3])


def test_photo_is_refused_while_truncated_loading_is_switched_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    with pytest.raises(RuntimeError):
        normalize_photo(encode_image(top_red_bottom_blue()))


def test_file_over_the_byte_limit_is_refused_before_reading_it() -> None:
    with pytest.raises(PhotoError, match="larger than 15 MB") as refused:
        normalize_photo(b"\xff" * (15 * 1024 * 1024 + 1))

    assert refused.value.params == {"limit": "15"}


def test_byte_limit_can_be_lowered() -> None:
    with pytest.raises(PhotoError, match="larger than"):
        normalize_photo(encode_image(top_red_bottom_blue()), max_bytes=1000)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(png_declaring(20_000, 20_000), id="png-400MP-over-pillow-error-limit"),
        pytest.param(png_declaring(10_000, 10_000), id="png-100MP-in-pillow-warning-band"),
        pytest.param(png_declaring(8_000, 8_000), id="png-64MP-over-our-limit"),
        pytest.param(jpeg_declaring(10_000, 10_000), id="jpeg-100MP"),
    ],
)
def test_decompression_bomb_is_refused_without_decoding_or_warning(
    raw: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse_to_decode(self: ImageFile.ImageFile) -> None:
        raise AssertionError("the pixels of a decompression bomb were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse_to_decode)
    assert len(raw) < 1000
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # as in production, where warnings are not errors
        with pytest.raises(PhotoError, match="megapixels"):
            normalize_photo(raw)

    assert not [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)]


def test_tiny_picture_is_refused() -> None:
    with pytest.raises(PhotoError, match="too small"):
        normalize_photo(encode_image(top_red_bottom_blue((200, 300))))


def test_picture_of_exactly_the_minimum_size_is_accepted() -> None:
    assert opened(normalize_photo(encode_image(top_red_bottom_blue((300, 400))))).size == (600, 800)
