"""A PNG grid of labelled thumbnails, to look at many results (or inputs) at once."""

from __future__ import annotations

import io
import math
import sys
import types
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tryon.errors import InvalidInputError
from tryon.media.inputs import image_from_bytes, open_image

if TYPE_CHECKING:
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

__all__ = ["contact_sheet"]

_PAD = 8
_LABEL_HEIGHT = 18
_TITLE_HEIGHT = 26
_CHECKER = 8
_BACKGROUND = (255, 255, 255)
_TEXT = (30, 30, 30)
_BORDER = (160, 160, 160)
"""A 1-pixel frame around each thumbnail, so white images (masks) stand out from the background."""


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except (OSError, TypeError, ValueError):  # no FreeType: the built-in bitmap font
        return ImageFont.load_default()


def _checkerboard(size: tuple[int, int]) -> PILImage.Image:
    from PIL import Image, ImageDraw

    board = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(board)
    for y in range(0, size[1], _CHECKER):
        for x in range((y // _CHECKER) % 2 * _CHECKER, size[0], 2 * _CHECKER):
            draw.rectangle((x, y, x + _CHECKER - 1, y + _CHECKER - 1), fill=(204, 204, 204))
    return board


def _thumbnail(data: bytes, index: int, thumb: int) -> PILImage.Image:
    from PIL import Image, ImageOps

    image = image_from_bytes(data, name=f"image {index}")
    with open_image(image) as pil:
        pil.draft(None, (thumb, thumb))
        pil.seek(0)
        pil.load()
        frame = ImageOps.exif_transpose(pil)
    frame.thumbnail((thumb, thumb), Image.Resampling.LANCZOS)
    has_alpha = frame.mode in ("RGBA", "LA", "PA") or "transparency" in frame.info
    if has_alpha:
        rgba = frame.convert("RGBA")
        board = _checkerboard(rgba.size).convert("RGBA")
        return Image.alpha_composite(board, rgba).convert("RGB")
    return frame.convert("RGB")


def _fit_text(draw: ImageDraw.ImageDraw, text: str, font: Any, width: int) -> str:
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "...", font=font) > width:
        text = text[:-1]
    return text + "..."


def _data_of(item: Any, index: int) -> bytes:
    if isinstance(item, bytes | bytearray | memoryview):
        return bytes(item)
    data = getattr(item, "data", None)
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    raise InvalidInputError(
        f"contact sheet item {index} is a {type(item).__name__}: expected bytes or an object with "
        ".data bytes",
        input_name=f"image {index}",
    )


def contact_sheet(
    images: Sequence[Any],
    labels: Sequence[str] | None = None,
    *,
    columns: int | None = None,
    thumb: int = 256,
    title: str | None = None,
) -> bytes:
    """Lay out *images* (encoded bytes, or objects with ``.data`` such as
    :class:`~tryon.media.InputImage` or a generated image) as a PNG grid of
    *thumb*-pixel thumbnails, each framed in grey with its label (default: its number) below,
    an optional *title* on top, transparent images shown over a checkerboard.
    """
    from PIL import Image, ImageDraw

    if not images:
        raise InvalidInputError("a contact sheet needs at least one image", input_name="images")
    if labels is not None and len(labels) != len(images):
        raise InvalidInputError(f"{len(labels)} labels given for {len(images)} images", input_name="labels")
    if thumb < 16:
        raise InvalidInputError(f"thumb must be at least 16 pixels, got {thumb}", input_name="thumb")
    count = len(images)
    cols = max(1, min(columns or math.ceil(math.sqrt(count)), count))
    rows = math.ceil(count / cols)
    cell_w, cell_h = thumb + _PAD, thumb + _LABEL_HEIGHT + _PAD
    top = _TITLE_HEIGHT if title else 0
    sheet = Image.new("RGB", (cols * cell_w + _PAD, top + rows * cell_h + _PAD), _BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    font = _font(12)
    if title:
        draw.text(
            (_PAD, 6), _fit_text(draw, title, _font(16), sheet.width - 2 * _PAD), fill=_TEXT, font=_font(16)
        )
    for index, item in enumerate(images):
        tile = _thumbnail(_data_of(item, index + 1), index + 1, thumb)
        row, col = divmod(index, cols)
        x0, y0 = _PAD + col * cell_w, top + _PAD + row * cell_h
        x, y = x0 + (thumb - tile.width) // 2, y0 + (thumb - tile.height) // 2
        sheet.paste(tile, (x, y))
        draw.rectangle((x - 1, y - 1, x + tile.width, y + tile.height), outline=_BORDER)
        label = labels[index] if labels is not None else str(index + 1)
        draw.text((x0, y0 + thumb + 3), _fit_text(draw, str(label), font, thumb), fill=_TEXT, font=font)
    buffer = io.BytesIO()
    sheet.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


class _CallableModule(types.ModuleType):
    """Keeps ``from tryon.media import contact_sheet; contact_sheet(...)`` working even when
    this submodule was imported first (importing a submodule rebinds the package attribute
    of the same name to the module)."""

    def __call__(self, *args: Any, **kwargs: Any) -> bytes:
        return contact_sheet(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
