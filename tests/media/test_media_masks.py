"""Masks: black = edit, white = keep; alpha PNGs as they are; conversions, resizing, FLUX inversion."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from media_helpers import image_bytes, make_image
from PIL import Image, ImageDraw

from tryon.errors import InvalidInputError, ValidationError
from tryon.media import InputImage, InputLimits, load_image, mask_coverage, mask_to_white_edit, prepare_mask

LIMITS = InputLimits(mask_max_bytes=4 * 1024 * 1024)


def encoded(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def first(size: tuple[int, int] = (64, 48)) -> InputImage:
    return load_image(image_bytes("PNG", size), name="person.png")


def rgba_mask(size: tuple[int, int] = (64, 48), hole: tuple[int, int, int, int] = (0, 0, 16, 12)) -> bytes:
    image = Image.new("RGBA", size, (255, 255, 255, 255))
    ImageDraw.Draw(image).rectangle(hole, fill=(0, 0, 0, 0))
    return encoded(image)


def black_white(
    mode: str, size: tuple[int, int] = (64, 48), box: tuple[int, int, int, int] = (0, 0, 31, 23)
) -> bytes:
    white: Any = {"L": 255, "1": 1, "RGB": (255, 255, 255)}[mode]
    black: Any = {"L": 0, "1": 0, "RGB": (0, 0, 0)}[mode]
    image = Image.new(mode, size, white)
    ImageDraw.Draw(image).rectangle(box, fill=black)
    return encoded(image)


def alpha_of(mask: InputImage) -> Image.Image:
    with Image.open(io.BytesIO(mask.data)) as image:
        assert image.mode == "RGBA"
        return image.getchannel("A").copy()


# --------------------------------------------------------------------------- accepted as is


def test_rgba_png_of_the_right_size_is_used_byte_for_byte() -> None:
    data = rgba_mask()
    mask, notices = prepare_mask(data, first(), limits=LIMITS)
    assert mask.data == data
    assert notices == []
    assert (mask.media_type, mask.size, mask.source_kind) == ("image/png", (64, 48), "mask")
    assert mask_coverage(mask) == pytest.approx(17 * 13 / (64 * 48))


def test_la_and_palette_transparency_masks_are_used_as_is() -> None:
    la = Image.new("LA", (64, 48), (255, 255))
    ImageDraw.Draw(la).rectangle((0, 0, 9, 9), fill=(0, 0))
    data = encoded(la)
    mask, _ = prepare_mask(data, first(), limits=LIMITS)
    assert mask.data == data
    palette = Image.new("P", (64, 48), 1)
    palette.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    ImageDraw.Draw(palette).rectangle((0, 0, 9, 9), fill=0)
    data = encoded_with_transparency(palette, 0)
    mask, _ = prepare_mask(data, first(), limits=LIMITS)
    assert mask.data == data
    assert mask_coverage(mask) == pytest.approx(100 / (64 * 48))


def encoded_with_transparency(image: Image.Image, index: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", transparency=index)
    return buffer.getvalue()


def test_mask_from_a_file_path(tmp_path: Path) -> None:
    path = tmp_path / "mask.png"
    path.write_bytes(rgba_mask())
    mask, _ = prepare_mask(path, first(), limits=LIMITS)
    assert mask.name == str(path) and mask.data == path.read_bytes()


# --------------------------------------------------------------------------- converted


@pytest.mark.parametrize("mode", ["L", "RGB", "1"])
def test_black_and_white_masks_become_alpha_png(mode: str) -> None:
    mask, notices = prepare_mask(black_white(mode), first(), limits=LIMITS)
    assert notices == []
    assert mask.media_type == "image/png" and mask.size == (64, 48)
    alpha = alpha_of(mask)
    assert alpha.getpixel((5, 5)) == 0  # black -> transparent -> edit
    assert alpha.getpixel((60, 40)) == 255  # white -> opaque -> keep
    with Image.open(io.BytesIO(mask.data)) as decoded:
        assert decoded.getpixel((5, 5)) == (0, 0, 0, 0)
        assert decoded.getpixel((60, 40)) == (255, 255, 255, 255)
    assert mask_coverage(mask) == pytest.approx(32 * 24 / (64 * 48))


def test_jpeg_grayscale_mask_is_thresholded() -> None:
    with Image.open(io.BytesIO(black_white("L"))) as gray:
        jpeg = encoded(gray, "JPEG")
    mask, _ = prepare_mask(jpeg, first(), limits=LIMITS)
    assert mask_coverage(mask) == pytest.approx(32 * 24 / (64 * 48), abs=0.02)


def test_threshold_decides_what_gray_means() -> None:
    image = Image.new("L", (64, 48), 255)
    ImageDraw.Draw(image).rectangle((0, 0, 31, 47), fill=100)  # left half mid-gray
    data = encoded(image)
    default, _ = prepare_mask(data, first(), limits=LIMITS)  # 100 < 128: edit
    assert mask_coverage(default) == pytest.approx(0.5)
    with pytest.raises(InvalidInputError, match="marks nothing to edit"):
        prepare_mask(data, first(), limits=LIMITS, threshold=100)  # 100 >= 100: keep everywhere
    assert mask_coverage(prepare_mask(data, first(), limits=LIMITS, threshold=101)[0]) == pytest.approx(0.5)


def test_fully_opaque_rgba_drawn_in_black_and_white_uses_luminance() -> None:
    image = Image.new("RGBA", (64, 48), (255, 255, 255, 255))
    ImageDraw.Draw(image).rectangle((0, 0, 31, 47), fill=(0, 0, 0, 255))
    mask, _ = prepare_mask(encoded(image), first(), limits=LIMITS)
    assert mask_coverage(mask) == pytest.approx(0.5)
    assert alpha_of(mask).getpixel((3, 3)) == 0


def test_webp_alpha_mask_is_converted_to_png() -> None:
    image = Image.new("RGBA", (64, 48), (255, 255, 255, 255))
    ImageDraw.Draw(image).rectangle((0, 0, 9, 9), fill=(0, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", lossless=True)
    mask, notices = prepare_mask(buffer.getvalue(), first(), limits=LIMITS)
    assert mask.media_type == "image/png"
    assert [n.code for n in notices] == ["mask-converted"]
    assert alpha_of(mask).getpixel((3, 3)) == 0


def test_same_aspect_other_size_is_resized_with_nearest_and_a_notice() -> None:
    mask, notices = prepare_mask(black_white("L", (128, 96), (0, 0, 63, 47)), first((64, 48)), limits=LIMITS)
    assert mask.size == (64, 48)
    assert [n.code for n in notices] == ["mask-resized"]
    assert notices[0].original == "128x96" and notices[0].applied == "64x48"
    alpha = alpha_of(mask)
    assert sum(alpha.histogram()[1:255]) == 0  # nearest neighbour: still two-valued
    assert mask_coverage(mask) == pytest.approx(0.25)


def test_rgba_mask_of_another_size_is_resized_keeping_alpha() -> None:
    mask, notices = prepare_mask(rgba_mask((32, 24), (0, 0, 7, 5)), first((64, 48)), limits=LIMITS)
    assert mask.size == (64, 48) and notices[0].code == "mask-resized"
    assert mask_coverage(mask) == pytest.approx(16 * 12 / (64 * 48))


def test_aspect_within_one_percent_is_resized() -> None:
    mask, notices = prepare_mask(
        black_white("L", (1000, 751), (0, 0, 10, 10)), first((400, 300)), limits=LIMITS
    )
    assert mask.size == (400, 300) and notices[0].code == "mask-resized"


def test_all_transparent_mask_edits_everything_with_a_notice() -> None:
    data = encoded(Image.new("RGBA", (64, 48), (0, 0, 0, 0)))
    mask, notices = prepare_mask(data, first(), limits=LIMITS)
    assert mask.data == data and notices == []
    gray, notices = prepare_mask(encoded(Image.new("L", (64, 48), 0)), first(), limits=LIMITS)
    assert mask_coverage(gray) == 1.0
    assert [n.code for n in notices] == ["mask-edits-everything"]


# --------------------------------------------------------------------------- refused


def test_other_aspect_ratio_is_an_error_naming_both_sizes() -> None:
    with pytest.raises(InvalidInputError) as info:
        prepare_mask(black_white("L", (48, 64), (0, 0, 5, 5)), first((64, 48)), limits=LIMITS)
    message = str(info.value)
    assert "48x64" in message and "64x48" in message and "person.png" in message and "aspect ratio" in message


@pytest.mark.parametrize(
    "data",
    [
        encoded(Image.new("L", (64, 48), 255)),
        encoded(Image.new("RGB", (64, 48), (255, 255, 255))),
        encoded(Image.new("RGBA", (64, 48), (255, 255, 255, 255))),
        encoded(Image.new("1", (64, 48), 1)),
        encoded(Image.new("RGBA", (64, 48), (0, 0, 0, 200))),  # only slightly transparent: nothing is "edit"
    ],
    ids=["white-L", "white-RGB", "opaque-white-RGBA", "white-1bit", "mostly-opaque-alpha"],
)
def test_a_mask_with_nothing_to_edit_is_an_error(data: bytes) -> None:
    with pytest.raises(InvalidInputError, match="marks nothing to edit"):
        prepare_mask(data, first(), limits=LIMITS)


def test_over_mask_max_bytes_is_an_error() -> None:
    import random

    rng = random.Random(3)
    image = Image.new("RGBA", (64, 48))
    image.putdata(
        [
            (rng.randrange(256), rng.randrange(256), rng.randrange(256), rng.choice((0, 255)))
            for _ in range(64 * 48)
        ]
    )
    data = encoded(image)
    small = InputLimits(mask_max_bytes=2000)
    for strict in (True, False):
        with pytest.raises(InvalidInputError, match=r"mask limit"):
            prepare_mask(data, first(), limits=small, strict=strict)


def test_mask_that_is_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "mask.png"
    path.write_text("not a mask")
    with pytest.raises(InvalidInputError, match=r"mask\.png.*not an image"):
        prepare_mask(path, first(), limits=LIMITS)


def test_missing_mask_file() -> None:
    with pytest.raises(InvalidInputError, match=r"no such file: 'nope-mask\.png'"):
        prepare_mask("nope-mask.png", first(), limits=LIMITS)


@pytest.mark.parametrize("threshold", [0, 256, -1])
def test_threshold_out_of_range(threshold: int) -> None:
    with pytest.raises(ValidationError, match="threshold"):
        prepare_mask(black_white("L"), first(), limits=LIMITS, threshold=threshold)


def test_anonymous_masks_are_named_as_masks_in_errors() -> None:
    with pytest.raises(InvalidInputError, match=r"mask 'mask \(bytes\)' marks nothing"):
        prepare_mask(encoded(Image.new("L", (64, 48), 255)), first(), limits=LIMITS)


# --------------------------------------------------------------------------- other conventions


def test_mask_to_white_edit_inverts_for_flux_fill() -> None:
    mask, _ = prepare_mask(rgba_mask(), first(), limits=LIMITS)
    flux = mask_to_white_edit(mask)
    assert flux.media_type == "image/png" and flux.size == mask.size
    with Image.open(io.BytesIO(flux.data)) as image:
        assert image.mode == "L"
        assert image.getpixel((3, 3)) == 255  # edit -> white
        assert image.getpixel((60, 40)) == 0  # keep -> black
    assert mask_coverage(mask) == pytest.approx(17 * 13 / (64 * 48))


def test_mask_to_white_edit_of_a_grayscale_mask(tmp_path: Path) -> None:
    mask = load_image(black_white("L"))
    with Image.open(io.BytesIO(mask_to_white_edit(mask).data)) as image:
        assert image.getpixel((3, 3)) == 255 and image.getpixel((60, 40)) == 0


def test_make_image_helper_builds_masks_too(tmp_path: Path) -> None:
    path = make_image(tmp_path, "PNG", (64, 48), "L", color=0)
    mask, notices = prepare_mask(path, first(), limits=LIMITS)
    assert mask_coverage(mask) == 1.0 and notices[0].code == "mask-edits-everything"
