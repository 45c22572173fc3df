"""A try-on's inputs prepared like an edit's: the person, each garment image and the mask."""

from __future__ import annotations

from typing import Any

import attrs

from tryon.errors import InvalidInputError
from tryon.notice import Notice
from tryon.request import TryOnRequest

__all__ = ["prepare_try_on_inputs"]


def prepare_try_on_inputs(request: TryOnRequest, limits: Any, *, strict: bool, fetch: bool = True,
                          fetcher: Any = None) -> tuple[TryOnRequest, list[Notice]]:
    """*request* with its person, garment images and mask loaded and fitted to *limits*.

    ``fetch=False`` leaves http(s) URLs unfetched (checked with the strict URL parse), as dry runs do.
    An error names the input: ``person``, ``garment 2 of 3`` or ``mask``.
    """
    from tryon.media import prepare_images, prepare_mask
    from tryon.media.inputs import InputImage, load_image
    from tryon.media.prepare import upright_for_mask
    from tryon.router import is_url

    count = len(request.garments)
    total = count + 1
    if limits.max_count is not None and total > limits.max_count:
        raise InvalidInputError(f"{total} images (the person and {count} garment{'s' if count != 1 else ''}) is more "
                                f"than the {limits.max_count} input images the model takes", input_name="garments")
    notices: list[Notice] = []

    def one(source: Any, label: str) -> Any:
        if not fetch and is_url(source):
            from tryon.urls import parse_url

            parse_url(source.strip())  # unfetched, but read as a real run would
            return source
        try:
            [image], fitted = prepare_images([source], limits, strict=strict, fetcher=fetcher)
        except InvalidInputError as exc:
            raise type(exc)(f"{label}: {exc.message}", input_name=label) from None
        notices.extend(fitted)
        return image

    person = one(request.person, "person")
    garments = tuple(attrs.evolve(g, image=one(g.image, f"garment {i} of {count}" if count > 1 else "garment"))
                     for i, g in enumerate(request.garments, start=1))
    mask = request.mask
    if mask is not None and (fetch or not is_url(mask)):
        if isinstance(person, InputImage):
            person, oriented = upright_for_mask(person, limits, strict=strict)
            notices.extend(oriented)
            mask, mask_notices = prepare_mask(mask, person, limits=limits, strict=strict, fetcher=fetcher,
                                                first_label="the person")
        else:  # the person is an unfetched URL: check the mask on its own
            mask, mask_notices = prepare_mask(mask, load_image(mask), limits=limits, strict=strict)
        notices.extend(mask_notices)
    return request.copy_with(person=person, garments=garments, mask=mask), notices
