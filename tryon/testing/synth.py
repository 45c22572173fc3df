"""Real, deterministic images for emulator answers (Pillow).

Images are derived from a seed text (usually the prompt), so the same request
gives the same pixels and different prompts give visibly different images.
:func:`apply_mask_edit` implements mask semantics exactly, so tests can prove
end to end that a mask reached the provider: pixels under an opaque mask come
back unchanged, pixels under a fully transparent mask come back different.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageChops, ImageDraw

__all__ = ["FORMATS", "apply_mask_edit", "encode_image", "synth_image", "synth_partial"]

#: Output formats the synthesiser can write (``jpg`` is accepted as ``jpeg``).
FORMATS = ("png", "jpeg", "webp")
_PIL_FORMAT = {"png": "PNG", "jpeg": "JPEG", "jpg": "JPEG", "webp": "WEBP"}
_Colour = tuple[int, int, int]


def _palette(seed_text: str) -> tuple[_Colour, _Colour, _Colour, _Colour, int]:
    """Background, stripe, subject and detail colours plus a stripe count from the seed."""
    d = hashlib.sha256(seed_text.encode("utf-8")).digest()
    bg: _Colour = (d[0], d[1], d[2])
    stripe: _Colour = (d[0] ^ 0x30, d[1] ^ 0x30, d[2] ^ 0x30)
    subject: _Colour = (d[3], d[4], d[5])
    if sum(abs(a - b) for a, b in zip(bg, subject, strict=True)) < 160:
        subject = (bg[0] ^ 0xFF, bg[1] ^ 0xFF, bg[2] ^ 0xFF)
    detail: _Colour = (subject[0] ^ 0x80, subject[1] ^ 0x80, subject[2] ^ 0x80)
    return bg, stripe, subject, detail, 3 + d[6] % 6


def _render(width: int, height: int, seed_text: str, *, transparent: bool) -> Image.Image:
    """An RGBA picture: striped background (alpha 0 if transparent) and an opaque subject."""
    bg, stripe, subject, detail, stripes = _palette(seed_text)
    img = Image.new("RGBA", (width, height), (*bg, 0 if transparent else 255))
    draw = ImageDraw.Draw(img)
    if not transparent:
        step = max(4, (width + height) // (2 * stripes))
        for offset in range(-height, width, step):
            draw.line([(offset, height), (offset + height, 0)], fill=(*stripe, 255), width=max(1, step // 3))
    inset_x, inset_y = width // 5, height // 5
    draw.ellipse([inset_x, inset_y, width - inset_x - 1, height - inset_y - 1], fill=(*subject, 255))
    cx, cy, rx, ry = width // 2, height // 2, max(1, width // 10), max(1, height // 10)
    draw.rectangle([cx - rx, cy - ry, cx + rx, cy + ry], fill=(*detail, 255))
    return img


def encode_image(img: Image.Image, fmt: str, compression: int | None = None) -> bytes:
    """Encode ``img`` as png/jpeg/webp; ``compression`` (0-100) is used as the lossy quality."""
    key = fmt.lower()
    if key not in _PIL_FORMAT:
        raise ValueError(f"unsupported image format {fmt!r}; expected one of {FORMATS}")
    out = io.BytesIO()
    quality = 95 if compression is None else min(100, max(1, int(compression)))
    if _PIL_FORMAT[key] == "JPEG":
        img.convert("RGB").save(out, "JPEG", quality=quality)
    elif _PIL_FORMAT[key] == "WEBP":
        img.save(out, "WEBP", quality=quality, lossless=compression is None)
    else:
        img.save(out, "PNG", compress_level=1)
    return out.getvalue()


def synth_image(
    width: int,
    height: int,
    fmt: str,
    *,
    transparent: bool,
    seed_text: str,
    compression: int | None = None,
) -> bytes:
    """A ``width`` x ``height`` image whose pattern and colours derive from ``seed_text``.

    With ``transparent`` the image is RGBA: the background (everything outside the
    central subject, including the whole border) has alpha 0, the subject is opaque.
    """
    if width < 1 or height < 1:
        raise ValueError(f"invalid image size {width}x{height}")
    img = _render(width, height, seed_text, transparent=transparent)
    if not transparent:
        img = img.convert("RGB")
    return encode_image(img, fmt, compression)


def synth_partial(final_image: bytes, index: int, total: int, fmt: str) -> bytes:
    """A coarse preview of ``final_image`` for streamed partial image ``index`` of ``total``."""
    img = Image.open(io.BytesIO(final_image))
    img.load()
    factor = 2 ** max(1, total - index + 2)
    small = img.resize((max(1, img.width // factor), max(1, img.height // factor)), Image.Resampling.BOX)
    return encode_image(small.resize(img.size, Image.Resampling.NEAREST), fmt)


def _different_fill(base: Image.Image, seed_text: str, transparent: bool) -> Image.Image:
    """A synthetic RGBA fill whose every pixel clearly differs in colour from ``base``."""
    synthetic = _render(base.width, base.height, seed_text, transparent=transparent)
    base_rgb = base.convert("RGB")
    too_close = (
        ImageChops.difference(base_rgb, synthetic.convert("RGB"))
        .convert("L")
        .point(lambda v: 255 if v < 48 else 0)
    )
    flipped = base_rgb.point(lambda v: v ^ 0x80).convert("RGBA")
    flipped.putalpha(synthetic.getchannel("A"))
    return Image.composite(flipped, synthetic, too_close)


def apply_mask_edit(
    first_image_bytes: bytes,
    mask_png_bytes: bytes | None,
    width: int,
    height: int,
    fmt: str,
    seed_text: str,
    *,
    transparent: bool = False,
    compression: int | None = None,
) -> bytes:
    """Edit the first input image the way a masked edit is specified.

    The output is ``width`` x ``height``. Where the mask's alpha is non-zero (opaque)
    the pixels of the first image (resized with nearest-neighbour only if its size
    differs) are returned unchanged; where the mask's alpha is 0 they are replaced
    by a synthetic fill that clearly differs. Without a mask the whole image is
    replaced. With ``transparent`` the fill's background area has alpha 0.
    """
    with Image.open(io.BytesIO(first_image_bytes)) as src:
        has_alpha = src.mode in ("RGBA", "LA", "PA") or "transparency" in src.info
        base = src.convert("RGBA")
    if base.size != (width, height):
        base = base.resize((width, height), Image.Resampling.NEAREST)
    if mask_png_bytes is None:
        edit_area = Image.new("L", (width, height), 255)
    else:
        with Image.open(io.BytesIO(mask_png_bytes)) as mask_img:
            alpha = mask_img.convert("RGBA").getchannel("A")
        if alpha.size != (width, height):
            alpha = alpha.resize((width, height), Image.Resampling.NEAREST)
        edit_area = alpha.point(lambda a: 255 if a == 0 else 0)
    result = Image.composite(_different_fill(base, seed_text, transparent), base, edit_area)
    keeps_alpha = fmt.lower() in ("png", "webp") and (transparent or has_alpha)
    return encode_image(result if keeps_alpha else result.convert("RGB"), fmt, compression)
