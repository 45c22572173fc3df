"""Images for try-on tests: a person, garments of distinct colours, a black = change mask."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def picture(size: tuple[int, int] = (512, 768), color: tuple[int, int, int] = (180, 90, 40),
            fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    return buf.getvalue()


def person(size: tuple[int, int] = (512, 768)) -> bytes:
    return picture(size, (180, 90, 40))


def shirt(size: tuple[int, int] = (384, 384)) -> bytes:
    return picture(size, (20, 60, 200))


def jeans(size: tuple[int, int] = (384, 512)) -> bytes:
    return picture(size, (10, 10, 90))


def torso_mask(size: tuple[int, int] = (512, 768)) -> bytes:
    """Black (change) over the torso, white (keep) elsewhere."""
    image = Image.new("L", size, 255)
    ImageDraw.Draw(image).rectangle((size[0] // 4, size[1] // 4, 3 * size[0] // 4, size[1] // 2), fill=0)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()
