"""Ideogram V3 on fal: ``fal-ai/ideogram/v3`` (text to image) and ``fal-ai/ideogram/v3/edit`` (inpainting).

fal's schemas ``IdeogramV3Input`` and ``IdeogramV3EditInput``; ``n`` maps to ``num_images`` (1-8).
Sizes are fal's presets, sent by name: Ideogram renders at its own list of resolutions.
"""

from __future__ import annotations

import attrs

from tryon.capabilities import Capabilities, Deviations, Operation
from tryon.option_validators import one_of, optional_bool, optional_str
from tryon.pricing import PerImage, Price
from tryon.sizes import Sizes

from .. import sources as src
from ..endpoints import PRESETS, Endpoint, FalModel
from .common import data_uri_inputs, inputs

__all__ = ["MODELS", "IdeogramEditOptions", "IdeogramOptions"]

_SPEEDS = ("TURBO", "BALANCED", "QUALITY")
_STYLES = ("AUTO", "GENERAL", "REALISTIC", "DESIGN")


@attrs.frozen(kw_only=True)
class IdeogramEditOptions:
    """``rendering_speed`` TURBO | BALANCED (default) | QUALITY, ``expand_prompt`` (MagicPrompt, default true)."""

    rendering_speed: str | None = attrs.field(default=None, validator=one_of(_SPEEDS))
    expand_prompt: bool | None = attrs.field(default=None, validator=optional_bool)


@attrs.frozen(kw_only=True)
class IdeogramOptions(IdeogramEditOptions):
    """Text to image adds ``style`` (AUTO, GENERAL, REALISTIC, DESIGN) and ``negative_prompt``."""

    style: str | None = attrs.field(default=None, validator=one_of(_STYLES))
    negative_prompt: str | None = attrs.field(default=None, validator=optional_str)


_FORMATS = Deviations(formats={"jpeg", "webp"}, note="the endpoints take no output_format; the file type is "
                                                    "Ideogram's own")


def _price(endpoint: str) -> Price:
    return Price(rates=PerImage(flat=0.09), upper_bound=True,
                 sources=src.page(endpoint, "$0.03 with TURBO, $0.06 with BALANCED, $0.09 with QUALITY per image; "
                                  "tryon prices every image at the QUALITY rate (an upper bound)"))


T2I, EDIT = "fal-ai/ideogram/v3", "fal-ai/ideogram/v3/edit"

_GENERATE = Capabilities(
    operations={Operation.GENERATE},
    max_images_per_call=8,
    sizes=Sizes.fixed(*PRESETS.values()),
    output_formats={"png"},
    deviations=Deviations(formats={"jpeg", "webp"}, any_size=True,
                          note="fal maps a preset to one of Ideogram's resolutions (not published per preset)"),
    seed=True,
    provider_options=IdeogramOptions,
    price=_price(T2I),
    sources=src.Provenance({
        "model": src.listed(T2I), "lifecycle": src.listed(T2I),
        "sizes": src.schema(T2I, "image_size: a preset (square_hd default) or {width, height}; tryon sends presets "
                                 "by name"),
        "deviations": src.inferred(T2I, "the rendered resolution and file type are Ideogram's own"),
        "max_images_per_call": src.schema(T2I, "num_images 1-8 (default 1)"),
        "output_formats": src.schema(T2I, "no output_format field"),
        "seed": src.schema(T2I, "seed: integer or null"),
        "options": src.schema(T2I, "rendering_speed TURBO|BALANCED|QUALITY (default BALANCED), style "
                                   "AUTO|GENERAL|REALISTIC|DESIGN, expand_prompt (default true), negative_prompt"),
    }),
)

_EDIT = Capabilities(
    operations={Operation.EDIT},
    mask=True,
    mask_required=True,
    max_input_images=1,
    max_images_per_call=8,
    sizes=Sizes(auto=True),
    max_resolution="input size",
    output_formats={"png"},
    deviations=_FORMATS,
    seed=True,
    inputs=inputs(1),
    provider_options=IdeogramEditOptions,
    price=_price(EDIT),
    sources=src.Provenance({
        "model": src.listed(EDIT), "lifecycle": src.listed(EDIT),
        "mask": (src.described(EDIT, "mask_url and image_url required; 'MUST have the exact same dimensions'"),
                 src.third_party("https://docs.1min.ai/docs/api/ai-for-image/image-mask-editor/"
                                 "ideogram-image-mask-editor", "Ideogram 3.0 masks: WHITE = keep, BLACK = edit; "
                                 "tryon sends that polarity (fal's page does not say)")),
        "sizes": src.schema(EDIT, "no image_size: the output keeps the input's size"),
        "max_input_images": src.schema(EDIT, "image_url: one image (image_urls are style references, not sent)"),
        "max_images_per_call": src.schema(EDIT, "num_images 1-8 (default 1)"),
        "inputs": data_uri_inputs(),
        "output_formats": src.schema(EDIT, "no output_format field"),
        "deviations": src.inferred(EDIT, "the file type is Ideogram's own"),
        "seed": src.schema(EDIT, "seed: integer or null"),
        "options": src.schema(EDIT, "rendering_speed TURBO|BALANCED|QUALITY (default BALANCED), expand_prompt"),
    }),
)

MODELS = (
    FalModel(model_id=T2I, capabilities=_GENERATE,
             generate=Endpoint(path=T2I, presets=True, output_format=None)),
    FalModel(model_id=EDIT, capabilities=_EDIT,
             edit=Endpoint(path=EDIT, images="image_url", single_image=True, mask="mask_url", mask_edit="black",
                           size=None, output_format=None)),
)
