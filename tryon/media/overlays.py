"""Overlay images: drawn over the first input image (same size), transparent where they do not apply.

Some models take such an image as a provider option (GPT Image 2.5's ``markup``: strokes that
point at what to change). The router prepares them here, like inputs, before any request.
"""

from __future__ import annotations

from tryon.errors import InvalidInputError
from tryon.media.inputs import Fetcher, ImageSource, InputImage, open_image
from tryon.media.limits import InputLimits
from tryon.media.masks import alpha_minimum
from tryon.media.prepare import prepare_images

__all__ = ["prepare_overlay"]


def prepare_overlay(source: ImageSource, first_image: InputImage, *, option: str, limits: InputLimits,
                    fetcher: Fetcher | None = None) -> InputImage:
    """Load *source* as an overlay of *first_image*: the same size, with transparent pixels."""
    try:
        [overlay], _ = prepare_images([source], limits, strict=True, fetcher=fetcher)
    except InvalidInputError as exc:
        raise type(exc)(f"{option}: {exc}", input_name=exc.input_name) from None
    if overlay.size != first_image.size:
        raise InvalidInputError(
            f"{option} is {overlay.width}x{overlay.height} but the first image is "
            f"{first_image.width}x{first_image.height}: draw the {option} on an image of the first image's size",
            input_name=overlay.name)
    with open_image(overlay) as im:
        lowest = alpha_minimum(im)
    if lowest is None:
        raise InvalidInputError(
            f"{option} has no alpha channel: it must be transparent wherever it does not mark the image "
            "(save it as a PNG with transparency)", input_name=overlay.name)
    if lowest == 255:
        raise InvalidInputError(f"{option} is opaque everywhere: it must be transparent where it does not mark "
                                "the image", input_name=overlay.name)
    return overlay
