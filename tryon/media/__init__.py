"""The one image pipeline every provider plugin uses: load, check, convert, fetch, save.

No plugin reads files or URLs itself: the router turns whatever the caller passed into
validated :class:`InputImage` values with :func:`prepare_images` and :func:`prepare_mask`
(according to the model's :class:`InputLimits`), and results are written with
:func:`save_bytes`. Names are imported lazily (PEP 562): ``import tryon.media`` imports
neither Pillow nor requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tryon.lazy import lazy_exports

if TYPE_CHECKING:
    from tryon.media.contact_sheet import contact_sheet
    from tryon.media.fetch import (
        URLFetcher,
        configure_fetcher,
        default_fetcher,
        display_url,
        is_public_address,
    )
    from tryon.media.inputs import InputImage, image_from_bytes, load_image, load_images, open_image
    from tryon.media.limits import MAX_INPUT_BYTES, SAFE_MAX_PIXELS, InputLimits
    from tryon.media.masks import mask_coverage, mask_to_white_edit, prepare_mask
    from tryon.media.outputs import safe_filename, save_bytes, scrub_metadata, write_sidecar
    from tryon.media.prepare import prepare_image, prepare_images
    from tryon.media.sniff import extension_for, format_name, image_dimensions, sniff_media_type

_EXPORTS: dict[str, str] = {
    "contact_sheet": "contact_sheet",
    "URLFetcher": "fetch",
    "configure_fetcher": "fetch",
    "default_fetcher": "fetch",
    "display_url": "fetch",
    "is_public_address": "fetch",
    "InputImage": "inputs",
    "prepare_overlay": "overlays",
    "image_from_bytes": "inputs",
    "load_image": "inputs",
    "load_images": "inputs",
    "open_image": "inputs",
    "MAX_INPUT_BYTES": "limits",
    "SAFE_MAX_PIXELS": "limits",
    "InputLimits": "limits",
    "mask_coverage": "masks",
    "mask_to_white_edit": "masks",
    "prepare_mask": "masks",
    "safe_filename": "outputs",
    "save_bytes": "outputs",
    "scrub_metadata": "outputs",
    "write_sidecar": "outputs",
    "prepare_image": "prepare",
    "prepare_images": "prepare",
    "extension_for": "sniff",
    "format_name": "sniff",
    "image_dimensions": "sniff",
    "sniff_media_type": "sniff",
}

__all__ = [
    "MAX_INPUT_BYTES",
    "SAFE_MAX_PIXELS",
    "InputImage",
    "InputLimits",
    "URLFetcher",
    "configure_fetcher",
    "contact_sheet",
    "default_fetcher",
    "display_url",
    "extension_for",
    "format_name",
    "image_dimensions",
    "image_from_bytes",
    "is_public_address",
    "load_image",
    "load_images",
    "mask_coverage",
    "mask_to_white_edit",
    "open_image",
    "prepare_image",
    "prepare_images",
    "prepare_mask",
    "prepare_overlay",
    "safe_filename",
    "save_bytes",
    "scrub_metadata",
    "sniff_media_type",
    "write_sidecar",
]


__getattr__ = lazy_exports(__name__, {name: f"tryon.media.{module}" for name, module in _EXPORTS.items()})


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
