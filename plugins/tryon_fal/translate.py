"""tryon's request -> one fal endpoint's input (a thin mapping driven by :class:`.endpoints.Endpoint`)."""

from __future__ import annotations

from typing import Any

from tryon.errors import InvalidOptionError, Problem
from tryon.media.inputs import InputImage
from tryon.media.masks import mask_to_black_edit, mask_to_white_edit
from tryon.notice import Notice
from tryon.request import EditRequest, Request, TryOnRequest
from tryon.sizes import aspect_ratio_of, parse_size
from tryon.vto import TryOnCapabilities

from .endpoints import PRESETS, Endpoint

__all__ = ["input_body", "try_on_body"]


def _data_url(image: InputImage) -> str:
    """fal takes a base64 data URI wherever it takes a file URL (fal's docs: "Base64 data URI")."""
    return image.to_data_url()


def _size(endpoint: Endpoint, request: Request, ratios: frozenset[str], model: str) -> tuple[dict[str, Any],
                                                                                              list[Notice]]:
    if endpoint.size is None:
        return {}, []
    wh = parse_size(request.size or "")
    if endpoint.size == "image_size":
        if wh is None:
            return {}, []
        preset = next((name for name, size in PRESETS.items() if size == f"{wh[0]}x{wh[1]}"), None)
        if endpoint.presets and preset is not None:
            return {"image_size": preset}, []
        return {"image_size": {"width": wh[0], "height": wh[1]}}, []
    # aspect ratio endpoints: aspect_ratio as given, or the listed ratio a size has exactly
    if wh is None:
        return ({"aspect_ratio": request.aspect_ratio} if request.aspect_ratio else {}), []
    ratio = aspect_ratio_of(request.size or "", ratios)
    if ratio is None or (request.aspect_ratio and request.aspect_ratio != ratio):
        why = (f"which contradicts aspect_ratio={request.aspect_ratio!r}; set only one" if ratio
               else f"which is none of the ratios {model} takes: {', '.join(sorted(ratios))}")
        raise InvalidOptionError([Problem("size", request.size, f"size={request.size!r} is {wh[0]}x{wh[1]}, {why}")],
                                 model=model)
    notice = Notice("size-as-aspect-ratio", f"{model} takes an aspect ratio: size={request.size!r} was sent as "
                    f"aspect_ratio={ratio!r} (the model picks the pixels)", option="size",
                    original=request.size, applied=ratio)
    return {"aspect_ratio": ratio}, [notice]


def input_body(endpoint: Endpoint, request: Request, *, model: str,
               ratios: frozenset[str] = frozenset()) -> tuple[dict[str, Any], list[Notice]]:
    """The JSON input of *endpoint* for *request* (already checked, prepared and split by the router:
    ``request.n`` images are asked of this one call), with notices about how options were mapped."""
    n = request.n or 1
    body: dict[str, Any] = {"prompt": request.prompt} if endpoint.person is None else {}
    body.update(endpoint.fixed)
    size, notices = _size(endpoint, request, ratios, model)
    body.update(size)
    if endpoint.n is not None and n > 1:
        body[endpoint.n] = n
    if endpoint.seed is not None and request.seed is not None:
        body[endpoint.seed] = request.seed
    if endpoint.output_format is not None and request.output_format is not None:
        body[endpoint.output_format] = request.output_format
    options = request.provider_options_dict()
    if endpoint.options is not None:
        options = {k: v for k, v in options.items() if k in endpoint.options}
    body.update({endpoint.wire_names.get(k, k): v for k, v in options.items()})
    if isinstance(request, EditRequest):
        images = request.images
        if endpoint.person is not None and endpoint.garment is not None:
            body[endpoint.person], body[endpoint.garment] = _data_url(images[0]), _data_url(images[1])
        elif endpoint.images is not None:
            body[endpoint.images] = _data_url(images[0]) if endpoint.single_image else [_data_url(i) for i in images]
        if endpoint.mask is not None and request.mask is not None:
            convert = mask_to_white_edit if endpoint.mask_edit == "white" else mask_to_black_edit
            body[endpoint.mask] = _data_url(convert(request.mask))
    return body, notices


def try_on_body(endpoint: Endpoint, request: TryOnRequest, declared: TryOnCapabilities) -> dict[str, Any]:
    """The JSON input of a dedicated try-on *endpoint*: the person and the one garment as data URIs,
    the garment's category, mode, photo type and moderation in the provider's words, count and seed."""
    garment = request.garments[0]
    body: dict[str, Any] = dict(endpoint.fixed)
    if endpoint.person is None or endpoint.garment is None:
        raise ValueError(f"{endpoint.path} is not declared as a try-on endpoint")
    body[endpoint.person] = _data_url(request.person)
    body[endpoint.garment] = _data_url(garment.image)
    words = ((endpoint.category, declared.category_word(garment.category)),
             (endpoint.mode, declared.mode_word(request.mode)),
             (endpoint.photo_type, declared.photo_type_word(request.garment_photo_type)),
             (endpoint.moderation, request.moderation))
    body.update({field: word for field, word in words if field is not None and word is not None})
    if endpoint.n is not None and (request.n or 1) > 1:
        body[endpoint.n] = request.n
    if endpoint.seed is not None and request.seed is not None:
        body[endpoint.seed] = request.seed
    if endpoint.output_format is not None and request.output_format is not None:
        body[endpoint.output_format] = request.output_format
    options = request.provider_options_dict()
    body.update({k: v for k, v in options.items() if endpoint.options is None or k in endpoint.options})
    return body
