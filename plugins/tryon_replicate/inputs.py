"""How a tryon request becomes the ``input`` object of one Replicate model.

Every model on Replicate names its inputs its own way (``num_outputs``, ``image_input``,
``input_image``, ``aspect_ratio="custom"`` with ``width``/``height``, ``jpg`` for JPEG...).
An :class:`InputMap` says it as data, for first-party declarations and for models declared in
a models file (``[models.endpoint.inputs]``) alike; :func:`build_input` applies it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from tryon.capabilities import Capabilities
from tryon.media.inputs import InputImage
from tryon.notice import Notice
from tryon.request import EditRequest, Request
from tryon.sizes import aspect_ratio_of, parse_ratio, parse_size

__all__ = ["INPUT_MAP_FIELDS", "InputMap", "build_input", "data_url"]


def _frozen(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class InputMap:
    """The names one model gives to tryon's request fields (``None``: the model has no such input).

    ``images`` takes a list of images (``images_list=True``) or one image; ``size_mode`` holds
    the fields that switch the model to an exact size (``{"aspect_ratio": "custom"}``) when
    ``width``/``height`` are sent; ``formats`` spells tryon's formats the model's way
    (``{"jpeg": "jpg"}``); ``fixed`` is sent with every prediction.
    """

    prompt: str = "prompt"
    images: str | None = None
    images_list: bool = True
    mask: str | None = None
    aspect_ratio: str | None = None
    width: str | None = None
    height: str | None = None
    size_mode: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen, hash=False)
    n: str | None = None
    seed: str | None = None
    output_format: str | None = None
    formats: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen, hash=False)
    fixed: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen, hash=False)

    def wire_format(self, fmt: str) -> str:
        return self.formats.get(fmt, fmt)


INPUT_MAP_FIELDS = frozenset(a.name for a in attrs.fields(InputMap))


def data_url(image: InputImage) -> str:
    """*image* as a ``data:`` URI (Replicate takes files as URLs or data URIs)."""
    return image.to_data_url()


def build_input(inputs: InputMap, request: Request, caps: Capabilities,
                option_names: Mapping[str, str] | None = None) -> tuple[dict[str, Any], list[Notice]]:
    """The prediction's ``input`` for *request* (already checked against *caps*), and notices."""
    notices: list[Notice] = []
    body: dict[str, Any] = dict(inputs.fixed)
    body[inputs.prompt] = request.prompt
    if request.seed is not None and inputs.seed:
        body[inputs.seed] = request.seed
    if request.n != 1 and inputs.n:
        body[inputs.n] = request.n
    if request.output_format is not None and inputs.output_format:
        body[inputs.output_format] = inputs.wire_format(request.output_format)
    wh = parse_size(request.size or "")
    if wh is not None and inputs.width and inputs.height and (caps.sizes.rule is not None
                                                              or request.size in caps.sizes.exact):
        body.update(inputs.size_mode)
        body[inputs.width], body[inputs.height] = wh
    elif wh is not None and inputs.aspect_ratio:
        ratio = aspect_ratio_of(request.size or "", caps.sizes.aspect_ratios | caps.aspect_ratios)
        if ratio is not None:
            body[inputs.aspect_ratio] = ratio
            notices.append(Notice("size-as-aspect-ratio", f"{request.size} was sent as aspect_ratio={ratio!r}: "
                                  "the model takes aspect ratios, the output size is the model's own",
                                  option="size", original=request.size, applied=ratio))
    if request.aspect_ratio is not None and inputs.aspect_ratio:
        # the model's own spelling of an accepted ratio ("7:3" is sent as the declared "21:9")
        wanted = parse_ratio(request.aspect_ratio)
        declared = sorted(caps.sizes.aspect_ratios | caps.aspect_ratios)
        body[inputs.aspect_ratio] = next((r for r in declared if parse_ratio(r) == wanted), request.aspect_ratio)
    if isinstance(request, EditRequest):
        if inputs.images:
            urls = [data_url(image) for image in request.images]
            body[inputs.images] = urls if inputs.images_list else urls[0]
        if request.mask is not None and inputs.mask:
            # tryon's mask is transparent = edit; Replicate's inpainting inputs take white = edit
            from tryon.media.masks import mask_to_white_edit

            body[inputs.mask] = data_url(mask_to_white_edit(request.mask))
    names = option_names or {}
    for name, value in request.provider_options_dict().items():
        body[names.get(name, name)] = value
    return body, notices
