"""Property tests of the mask reader: any bytes give a checked mask or a clear InvalidInputError,
and a drawn edit area is read as exactly that area whatever the mode and format."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw
from tryon_openai.models import INPUTS

from tryon.errors import InvalidInputError
from tryon.media import load_image
from tryon.media.masks import mask_coverage, prepare_mask

W, H = 32, 24
FIRST = Image.new("RGB", (W, H), (120, 120, 120))


def _png(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def _first():  # type: ignore[no-untyped-def]
    return load_image(_png(FIRST))


@given(st.binary(max_size=2048))
def test_any_bytes_give_a_mask_or_a_clear_error(data: bytes) -> None:
    try:
        prepare_mask(data, _first(), limits=INPUTS)
    except InvalidInputError as exc:
        assert str(exc)


@given(
    mode=st.sampled_from(["L", "RGB", "RGBA", "LA", "I;16", "1"]),
    fmt=st.sampled_from(["PNG", "TIFF"]),
    box=st.tuples(st.integers(0, W - 2), st.integers(0, H - 2), st.integers(1, W - 1), st.integers(1, H - 1)),
    grey=st.integers(0, 100),
)
def test_a_drawn_edit_area_is_read_as_that_area(mode: str, fmt: str, box: tuple[int, int, int, int],
                                                grey: int) -> None:
    x0, y0 = min(box[0], box[2]), min(box[1], box[3])
    x1, y1 = max(box[0], box[2]), max(box[1], box[3])
    scale = {"I;16": 257}.get(mode, 1)
    white = {"RGB": (255,) * 3, "RGBA": (255,) * 4, "LA": (255, 255), "1": 1}.get(mode, 255 * scale)
    dark = grey * scale
    edit = {"RGB": (grey,) * 3, "RGBA": (grey, grey, grey, 255), "LA": (grey, 255), "1": 0}.get(mode, dark)
    image = Image.new(mode, (W, H), white)
    ImageDraw.Draw(image).rectangle((x0, y0, x1, y1), fill=edit)
    mask, _ = prepare_mask(_png(image, fmt), _first(), limits=INPUTS)
    area = (x1 - x0 + 1) * (y1 - y0 + 1) / (W * H)
    assert abs(mask_coverage(mask) - area) <= 0.02
