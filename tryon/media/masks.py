"""Edit masks: one convention in, whatever each provider needs out.

tryon's mask convention is the seed's: **black = edit, white = keep**. A mask may be

* a PNG (or WEBP...) with an alpha channel that is not fully opaque: transparent
  (alpha 0) = edit, opaque = keep - used as it is (byte for byte when it is already a
  PNG of the first image's size);
* a grayscale, RGB or 1-bit black-and-white image (or one whose alpha is fully opaque):
  a pixel whose luminance (ITU-R 601: ``0.299 R + 0.587 G + 0.114 B``, Pillow's ``"L"``)
  is **below** ``threshold`` (default 128) is edit, ``threshold`` or above is keep.
  Every mode is read on the 0-255 scale of its full range: 16-bit grayscale (``I;16``,
  or ``I`` with values above 255) is divided by 257, float (``F``) images in 0-1 are
  multiplied by 255, CMYK and palette images are converted to luminance, and palette
  or grayscale transparency (``tRNS``) counts as alpha.

Masks are read **upright, as the user sees them**: a mask's own EXIF orientation is
applied, and it is matched against the first image's upright size
(:attr:`~tryon.media.inputs.InputImage.upright_size`); the router sends that first image
upright too (:func:`tryon.media.prepare.upright_for_mask`), so a mask drawn over a phone
photo as displayed is right for every format.

The checks decode the mask once; their verdict for the same bytes and settings is kept in
a bounded cache keyed by the content hash (:data:`MASK_CACHE`), so a batch that reuses a
mask checks it once.

The prepared mask is an RGBA PNG of the first image's size: edit pixels are
``(0, 0, 0, 0)``, keep pixels ``(255, 255, 255, 255)``. A mask with the same aspect
ratio (within 1%) but another size is resized (nearest neighbour, ``mask-resized``);
another aspect ratio, a mask with nothing to edit, or one over ``mask_max_bytes``
is an error. :func:`mask_to_white_edit` converts to the opposite convention
(FLUX Fill: white = area to fill, black = keep).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import attrs

from tryon.errors import InvalidInputError, ValidationError
from tryon.media.cache import ContentCache, content_key
from tryon.media.inputs import Fetcher, ImageSource, InputImage, load_image, open_image
from tryon.media.limits import InputLimits, describe_bytes
from tryon.media.sniff import format_name
from tryon.notice import Notice

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = [
    "ASPECT_TOLERANCE",
    "DEFAULT_THRESHOLD",
    "MASK_CACHE",
    "mask_coverage",
    "mask_to_black_and_white",
    "mask_to_black_edit",
    "mask_to_white_edit",
    "prepare_mask",
]

#: Luminance below this (0-255) marks a pixel of a mask without alpha as "edit".
DEFAULT_THRESHOLD = 128

#: Relative aspect-ratio difference under which a mask is resized rather than refused.
ASPECT_TOLERANCE = 0.01


def _label(name: str) -> str:
    return repr(name if len(name) <= 80 else name[:77] + "...")


#: Verdicts of mask checks by content hash (bounded: entries and bytes); see the module docstring.
MASK_CACHE = ContentCache(max_entries=64, max_bytes=64 * 1024 * 1024)

_WIDE_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I")


def _minimum(channel: PILImage.Image) -> float:
    """The smallest value of a single-band image."""
    low = channel.getextrema()[0]
    return float(low[0] if isinstance(low, tuple) else low)


def _maximum(channel: PILImage.Image) -> float:
    """The largest value of a single-band image."""
    high = channel.getextrema()[1]
    return float(high[0] if isinstance(high, tuple) else high)


def _gray8(image: PILImage.Image) -> PILImage.Image:
    """Luminance as an "L" image on the 0-255 scale of the image mode's full range."""
    if image.mode == "L":
        return image
    if image.mode in _WIDE_MODES or image.mode == "F":
        wide = image.convert("F") if image.mode == "F" else image.convert("I")
        high = float(_maximum(wide))
        if image.mode.startswith("I;16") or (image.mode == "I" and high > 255) or (image.mode == "F" and high > 255):
            scale = 255 / 65535  # 16-bit samples
        elif image.mode == "F" and high <= 1.0:
            scale = 255.0  # float samples in 0-1
        else:
            scale = 1.0
        if wide.mode == "I":
            wide = wide.convert("F")
        return wide.point(lambda v: v * scale + 0.5).convert("L")
    if image.mode in ("RGB", "1", "P", "CMYK", "YCbCr"):
        return image.convert("L")
    return image.convert("RGB").convert("L")


def _alpha_channel(image: PILImage.Image) -> PILImage.Image | None:
    """The alpha channel ("L") of an image that has one, else ``None``."""
    if image.mode in ("RGBA", "LA", "RGBa", "La"):
        return image.getchannel("A")
    if image.mode == "PA":
        return image.convert("RGBA").getchannel("A")
    transparency = image.info.get("transparency")
    if transparency is None:
        return None
    if image.mode in _WIDE_MODES and isinstance(transparency, int):
        from PIL import ImageMath

        wide = image.convert("I")
        opaque = ImageMath.lambda_eval(lambda a: a["v"] != transparency, v=wide)
        return opaque.point(lambda v: v * 255).convert("L")
    if image.mode in ("P", "L", "RGB", "1"):
        return image.convert("RGBA").getchannel("A")
    return None


