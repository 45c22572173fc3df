"""ByteDance Seedream 4 and 4.5 on fal: text to image and editing with up to 10 reference images.

Endpoints ``fal-ai/bytedance/seedream/v4[.5]/text-to-image`` and ``.../edit`` (fal's schemas
``SeedDream45T2IInput``/``SeedDream45EditInput`` and the v4 ones). tryon never sends
``max_images`` (multi-image generation returns a variable number of images): ``n`` maps to
``num_images`` (1-6), one image per generation.
"""

from __future__ import annotations

import attrs

from tryon.capabilities import Capabilities, Deviations, Operation
from tryon.option_validators import one_of, optional_bool
from tryon.sizes import SizeRule, Sizes
from tryon.vto.composition import with_composition

from .. import sources as src
from ..endpoints import Endpoint, FalModel
from .common import data_uri_inputs, inputs

__all__ = ["MODELS", "Seedream4Options", "SeedreamOptions"]


@attrs.frozen(kw_only=True)
class SeedreamOptions:
    """Seedream 4.5: ``enable_safety_checker`` (service default true)."""

    enable_safety_checker: bool | None = attrs.field(default=None, validator=optional_bool)


@attrs.frozen(kw_only=True)
class Seedream4Options(SeedreamOptions):
    """Seedream 4 adds ``enhance_prompt_mode``: ``standard`` (default) or ``fast``."""

    enhance_prompt_mode: str | None = attrs.field(default=None, validator=one_of(("standard", "fast")))


_FORMATS = Deviations(formats={"jpeg"}, note="the endpoints take no output_format; fal serves the model's own "
                                            "file type (PNG in fal's examples; JPEG not excluded)")


def _model(version: str, options: type, rule: SizeRule, size_note: str) -> FalModel:
    base = f"fal-ai/bytedance/seedream/{version}"
    t2i, edit = f"{base}/text-to-image", f"{base}/edit"
    caps = with_composition(Capabilities(  # try-on by composition over the multi-reference edit (docs/try-on.md)
        operations={Operation.GENERATE, Operation.EDIT},
        max_input_images=10,
        max_images_per_call=6,
        sizes=Sizes.any(rule),
        output_formats={"png"},
        deviations=_FORMATS,
        seed=True,
        inputs=inputs(10),
        provider_options=options,
        sources=src.Provenance({
            "model": src.listed(t2i, edit),
            "lifecycle": src.listed(t2i, edit),
            "sizes": (src.described(t2i, size_note), src.schema(t2i, "image_size: ImageSize {width, height} or a "
                      "preset; tryon sends {width, height}"),
                      src.inferred(t2i, "the 4096 px edge limit is the conservative reading of the pixel bounds")),
            "max_input_images": src.described(edit, "'up to 10 image inputs are allowed. If over 10 images are "
                                                    "sent, only the last 10 will be used'"),
            "max_images_per_call": src.schema(t2i, "num_images 1-6 (default 1); max_images is not sent"),
            "inputs": data_uri_inputs(),
            "output_formats": src.schema(t2i, "no output_format field"),
            "deviations": src.inferred(t2i, "the file type is the model's own (no output_format field)"),
            "seed": src.schema(t2i, "seed: integer or null"),
            "options": src.schema(t2i, "enable_safety_checker (default true)"
                                  + ("; enhance_prompt_mode standard|fast (default standard)"
                                     if options is Seedream4Options else "")),
        }),
    ))
    return FalModel(model_id=base, capabilities=caps,
                    generate=Endpoint(path=t2i, output_format=None),
                    edit=Endpoint(path=edit, images="image_urls", output_format=None))


MODELS = (
    _model("v4.5", SeedreamOptions, SizeRule(min_edge=1920, max_edge=4096),
           "'Width and height must be between 1920 and 4096, or total number of pixels must be between "
           "2560*1440 and 4096*4096': tryon takes both edges in 1920-4096 (always within the pixel bounds)"),
    _model("v4", Seedream4Options, SizeRule(max_edge=4096, min_pixels=921_600, max_pixels=4096 * 4096),
           "text to image: 'Total pixels must be between 960x960 and 4096x4096'; edit: 'The minimum total image "
           "area is 921600 pixels' (smaller sizes are scaled up, so they are refused here)"),
)
