"""Dedicated virtual try-on endpoints on fal: Kling's Kolors Virtual Try-On and FASHN v1.6.

fal's schemas ``KlingV15KolorsVirtualTryOnInput`` (``human_image_url``, ``garment_image_url``;
one image, ``{"image": {...}}``) and ``FashnTryonV16Input`` (``model_image``, ``garment_image``,
``category``, ``mode``, ``garment_photo_type``, ``moderation_level``, ``num_samples`` 1-4,
``seed``, ``output_format``, ``segmentation_free``).
"""

from __future__ import annotations

import attrs

from tryon.capabilities import Capabilities, Deviations, Operation
from tryon.option_validators import optional_bool
from tryon.pricing import PerImage, Price
from tryon.sizes import Sizes
from tryon.vto import TryOnCapabilities

from .. import sources as src
from ..endpoints import Endpoint, FalModel
from .common import data_uri_inputs, inputs

__all__ = ["MODELS", "FashnOptions"]

KLING, FASHN = "fal-ai/kling/v1-5/kolors-virtual-try-on", "fal-ai/fashn/tryon/v1.6"


@attrs.frozen(kw_only=True)
class FashnOptions:
    """``segmentation_free`` (service default true: no human parsing of the model image)."""

    segmentation_free: bool | None = attrs.field(default=None, validator=optional_bool)


_KLING = Capabilities(
    operations={Operation.TRY_ON},
    max_input_images=2,
    sizes=Sizes(auto=True),
    max_resolution="person image size",
    output_formats=frozenset(),  # no output_format field: any output_format is refused
    deviations=Deviations(formats={"png", "jpeg", "webp"}, note="no output_format field: the file type is Kling's own"),
    inputs=inputs(2),
    try_on=TryOnCapabilities(
        categories={"top": "top", "bottom": "bottom", "one-piece": "one-piece"},
        auto_category=True, category_sent=False, max_garments=1, prompt="forbidden", mask_modes={"auto"},
        note="Kolors Virtual Try-On v1.5: one garment, no category, mode or prompt",
    ),
    sources=src.Provenance({
        "model": src.listed(KLING), "lifecycle": src.listed(KLING),
        "try_on": (src.schema(KLING, "human_image_url and garment_image_url required; no category, prompt or mode "
                                     "field"),
                   src.inferred(KLING, "the categories it dresses (tops, bottoms, one-pieces) are Kolors' stated "
                                       "scope; the garment's category is never sent")),
        "sizes": src.schema(KLING, "no size field: the output follows the person image"),
        "max_images_per_call": src.schema(KLING, "one image per request (output: image)"),
        "inputs": data_uri_inputs("the person and the garment"),
        "max_input_images": src.schema(KLING, "the person and one garment"),
        "output_formats": src.schema(KLING, "no output_format field"),
        "deviations": src.inferred(KLING, "the file type is the model's own"),
        "seed": src.schema(KLING, "no seed field"),
    }),
)

_FASHN = Capabilities(
    operations={Operation.TRY_ON},
    max_input_images=2,
    max_images_per_call=4,
    sizes=Sizes(auto=True),
    max_resolution="person image size",
    output_formats={"png", "jpeg"},
    defaults={"output_format": "png"},
    seed=True,
    moderation={"none", "permissive", "conservative"},
    inputs=inputs(2),
    provider_options=FashnOptions,
    price=Price(rates=PerImage(flat=0.075), upper_bound=False,
                approximation="fal prices 'per generation'; that each of num_samples bills as one is FASHN's own "
                              "per-image rule, not stated by fal",
                sources=src.page(FASHN, "Pricing: '$0.075 per generations'; each of num_samples is priced as one "
                                        "(FASHN's own API bills 1 credit per image: docs.fashn.ai/api-reference/"
                                        "tryon-v1-6)")),
    try_on=TryOnCapabilities(
        categories={"top": "tops", "bottom": "bottoms", "one-piece": "one-pieces"},
        auto_category=True, auto_category_word="auto", max_garments=1, prompt="forbidden", mask_modes={"auto"},
        modes={"speed": "performance", "balanced": "balanced", "quality": "quality"},
        photo_types={"auto": "auto", "flat-lay": "flat-lay", "worn": "model"},
        note="FASHN v1.6 on fal: one garment, category tops/bottoms/one-pieces/auto, three modes",
    ),
    sources=src.Provenance({
        "model": src.listed(FASHN), "lifecycle": src.listed(FASHN),
        "try_on": (src.schema(FASHN, "category tops|bottoms|one-pieces|auto (default auto); mode performance|"
                                     "balanced|quality (default balanced); garment_photo_type auto|model|flat-lay"),
                   src.described(FASHN, "'model' is for photos of garments on a model, 'flat-lay' for flat-lay or "
                                        "ghost mannequin images"),
                   src.inferred("https://docs.fashn.ai/api-reference/tryon-v1-6",
                                "outerwear (jacket, coat) is not mapped: FASHN documents only tops, bottoms, "
                                "one-pieces and auto, and says nothing of outerwear under tops")),
        "moderation": src.schema(FASHN, "moderation_level none|permissive|conservative (default permissive)"),
        "sizes": src.schema(FASHN, "no size field: the output follows the model image"),
        "max_images_per_call": src.schema(FASHN, "num_samples 1-4 (default 1)"),
        "inputs": data_uri_inputs("the person and the garment"),
        "max_input_images": src.schema(FASHN, "model_image and one garment_image"),
        "output_formats": src.schema(FASHN, "output_format png|jpeg (default png)"),
        "seed": src.schema(FASHN, "seed: integer or null"),
        "options": src.schema(FASHN, "segmentation_free (default true)"),
    }),
)

MODELS = (
    FalModel(model_id=KLING, capabilities=_KLING,
             tryon=Endpoint(path=KLING, person="human_image_url", garment="garment_image_url", size=None, n=None,
                            seed=None, output_format=None)),
    FalModel(model_id=FASHN, capabilities=_FASHN,
             tryon=Endpoint(path=FASHN, person="model_image", garment="garment_image", category="category",
                            mode="mode", photo_type="garment_photo_type", moderation="moderation_level",
                            n="num_samples", size=None)),
)
