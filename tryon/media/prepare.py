"""Make input images fit what a model accepts (:class:`~tryon.media.limits.InputLimits`).

An image whose real type the model accepts and that is within its limits is passed
through byte for byte: no decode, no re-encode. Otherwise:

* a type the model does not take (BMP, TIFF, GIF (first frame), AVIF/HEIC, or PNG for
  a JPEG-only model...) is converted - to PNG with alpha kept, or to the model's first
  accepted type when PNG is not one - with EXIF orientation applied (``image-converted``);
* an image over ``max_pixels``/``max_edge``/``max_bytes`` is refused in strict mode
  (the error names the input, its size, the limit and the fix); in lenient mode it is
  downscaled (same aspect ratio, Lanczos) and/or recompressed until it fits
  (``image-downscaled`` / ``image-recompressed``).

Too many images is always an error. The order of the images is preserved.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from tryon.errors import InvalidInputError
from tryon.media.inputs import Fetcher, ImageSource, InputImage, as_source_list, load_images, open_image
from tryon.media.limits import InputLimits, describe_bytes, describe_pixels
from tryon.media.sniff import format_name, pillow_format
from tryon.notice import Notice

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = ["encode_image", "prepare_image", "prepare_images", "upright_for_mask"]

_LOSSY = frozenset({"image/jpeg", "image/webp", "image/avif"})
_ALPHA_CAPABLE = frozenset({"image/png", "image/webp", "image/avif", "image/tiff", "image/gif"})
_START_QUALITY = 90
_QUALITY_STEPS = (80, 70, 60, 50)
_MIN_EDGE = 16
_SHRINK = 0.8


def _label(image: InputImage) -> str:
    name = image.name
    return repr(name if len(name) <= 80 else name[:77] + "...")


def _has_alpha(image: PILImage.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode in ("P", "L", "RGB", "1", "I") and "transparency" in image.info
    )


def _normalize_mode(image: PILImage.Image, media_type: str) -> tuple[PILImage.Image, bool]:
    """RGB or RGBA for encoding as *media_type*; flattens alpha onto white for formats
    without alpha. Returns the image and whether transparency was flattened."""
    from PIL import Image

    alpha = _has_alpha(image)
    if alpha and media_type in _ALPHA_CAPABLE:
        return (image if image.mode == "RGBA" else image.convert("RGBA")), False
    if alpha:
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB"), True
    return (image if image.mode == "RGB" else image.convert("RGB")), False


def encode_image(image: PILImage.Image, media_type: str, *, quality: int = _START_QUALITY) -> bytes:
    """Encode a PIL image as *media_type* (PNG lossless; JPEG/WEBP/AVIF at *quality*)."""
    fmt = pillow_format(media_type)
    if fmt is None or fmt == "HEIF":
        raise InvalidInputError(f"tryon cannot encode {media_type} images", input_name=media_type)
    buffer = io.BytesIO()
    if fmt == "PNG":
        image.save(buffer, format="PNG", optimize=image.width * image.height <= 4_000_000)
    elif fmt == "JPEG":
        image.save(buffer, format="JPEG", quality=quality, optimize=True)
    elif fmt in ("WEBP", "AVIF"):
        image.save(buffer, format=fmt, quality=quality)
    else:
        image.save(buffer, format=fmt)
    return buffer.getvalue()


def _fits_bytes(data: bytes, limit: int | None) -> bool:
    return limit is None or len(data) <= limit


def _too_large(image: InputImage, limits: InputLimits) -> InvalidInputError:
    size = f"{image.width}x{image.height} ({describe_pixels(image.pixels)})"
    return InvalidInputError(
        f"image {_label(image)} is {size}, larger than this model accepts (at most "
        f"{limits.describe_size_limit()}); downscale it, or allow automatic downscaling (strict=False)",
        input_name=image.name,
    )


def _too_heavy(image: InputImage, nbytes: int, limits: InputLimits, after: str = "") -> InvalidInputError:
    return InvalidInputError(
        f"image {_label(image)} is {describe_bytes(nbytes)}{after}, over this model's "
        f"{describe_bytes(limits.max_bytes or 0)} per-image limit; compress or downscale it, "
        "or allow automatic recompression (strict=False)",
        input_name=image.name,
    )


def prepare_image(
    image: InputImage, limits: InputLimits, *, strict: bool = True
) -> tuple[InputImage, list[Notice]]:
    """Fit one loaded image to *limits* (see the module docstring)."""
    accepted = limits.accepts(image.media_type)
    target = limits.scale_to_fit(image.width, image.height)
    over_bytes = not _fits_bytes(image.data, limits.max_bytes)
    if accepted and target is None and not over_bytes:
        return image, []
    if strict and target is not None:
        raise _too_large(image, limits)
    if strict and accepted and over_bytes:
        raise _too_heavy(image, image.nbytes, limits)
    return _reencode(image, limits, strict=strict, converting=not accepted)


def _reencode(
    image: InputImage, limits: InputLimits, *, strict: bool, converting: bool
) -> tuple[InputImage, list[Notice]]:
    from PIL import Image, ImageOps

    out_type = limits.conversion_type if converting else image.media_type
    notices: list[Notice] = []
    with open_image(image) as pil:
        frames = image.frames  # counted from the structure: asking Pillow would decode every frame
        orientation = pil.getexif().get(0x0112, 1)
        swapped = orientation in (5, 6, 7, 8)
        upright = (image.height, image.width) if swapped else (image.width, image.height)
        target = limits.scale_to_fit(*upright)
        if target is not None and image.media_type == "image/jpeg":
            stored = (target[1], target[0]) if swapped else target
            pil.draft(None, stored)  # decode at 1/2, 1/4 or 1/8 scale when that is enough
        pil.seek(0)
        pil.load()
        frame = ImageOps.exif_transpose(pil)
    frame, flattened = _normalize_mode(frame, out_type)
    if target is not None and frame.size != target:
        frame = frame.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    data = encode_image(frame, out_type)
    # the original was accepted but too heavy: re-encoding it at all is a recompression
    recompressed = not converting and not _fits_bytes(image.data, limits.max_bytes)
    if not _fits_bytes(data, limits.max_bytes):
        if strict:
            after = f" after conversion to {format_name(out_type).upper()}" if converting else ""
            raise _too_heavy(image, len(data), limits, after=after)
        frame, data, out_type, squeezed = _squeeze(image, frame, out_type, limits)
        recompressed = recompressed or squeezed

    if converting:
        extra = f" (first frame of {frames})" if frames > 1 else ""
        flat = "; transparency flattened onto white" if flattened else ""
        notices.append(
            Notice(
                "image-converted",
                f"image {_label(image)} converted from {format_name(image.media_type).upper()} to "
                f"{format_name(out_type).upper()}{extra}: the model does not accept "
                f"{format_name(image.media_type).upper()}{flat}",
                option="images",
                original=image.media_type,
                applied=out_type,
            )
        )
    if recompressed:
        notices.append(
            Notice(
                "image-recompressed",
                f"image {_label(image)} re-encoded as {format_name(out_type).upper()} to fit the model's "
                f"{describe_bytes(limits.max_bytes or 0)} per-image limit "
                f"({describe_bytes(image.nbytes)} -> {describe_bytes(len(data))})",
                option="images",
                original=image.nbytes,
                applied=len(data),
            )
        )
    if frame.size != (image.width, image.height) and frame.size != (image.height, image.width):
        notices.append(
            Notice(
                "image-downscaled",
                f"image {_label(image)} downscaled from {image.width}x{image.height} to "
                f"{frame.width}x{frame.height} to fit the model's limits",
                option="images",
                original=f"{image.width}x{image.height}",
                applied=f"{frame.width}x{frame.height}",
            )
        )
    result = InputImage(
        data, out_type, frame.width, frame.height, name=image.name, source_kind=image.source_kind
    )
    return result, notices


def upright_for_mask(
    image: InputImage, limits: InputLimits, *, strict: bool = True
) -> tuple[InputImage, list[Notice]]:
    """The first image of an edit with a mask, turned upright when EXIF says it is displayed rotated.

    A mask is drawn on the picture as the user sees it; sending the stored pixels with an
    orientation tag would leave it to each provider whether they agree. So an image with EXIF
    orientation 2-8 is re-encoded upright (same type, or the model's conversion type when the
    model does not take it) with an ``image-oriented`` notice; any other image is returned as it is.
    """
    if image.orientation == 1:
        return image, []
    accepted = limits.accepts(image.media_type)
    upright, notices = _reencode(image, limits, strict=strict, converting=not accepted)
    notices.append(
        Notice(
            "image-oriented",
            f"image {_label(image)} turned upright (EXIF orientation {image.orientation}) so that the mask, "
            "drawn on the image as displayed, matches it",
            option="images",
            original=image.orientation,
            applied=1,
        )
    )
    return upright, notices


def _squeeze(
    image: InputImage, frame: PILImage.Image, media_type: str, limits: InputLimits
) -> tuple[PILImage.Image, bytes, str, bool]:
    """Recompress, then shrink, until the encoded image fits ``limits.max_bytes``.

    Returns ``(frame, data, media_type, recompressed)``; ``frame`` may be smaller.
    """
    from PIL import Image

    alpha = frame.mode == "RGBA"
    candidates = [media_type] if media_type in _LOSSY else []
    for lossy in ("image/jpeg", "image/webp"):
        if (
            lossy in limits.accepted_types
            and lossy not in candidates
            and not (alpha and lossy == "image/jpeg")
        ):
            candidates.append(lossy)
    for candidate in candidates:
        for quality in _QUALITY_STEPS:
            encoded = encode_image(frame, candidate, quality=quality)
            if _fits_bytes(encoded, limits.max_bytes):
                return frame, encoded, candidate, True
    out_type = candidates[0] if candidates else media_type
    quality = _QUALITY_STEPS[-1]
    current = frame
    while min(current.size) > _MIN_EDGE:
        size = (max(1, int(current.width * _SHRINK)), max(1, int(current.height * _SHRINK)))
        current = frame.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        encoded = encode_image(current, out_type, quality=quality)
        if _fits_bytes(encoded, limits.max_bytes):
            return current, encoded, out_type, out_type != media_type or out_type in _LOSSY
    raise InvalidInputError(
        f"image {_label(image)} cannot be made to fit the model's {describe_bytes(limits.max_bytes or 0)} "
        "per-image limit, even downscaled",
        input_name=image.name,
    )


def prepare_images(
    sources: ImageSource | Sequence[ImageSource],
    limits: InputLimits,
    *,
    strict: bool = True,
    fetcher: Fetcher | None = None,
) -> tuple[list[InputImage], list[Notice]]:
    """Load *sources* (one or a list) and fit each to *limits*; returns the images in order
    and the notices of every adjustment made. See the module docstring for the rules.
    """
    items = as_source_list(sources)
    if limits.max_count is not None and len(items) > limits.max_count:
        raise InvalidInputError(
            f"{len(items)} input images given, but this model accepts at most {limits.max_count}; "
            "pass fewer images",
            input_name="images",
        )
    images = load_images(items, fetcher=fetcher)
    prepared: list[InputImage] = []
    notices: list[Notice] = []
    for index, image in enumerate(images, start=1):
        try:
            result, image_notices = prepare_image(image, limits, strict=strict)
        except InvalidInputError as exc:
            if len(images) == 1:
                raise
            raise InvalidInputError(
                f"image {index} of {len(images)}: {exc.message}", input_name=exc.input_name
            ) from None
        prepared.append(result)
        notices.extend(image_notices)
    if limits.max_total_pixels is not None:
        prepared, total_notices = _fit_total(prepared, limits, limits.max_total_pixels, strict=strict)
        notices.extend(total_notices)
    return prepared, notices


def _fit_total(
    images: list[InputImage], limits: InputLimits, budget: int, *, strict: bool
) -> tuple[list[InputImage], list[Notice]]:
    """Keep the pixels of all *images* together within *budget*: refuse (strict) or downscale each
    by the same factor (lenient)."""
    total = sum(image.pixels for image in images)
    if total <= budget:
        return images, []
    if strict:
        raise InvalidInputError(
            f"the {len(images)} input images have {describe_pixels(total)} together, more than the "
            f"{describe_pixels(budget)} this model accepts in one request; pass fewer or smaller images, "
            "or allow automatic downscaling (strict=False)",
            input_name="images",
        )
    share = budget / total * 0.999
    out: list[InputImage] = []
    notices: list[Notice] = []
    for image in images:
        cap = attrs.evolve(limits, max_pixels=max(1, int(image.pixels * share)))
        result, image_notices = prepare_image(image, cap, strict=False)
        out.append(result)
        notices.extend(image_notices)
    return out, notices
