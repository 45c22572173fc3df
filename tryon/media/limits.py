"""What a model accepts as input images: types, sizes, counts (declared by plugins).

Also the global guards that apply whatever the model: :data:`SAFE_MAX_PIXELS`
refuses decompression bombs before anything is decoded, and
:data:`MAX_INPUT_BYTES` refuses absurdly large inputs before they are read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from tryon.media.sniff import IMAGE_MEDIA_TYPES, normalize_media_type

__all__ = [
    "DEFAULT_ACCEPTED_TYPES",
    "MASK_FORMATS",
    "MAX_FRAMES",
    "MAX_FRAME_PIXELS_TOTAL",
    "MAX_INPUT_BYTES",
    "MAX_METADATA_BYTES",
    "MAX_TEXT_CHUNK_BYTES",
    "SAFE_MAX_PIXELS",
    "InputLimits",
    "describe_bytes",
    "describe_pixels",
]

#: Largest image (width x height) tryon will ever decode: Pillow's own default
#: ``Image.MAX_IMAGE_PIXELS`` (2**32 // 4 // 3 = 89,478,485 px, e.g. 9459 x 9459; about
#: 256 MiB as RGB). An image above it is refused from its header, before decoding, and
#: an image at or below it never triggers Pillow's ``DecompressionBombWarning``.
SAFE_MAX_PIXELS: int = 89_478_485

#: Most frames (GIF, APNG, animated WebP, TIFF pages, ICO entries) an input may have.
MAX_FRAMES: int = 10_000

#: Most pixels of all frames of one input together: four times :data:`SAFE_MAX_PIXELS`
#: (every frame is also bounded by :data:`SAFE_MAX_PIXELS` on its own). Pillow decodes every
#: earlier frame to reach a later one, so this bounds the work of any seek.
MAX_FRAME_PIXELS_TOTAL: int = 4 * SAFE_MAX_PIXELS

#: Largest text block (PNG tEXt/zTXt/iTXt after inflating, GIF or JPEG comment, WebP XMP):
#: 1 MiB, Pillow's own ``PngImagePlugin.MAX_TEXT_CHUNK``.
MAX_TEXT_CHUNK_BYTES: int = 1024 * 1024

#: Most metadata (text, EXIF, XMP, ICC profiles, application blocks) of one input together.
MAX_METADATA_BYTES: int = 16 * 1024 * 1024

#: Largest input (file, download, bytes) tryon reads at all: 200 MiB.
MAX_INPUT_BYTES: int = 200 * 1024 * 1024

#: The media types most image APIs take as they are.
DEFAULT_ACCEPTED_TYPES: frozenset[str] = frozenset({"image/png", "image/jpeg", "image/webp"})

#: Formats a mask can be sent in (both carry an alpha channel losslessly).
MASK_FORMATS: frozenset[str] = frozenset({"image/png", "image/webp"})

# Types tryon can encode to when it converts an image, best first.
_CONVERSION_PREFERENCE = ("image/png", "image/webp", "image/jpeg", "image/avif", "image/tiff", "image/gif")


def _to_media_types(values: Iterable[str]) -> frozenset[str]:
    if isinstance(values, str):
        values = [values]
    return frozenset(normalize_media_type(v) for v in values)


def _non_empty(_instance: Any, attribute: attrs.Attribute[Any], value: frozenset[str]) -> None:
    if not value:
        raise ValueError(f"{attribute.name} must name at least one image type")
    unknown = value - IMAGE_MEDIA_TYPES
    if unknown:
        raise ValueError(f"{attribute.name}: unknown image types {sorted(unknown)}")


def _positive_or_none(_instance: Any, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{attribute.name} must be a positive integer or None, got {value!r}")


def _mask_format(_instance: Any, attribute: attrs.Attribute[Any], value: str) -> None:
    if value not in MASK_FORMATS:
        raise ValueError(f"{attribute.name} must be one of {sorted(MASK_FORMATS)}, got {value!r}")


@attrs.frozen
class InputLimits:
    """Input-image limits of one model, declared in its capabilities.

    ``accepted_types`` are the media types the model takes as they are (anything else is
    converted); ``max_bytes`` is per image; ``max_pixels`` is width x height; ``max_edge``
    is the longest side; ``max_count`` is the number of images per request; ``max_total_pixels``
    caps the pixels of all the images of one request together;
    ``mask_max_bytes``/``mask_format`` apply to the mask. ``None`` means no limit.
    """

    accepted_types: frozenset[str] = attrs.field(
        default=DEFAULT_ACCEPTED_TYPES, converter=_to_media_types, validator=_non_empty
    )
    max_bytes: int | None = attrs.field(default=None, validator=_positive_or_none)
    max_pixels: int | None = attrs.field(default=None, validator=_positive_or_none)
    max_edge: int | None = attrs.field(default=None, validator=_positive_or_none)
    max_count: int | None = attrs.field(default=None, validator=_positive_or_none)
    max_total_pixels: int | None = attrs.field(default=None, validator=_positive_or_none)
    mask_max_bytes: int | None = attrs.field(default=None, validator=_positive_or_none)
    mask_format: str = attrs.field(
        default="image/png", converter=normalize_media_type, validator=_mask_format
    )

    def accepts(self, media_type: str) -> bool:
        """Whether the model takes *media_type* as it is."""
        return media_type in self.accepted_types

    @property
    def pixel_limit(self) -> int:
        """The effective pixel limit: the model's, never above :data:`SAFE_MAX_PIXELS`."""
        return min(self.max_pixels or SAFE_MAX_PIXELS, SAFE_MAX_PIXELS)

    @property
    def conversion_type(self) -> str:
        """The type an image the model does not take is converted to (PNG when accepted)."""
        for media_type in _CONVERSION_PREFERENCE:
            if media_type in self.accepted_types:
                return media_type
        return "image/png"

    def fits(self, width: int, height: int) -> bool:
        """Whether a ``width`` x ``height`` image is within the pixel and edge limits."""
        return width * height <= self.pixel_limit and (
            self.max_edge is None or max(width, height) <= self.max_edge
        )

    def scale_to_fit(self, width: int, height: int) -> tuple[int, int] | None:
        """The largest size with the same aspect ratio within the limits, or ``None`` if it fits."""
        if self.fits(width, height):
            return None
        scale = (self.pixel_limit / (width * height)) ** 0.5
        if self.max_edge is not None:
            scale = min(scale, self.max_edge / max(width, height))
        new_w, new_h = max(1, int(width * scale)), max(1, int(height * scale))
        while not self.fits(new_w, new_h) and (new_w > 1 or new_h > 1):
            if new_w >= new_h:
                new_w -= 1
            else:
                new_h -= 1
        return new_w, new_h

    def describe_size_limit(self) -> str:
        """Human words for the pixel/edge limits, e.g. ``"16.8 MP and 4096 px per side"``."""
        parts = []
        if self.max_pixels is not None or self.max_edge is None:
            parts.append(describe_pixels(self.pixel_limit))
        if self.max_edge is not None:
            parts.append(f"{self.max_edge} px on the longest side")
        return " and ".join(parts)


def describe_bytes(count: int) -> str:
    """``1536`` -> ``"1.5 KiB"``; ``12_900_000`` -> ``"12.3 MiB"``."""
    if count < 1024:
        return f"{count} bytes"
    value = float(count)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            return f"{value:.1f} {unit}"
    return f"{count} bytes"  # pragma: no cover


def describe_pixels(count: int) -> str:
    """``16_777_216`` -> ``"16.8 MP"``."""
    return f"{count / 1_000_000:.1f} MP"
