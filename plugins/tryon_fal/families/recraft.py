"""Recraft V3 on fal: ``fal-ai/recraft/v3/text-to-image`` (fal's schema ``RecraftV3TextToImageInput``).

One image per call (the endpoint has no ``num_images``); sizes are fal's presets, sent by name.
The ``style`` values are the schema's enum, read from the vendored schema document.
"""

from __future__ import annotations

import attrs

from tryon.capabilities import Capabilities, Deviations, Operation
from tryon.option_validators import one_of, optional_bool, optional_str
from tryon.pricing import PerImage, Price
from tryon.sizes import Sizes

from .. import sources as src
from ..endpoints import PRESETS, Endpoint, FalModel
from ..schemas import enum_of

__all__ = ["MODELS", "RecraftOptions"]

T2I = "fal-ai/recraft/v3/text-to-image"
STYLES = enum_of(T2I, "style")


@attrs.frozen(kw_only=True)
class RecraftOptions:
    """``style`` (``realistic_image`` by default; ``vector_illustration/...`` styles answer SVG),
    ``style_id`` (a custom style), ``enable_safety_checker``."""

    style: str | None = attrs.field(default=None, validator=one_of(STYLES))
    style_id: str | None = attrs.field(default=None, validator=optional_str)
    enable_safety_checker: bool | None = attrs.field(default=None, validator=optional_bool)


_CAPS = Capabilities(
    operations={Operation.GENERATE},
    sizes=Sizes.fixed(*PRESETS.values()),
    output_formats={"png"},
    deviations=Deviations(formats={"webp", "jpeg", "svg"}, any_size=True,
                          note="Recraft renders at its own resolutions and file types (vector styles give SVG)"),
    max_prompt_length=1000,
    provider_options=RecraftOptions,
    price=Price(rates=PerImage(flat=0.08), upper_bound=False,
                approximation="fal's per-image rate is from a third party ($0.04; vector styles cost 2x)",
                sources=(src.third_party("https://keigit.com/keisei/KeiSeiKit-1.0 _blocks/api-fal-ai.md",
                                         "Recraft V3 fal-ai/recraft/v3/text-to-image $0.04 per image"),
                         src.described(T2I, "style: 'Vector images cost 2X as much'"))),
    sources=src.Provenance({
        "model": src.listed(T2I), "lifecycle": src.listed(T2I),
        "sizes": src.schema(T2I, "image_size: a preset (square_hd default) or {width, height}; tryon sends presets"),
        "deviations": src.inferred(T2I, "resolution and file type are Recraft's own; vector styles answer SVG"),
        "max_prompt_length": src.schema(T2I, "prompt: maxLength 1000"),
        "max_images_per_call": src.schema(T2I, "no num_images field: one image per request"),
        "output_formats": src.schema(T2I, "no output_format field"),
        "seed": src.schema(T2I, "no seed field"),
        "options": src.schema(T2I, f"style: {len(STYLES)} values (default realistic_image), style_id, "
                                   "enable_safety_checker (default false), colors (not exposed)"),
    }),
)

MODELS = (
    FalModel(model_id=T2I, capabilities=_CAPS,
             generate=Endpoint(path=T2I, presets=True, n=None, seed=None, output_format=None)),
)