def alpha_minimum(image: PILImage.Image) -> float | None:
    """The lowest alpha of *image* (255 = opaque everywhere), or ``None`` when it has no alpha."""
    alpha = _alpha_channel(image)
    return None if alpha is None else _minimum(alpha)


def _keep_channel(image: PILImage.Image, threshold: int) -> tuple[PILImage.Image, bool]:
    """An "L" image where 0 = edit and 255 = keep, and whether it came from real alpha.

    Alpha is used when the image has some transparency; otherwise luminance is
    thresholded (dark = edit).
    """
    alpha = _alpha_channel(image)
    if alpha is not None and _minimum(alpha) < 255:
        return alpha, True
    lut = [0] * threshold + [255] * (256 - threshold)
    return _gray8(image).point(lut), False


def _upright(image: PILImage.Image) -> PILImage.Image:
    """*image* loaded and turned upright by its EXIF orientation (a copy only when it turns)."""
    from PIL import ImageOps

    image.seek(0)
    image.load()
    if image.getexif().get(0x0112, 1) in (2, 3, 4, 5, 6, 7, 8):
        return ImageOps.exif_transpose(image)
    return image


def _edit_fraction(keep: PILImage.Image) -> float:
    histogram = keep.histogram()[:256]
    total = sum(histogram)
    return sum(histogram[:128]) / total if total else 0.0


def prepare_mask(
    source: ImageSource,
    first_image: InputImage,
    *,
    limits: InputLimits,
    strict: bool = True,
    threshold: int = DEFAULT_THRESHOLD,
    fetcher: Fetcher | None = None,
    first_label: str = "the first image",
) -> tuple[InputImage, list[Notice]]:
    """Validate and convert a mask for *first_image* (see the module docstring; *first_label* is
    how messages name that image, e.g. ``"the person"`` for a try-on).

    In strict mode a mask already in the right form but over ``limits.mask_max_bytes`` is
    refused as it is; in lenient mode it is first re-encoded losslessly (optimized PNG).
    """
    if not 1 <= threshold <= 255:
        raise ValidationError(f"mask threshold must be between 1 and 255, got {threshold}")
    mask = load_image(source, fetcher=fetcher)
    if mask.source_kind in ("bytes", "base64", "data-url", "pil", "file") and mask.name in (
        "bytes",
        "base64 string",
        "data URL",
        "PIL image",
        "file object",
    ):
        mask = attrs.evolve(mask, name=f"mask ({mask.name})")
    target = first_image.upright_size
    key = (content_key(mask.data), mask.name, first_image.name, target, threshold, limits.mask_format,
           limits.mask_max_bytes, strict, first_label)
    cached = MASK_CACHE.get(key)
    if cached is None:
        try:
            cached = _check_mask(mask, first_image, target, limits, strict, threshold, first_label)
        except InvalidInputError as exc:
            cached = exc
        held = cached[0].nbytes if isinstance(cached, tuple) and cached[0] is not None else 0
        MASK_CACHE.put(key, cached, held + 512)
    if isinstance(cached, InvalidInputError):
        raise type(cached)(cached.message, input_name=cached.input_name)
    prepared, notices = cached
    return (attrs.evolve(mask, source_kind="mask") if prepared is None else prepared), list(notices)


