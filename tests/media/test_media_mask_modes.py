"""Masks in every mode Pillow reads, and masks for phone photos (EXIF orientations 1-8).

Each mode's mask has the same drawing: a 30% grey (edit) rectangle on white (keep). A mode
read on the wrong scale turns the grey into white (nothing to edit) or everything into black.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image, ImageDraw
from tryon_openai.models import INPUTS

from tryon.errors import InvalidInputError
from tryon.media import load_image
from tryon.media.masks import MASK_CACHE, mask_coverage, mask_to_white_edit, prepare_mask
from tryon.media.prepare import prepare_image, upright_for_mask

W, H = 40, 30
EDIT_BOX = (0, 0, 19, 14)  # the top-left quarter
EDIT_FRACTION = (20 * 15) / (W * H)


def _encode(image: Image.Image, fmt: str = "PNG", **save: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def _drawn(mode: str, keep: Any, edit: Any) -> Image.Image:
    image = Image.new(mode, (W, H), keep)
    ImageDraw.Draw(image).rectangle(EDIT_BOX, fill=edit)
    return image


def _palette_with_transparency() -> bytes:
    image = Image.new("P", (W, H), 1)
    image.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    ImageDraw.Draw(image).rectangle(EDIT_BOX, fill=0)
    return _encode(image, transparency=0)  # index 0 transparent = edit; but also black


def _grey16_trns() -> bytes:
    image = _drawn("I;16", 65535, 1234)
    return _encode(image, transparency=1234)


def _float_tiff(keep: float, edit: float) -> bytes:
    return _encode(_drawn("F", keep, edit), "TIFF")


MODES = {
    "I;16 PNG, 30% grey": _encode(_drawn("I;16", 65535, int(0.3 * 65535))),
    "I;16 PNG, 60% grey is keep": None,  # checked separately below
    "I (32-bit) TIFF with 16-bit values": _encode(_drawn("I", 65535, int(0.3 * 65535)), "TIFF"),
    "I (32-bit) TIFF with 8-bit values": _encode(_drawn("I", 255, 77), "TIFF"),
    "I;16B TIFF": _encode(_drawn("I;16B", 65535, int(0.3 * 65535)), "TIFF"),
    "F TIFF in 0-1": _float_tiff(1.0, 0.3),
    "F TIFF in 0-255": _float_tiff(255.0, 77.0),
    "F TIFF in 0-65535": _float_tiff(65535.0, 0.3 * 65535),
    "LA PNG (alpha)": _encode(_drawn("LA", (255, 255), (77, 0))),
    "P PNG with tRNS": _palette_with_transparency(),
    "I;16 PNG with tRNS": _grey16_trns(),
    "CMYK JPEG": _encode(_drawn("CMYK", (0, 0, 0, 0), (0, 0, 0, 178)), "JPEG", quality=95),
    "CMYK TIFF": _encode(_drawn("CMYK", (0, 0, 0, 0), (0, 0, 0, 178)), "TIFF"),
    "1-bit PNG": _encode(_drawn("1", 1, 0)),
    "L PNG 30% grey": _encode(_drawn("L", 255, 77)),
    "RGB PNG 30% grey": _encode(_drawn("RGB", (255, 255, 255), (77, 77, 77))),
    "RGBA opaque, 30% grey": _encode(_drawn("RGBA", (255, 255, 255, 255), (77, 77, 77, 255))),
    "P PNG without transparency": _encode(_drawn("RGB", (255, 255, 255), (77, 77, 77)).convert("P")),
    "L JPEG 30% grey": _encode(_drawn("L", 255, 77), "JPEG", quality=95),
    "16-bit RGB PNG (read as 8-bit)": _encode(_drawn("RGB", (255, 255, 255), (77, 77, 77))),
}
MODES = {k: v for k, v in MODES.items() if v is not None}


def _first() -> Any:
    return load_image(_encode(Image.new("RGB", (W, H), (120, 120, 120))))


@pytest.mark.parametrize("data", list(MODES.values()), ids=list(MODES))
def test_every_mask_mode_marks_the_grey_area_for_editing(data: bytes) -> None:
    mask, _ = prepare_mask(data, _first(), limits=INPUTS)
    assert mask_coverage(mask) == pytest.approx(EDIT_FRACTION, abs=0.02)
    with Image.open(io.BytesIO(mask.data)) as prepared:
        rgba = prepared.convert("RGBA")
        assert rgba.getpixel((5, 5))[3] < 128  # edit
        assert rgba.getpixel((35, 25))[3] == 255  # keep
    flux = mask_to_white_edit(mask)
    with Image.open(io.BytesIO(flux.data)) as white_edit:
        assert white_edit.convert("L").getpixel((5, 5)) > 128
        assert white_edit.convert("L").getpixel((35, 25)) == 0


@pytest.mark.parametrize("mode,value", [("I;16", int(0.6 * 65535)), ("F", 0.6), ("I", int(0.6 * 65535))])
def test_a_light_grey_in_a_wide_mode_is_keep_so_the_mask_marks_nothing(mode: str, value: Any) -> None:
    white = 65535 if mode != "F" else 1.0
    data = _encode(_drawn(mode, white, value), "TIFF" if mode != "I;16" else "PNG")
    with pytest.raises(InvalidInputError, match="marks nothing"):
        prepare_mask(data, _first(), limits=INPUTS)


def test_a_mask_check_is_cached_by_content() -> None:
    MASK_CACHE.clear()
    data = _encode(_drawn("L", 255, 77))
    first = _first()
    one, _ = prepare_mask(data, first, limits=INPUTS)
    two, _ = prepare_mask(bytes(data), first, limits=INPUTS)
    assert one == two and MASK_CACHE.hits == 1
    other = _encode(_drawn("L", 255, 78))  # one grey level apart: other bytes, checked anew
    prepare_mask(other, first, limits=INPUTS)
    assert MASK_CACHE.hits == 1 and MASK_CACHE.misses == 2


def test_a_refused_mask_is_refused_again_from_the_cache() -> None:
    MASK_CACHE.clear()
    white = _encode(Image.new("L", (W, H), 255))
    for _ in range(2):
        with pytest.raises(InvalidInputError, match="marks nothing"):
            prepare_mask(white, _first(), limits=INPUTS)
    assert MASK_CACHE.hits == 1


# --------------------------------------------------------------------------- phone photos

STORED = (48, 32)  # the stored (sensor) size; orientations 5-8 display it as 32x48
SWAPS = {5, 6, 7, 8}


def _photo(fmt: str, orientation: int) -> bytes:
    """A photo whose *displayed* top-left quarter is blue, stored as a camera stores it."""
    from PIL import ImageOps

    upright_size = (STORED[1], STORED[0]) if orientation in SWAPS else STORED
    upright = Image.new("RGB", upright_size, (200, 200, 200))
    ImageDraw.Draw(upright).rectangle((0, 0, upright_size[0] // 2 - 1, upright_size[1] // 2 - 1), fill=(0, 0, 255))
    # store the pixels so that applying the orientation gives the upright picture back
    inverse = {1: None, 2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
               4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
               6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270}
    stored = upright if inverse[orientation] is None else upright.transpose(inverse[orientation])
    assert stored.size == STORED
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = _encode(stored, fmt, exif=exif.tobytes(), **({"quality": 95} if fmt == "JPEG" else {}))
    with Image.open(io.BytesIO(data)) as check:
        assert ImageOps.exif_transpose(check).size == upright_size
    return data


def _upright_mask(orientation: int) -> bytes:
    """A mask drawn on the picture as displayed: edit its top-left quarter."""
    size = (STORED[1], STORED[0]) if orientation in SWAPS else STORED
    mask = Image.new("L", size, 255)
    ImageDraw.Draw(mask).rectangle((0, 0, size[0] // 2 - 1, size[1] // 2 - 1), fill=0)
    return _encode(mask)


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("fmt", ["JPEG", "TIFF", "PNG", "WEBP"])
def test_a_mask_is_drawn_on_the_upright_picture_for_every_format(fmt: str, orientation: int) -> None:
    source = load_image(_photo(fmt, orientation))
    assert source.orientation == orientation
    upright_size = (STORED[1], STORED[0]) if orientation in SWAPS else STORED
    assert source.upright_size == upright_size
    image, _ = prepare_image(source, INPUTS, strict=True)
    image, notices = upright_for_mask(image, INPUTS)
    assert image.size == upright_size and image.orientation == 1
    if orientation != 1 and fmt != "TIFF":  # TIFF is converted (upright) by prepare_image already
        assert any(n.code == "image-oriented" for n in notices)
    mask, _ = prepare_mask(_upright_mask(orientation), image, limits=INPUTS)
    assert mask.size == upright_size
    # the mask's edit area lies over the blue (displayed top-left) quarter of the image sent
    with Image.open(io.BytesIO(image.data)) as sent, Image.open(io.BytesIO(mask.data)) as m:
        assert sent.getexif().get(0x0112, 1) == 1
        r, _g, b = sent.convert("RGB").getpixel((2, 2))
        assert b > 180 and r < 80
        assert m.convert("RGBA").getpixel((2, 2))[3] == 0
        assert m.convert("RGBA").getpixel((upright_size[0] - 2, upright_size[1] - 2))[3] == 255


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_mask_drawn_on_the_stored_orientation_is_refused_with_the_displayed_size(fmt: str) -> None:
    image = load_image(_photo(fmt, 6))
    stored_mask = Image.new("L", STORED, 255)
    ImageDraw.Draw(stored_mask).rectangle((0, 0, 9, 9), fill=0)
    with pytest.raises(InvalidInputError, match=r"32x48 upright \(as displayed\)"):
        prepare_mask(_encode(stored_mask), image, limits=INPUTS)


def test_a_rotated_jpeg_mask_is_read_upright_too() -> None:
    image, _ = upright_for_mask(load_image(_photo("JPEG", 6)), INPUTS)
    upright = Image.new("L", (32, 48), 255)
    ImageDraw.Draw(upright).rectangle((0, 0, 15, 23), fill=0)
    stored = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    mask, _ = prepare_mask(_encode(stored, "JPEG", exif=exif.tobytes(), quality=95), image, limits=INPUTS)
    assert mask.size == (32, 48)
    with Image.open(io.BytesIO(mask.data)) as m:
        assert m.convert("RGBA").getpixel((2, 2))[3] == 0
        assert m.convert("RGBA").getpixel((30, 46))[3] == 255


def test_without_a_mask_a_rotated_jpeg_still_passes_through_byte_for_byte() -> None:
    data = _photo("JPEG", 6)
    image, notices = prepare_image(load_image(data), INPUTS)
    assert image.data == data and notices == []


def test_the_router_sends_a_rotated_photo_upright_with_its_mask(openai_router: Any, openai_emulator: Any) -> None:
    photo = _photo("JPEG", 6)
    result = openai_router.edit(photo, "make it red", model="gpt-image-2.6-sunburst", mask=_upright_mask(6))
    assert any(n.code == "image-oriented" for n in result.warnings)
    [request] = openai_emulator.requests_to("/images/edits")
    sent_image = request.files.get("image") or request.files.get("image[]")
    assert sent_image is not None
    with Image.open(io.BytesIO(sent_image[0].data)) as sent, \
            Image.open(io.BytesIO(request.files["mask"][0].data)) as mask:
        assert sent.size == mask.size == (32, 48)
        assert sent.getexif().get(0x0112, 1) == 1
