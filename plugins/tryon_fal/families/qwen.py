"""Qwen-Image-Edit on fal: ``fal-ai/qwen-image-edit`` (one image), ``-plus`` (2509) and ``-2511`` (several;
these two also serve try-on by composition).

Edit-only endpoints (fal's schemas ``QwenImageEditInput``, ``QwenImageEditPlusInput``,
``QwenImageEdit2511Input``): ``n`` maps to ``num_images`` (1-4); the output keeps the input's
size unless ``size`` is set.
"""

from __future__ import annotations

import attrs

from tryon.capabilities import Capabilities, Operation
from tryon.option_validators import int_in, number_in, one_of, optional_bool, optional_str
from tryon.sizes import SizeRule, Sizes
from tryon.vto.composition import with_composition

from .. import sources as src
from ..endpoints import Endpoint, FalModel
from .common import data_uri_inputs, inputs

__all__ = ["MODELS", "QwenEditOptions"]

_RULE = SizeRule(multiple_of=16, min_edge=256, max_edge=2048)


def _options(name: str, guidance: tuple[float, float], steps: tuple[int, int], accelerations: tuple[str, ...]) -> type:
    fields = {
        "guidance_scale": attrs.field(default=None, validator=number_in(*guidance)),
        "num_inference_steps": attrs.field(default=None, validator=int_in(*steps)),
        "negative_prompt": attrs.field(default=None, validator=optional_str),
        "acceleration": attrs.field(default=None, validator=one_of(accelerations)),
        "enable_safety_checker": attrs.field(default=None, validator=optional_bool),
    }
    cls = attrs.make_class(name, fields, frozen=True, kw_only=True)
    cls.__doc__ = (f"Qwen-Image-Edit options: guidance_scale {guidance[0]:g}-{guidance[1]:g}, num_inference_steps "
                   f"{steps[0]}-{steps[1]}, negative_prompt, acceleration ({', '.join(accelerations)}), "
                   "enable_safety_checker.")
    return cls


QwenEditOptions = _options("QwenEditOptions", (0, 20), (2, 50), ("none", "regular", "high"))
QwenEditPlusOptions = _options("QwenEditPlusOptions", (0, 20), (2, 100), ("none", "regular"))
QwenEdit2511Options = _options("QwenEdit2511Options", (1, 20), (1, 50), ("none", "regular", "high"))


def _model(endpoint: str, options: type, *, images: int, formats: frozenset[str], ranges: str) -> FalModel:
    single = images == 1
    caps = Capabilities(
        operations={Operation.EDIT},
        max_input_images=images,
        max_images_per_call=4,
        sizes=Sizes.any(_RULE, auto=True),
        output_formats=formats,
        defaults={"output_format": "png"},
        seed=True,
        inputs=inputs(images),
        provider_options=options,
        sources=src.Provenance({
            "model": src.listed(endpoint),
            "lifecycle": src.listed(endpoint),
            "sizes": (src.schema(endpoint, "image_size: ImageSize {width, height} (each at most 14142) or a preset; "
                                 "unset keeps the input's size"),
                      src.inferred(endpoint, "multiples of 16 from 256 to 2048 px per edge: the conservative "
                                   "reading (fal publishes no rounding or limit below the schema's 14142)")),
            "max_input_images": (src.schema(endpoint, "image_url: one image") if single else
                                 src.inferred(endpoint, "3 images: Qwen-Image-Edit-2509's stated multi-image range "
                                              "(1-3); fal's schema (image_urls) gives no maximum")),
            "max_images_per_call": src.schema(endpoint, "num_images 1-4 (default 1)"),
            "inputs": data_uri_inputs(),
            "output_formats": src.schema(endpoint, f"output_format {'/'.join(sorted(formats))} (default png)"),
            "seed": src.schema(endpoint, "seed: integer or null"),
            "options": src.schema(endpoint, ranges),
        }),
    )
    if not single:  # a multi-image editor also serves try-on by composition (docs/try-on.md)
        caps = with_composition(caps)
    field = {"images": "image_url", "single_image": True} if single else {"images": "image_urls"}
    return FalModel(model_id=endpoint, capabilities=caps, edit=Endpoint(path=endpoint, **field))


MODELS = (
    _model("fal-ai/qwen-image-edit", QwenEditOptions, images=1, formats=frozenset({"jpeg", "png"}),
           ranges="guidance_scale 0-20 (default 4), num_inference_steps 2-50 (default 30), acceleration "
                  "none|regular|high, negative_prompt, enable_safety_checker"),
    _model("fal-ai/qwen-image-edit-plus", QwenEditPlusOptions, images=3, formats=frozenset({"jpeg", "png"}),
           ranges="guidance_scale 0-20 (default 4), num_inference_steps 2-100 (default 50), acceleration "
                  "none|regular, negative_prompt, enable_safety_checker"),
    _model("fal-ai/qwen-image-edit-2511", QwenEdit2511Options, images=3,
           formats=frozenset({"jpeg", "png", "webp"}),
           ranges="guidance_scale 1-20 (default 4.5), num_inference_steps 1-50 (default 28), acceleration "
                  "none|regular|high, negative_prompt, enable_safety_checker"),
)