def _check_mask(
    mask: InputImage, first_image: InputImage, target: tuple[int, int], limits: InputLimits, strict: bool,
    threshold: int, first_label: str = "the first image",
) -> tuple[InputImage | None, tuple[Notice, ...]]:
    """The prepared mask (``None``: the mask as it is) and the notices; raises when it is refused."""
    from PIL import Image

    label = _label(mask.name)
    notices: list[Notice] = []
    mask_size = mask.upright_size
    mask_ratio, image_ratio = mask_size[0] / mask_size[1], target[0] / target[1]
    if abs(mask_ratio - image_ratio) / image_ratio > ASPECT_TOLERANCE:
        shown = f"{mask_size[0]}x{mask_size[1]}" + (" upright" if mask.orientation != 1 else "")
        first = f"{target[0]}x{target[1]}" + (" upright (as displayed)" if first_image.orientation != 1 else "")
        raise InvalidInputError(
            f"mask {label} is {shown} but {first_label} {_label(first_image.name)} is {first}: the mask "
            "must have the image's size as displayed (or at least its aspect ratio)",
            input_name=mask.name,
        )

    with open_image(mask) as pil:
        upright = _upright(pil)
        keep, from_alpha = _keep_channel(upright, threshold)
        if _minimum(keep) >= 128:
            raise InvalidInputError(
                f"mask {label} marks nothing to edit: it is entirely white/opaque. Black (or transparent) "
                "pixels mark the area to edit; white (opaque) pixels are kept",
                input_name=mask.name,
            )
        same_size = upright.size == target
        if (from_alpha and same_size and mask.media_type == limits.mask_format and mask.orientation == 1
                and upright.mode not in _WIDE_MODES):  # 16-bit grey + tRNS: re-encoded as plain RGBA
            if limits.mask_max_bytes is None or mask.nbytes <= limits.mask_max_bytes:
                return None, ()  # byte for byte: nothing more to decode or encode
            if strict:
                raise _too_heavy(mask, mask.nbytes, limits)
        rgba = upright.convert("RGBA") if from_alpha and upright.mode not in _WIDE_MODES else None

    if not same_size:
        keep = keep.resize(target, Image.Resampling.NEAREST)
        if rgba is not None:
            rgba = rgba.resize(target, Image.Resampling.NEAREST)
        notices.append(
            Notice(
                "mask-resized",
                f"mask {label} resized from {mask_size[0]}x{mask_size[1]} to {target[0]}x{target[1]} to match "
                "the first image",
                option="mask",
                original=f"{mask_size[0]}x{mask_size[1]}",
                applied=f"{target[0]}x{target[1]}",
            )
        )
    if rgba is None:
        rgba = Image.merge("RGBA", (keep, keep, keep, keep))
    elif mask.media_type != limits.mask_format:
        notices.append(
            Notice(
                "mask-converted",
                f"mask {label} converted from {format_name(mask.media_type).upper()} to "
                f"{format_name(limits.mask_format).upper()}",
                option="mask",
                original=mask.media_type,
                applied=limits.mask_format,
            )
        )
    if _edit_fraction(keep) >= 1.0:
        notices.append(
            Notice("mask-edits-everything", f"mask {label} marks the whole image for editing", option="mask")
        )
    data = _encode_mask(rgba, limits.mask_format)
    if limits.mask_max_bytes is not None and len(data) > limits.mask_max_bytes:
        raise _too_heavy(mask, len(data), limits)
    prepared = InputImage(data, limits.mask_format, target[0], target[1], name=mask.name, source_kind="mask")
    return prepared, tuple(notices)


def _encode_mask(image: PILImage.Image, media_type: str) -> bytes:
    buffer = io.BytesIO()
    if media_type == "image/webp":
        image.save(buffer, format="WEBP", lossless=True, exact=True)
    else:
        image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _too_heavy(mask: InputImage, nbytes: int, limits: InputLimits) -> InvalidInputError:
    return InvalidInputError(
        f"mask {_label(mask.name)} is {describe_bytes(nbytes)}, over this model's "
        f"{describe_bytes(limits.mask_max_bytes or 0)} mask limit; use a simpler (two-colour) mask",
        input_name=mask.name,
    )


def _keep_of(mask: InputImage) -> PILImage.Image:
    """The loaded "keep" channel (0 = edit, 255 = keep) of a mask in tryon's convention."""
    with open_image(mask) as pil:
        upright = _upright(pil)
        alpha = _alpha_channel(upright)
        if alpha is not None and _minimum(alpha) < 255:
            return alpha
        return _gray8(upright)


def mask_to_white_edit(mask: InputImage) -> InputImage:
    """The opposite convention (FLUX Fill): a grayscale ("L") PNG of the same size where
    edit = 255 (white) and keep = 0 (black); partial transparency becomes gray."""
    from PIL import ImageOps

    inverted = ImageOps.invert(_keep_of(mask))
    buffer = io.BytesIO()
    inverted.save(buffer, format="PNG", optimize=True)
    return InputImage(
        buffer.getvalue(), "image/png", mask.width, mask.height, name=mask.name, source_kind="mask"
    )


def mask_to_black_and_white(mask: InputImage, *, edit: str = "black") -> InputImage:
    """A pure black-and-white RGB PNG of the same size (no gray, no alpha), for providers that take
    only those two values: edit pixels (alpha or luminance below 128) become *edit* (``"black"``,
    tryon's own convention, or ``"white"``), keep pixels the other."""
    if edit not in ("black", "white"):
        raise ValueError(f"edit must be 'black' or 'white', not {edit!r}")
    keep = _keep_of(mask)
    keep_value, edit_value = (255, 0) if edit == "black" else (0, 255)
    binary = keep.point(lambda v: keep_value if v >= DEFAULT_THRESHOLD else edit_value).convert("RGB")
    buffer = io.BytesIO()
    binary.save(buffer, format="PNG", optimize=True)
    return InputImage(
        buffer.getvalue(), "image/png", mask.width, mask.height, name=mask.name, source_kind="mask"
    )


def mask_to_black_edit(mask: InputImage) -> InputImage:
    """A grayscale ("L") PNG of the same size where edit = 0 (black) and keep = 255 (white), the
    convention of Ideogram's inpainting; partial transparency becomes gray."""
    buffer = io.BytesIO()
    _keep_of(mask).save(buffer, format="PNG", optimize=True)
    return InputImage(
        buffer.getvalue(), "image/png", mask.width, mask.height, name=mask.name, source_kind="mask"
    )


def mask_coverage(mask: InputImage) -> float:
    """Fraction (0-1) of the mask's pixels marked for editing (alpha or luminance < 128)."""
    return _edit_fraction(_keep_of(mask))
