"""The FASHN try-on models tryon serves, as data: capabilities, typed options, category words.

Every fact is FASHN's (its API reference pages and the official ``fashn`` SDK's request types,
:mod:`.sources`). Adding a model is adding an entry to :data:`MODELS`; FASHN models that are not
try-on (product-to-model, model-swap, ...) are listed in :data:`NOT_SUPPORTED` with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from tryon.capabilities import Capabilities, Lifecycle, Operation
from tryon.media.limits import InputLimits
from tryon.sizes import Sizes
from tryon.vto import TryOnCapabilities

from . import sources as src
from .pricing import PRICES

__all__ = ["MAX_RATIOS", "MODELS", "NOT_SUPPORTED", "SEED_MAX", "FashnModel", "MaxOptions", "V16Options"]

#: Seeds FASHN is sent (the conservative reading: an unsigned 32-bit integer).
SEED_MAX = 2**32 - 1
#: tryon-max's ``aspect_ratio`` values (SDK ``TryOnMaxRequestInputs.aspect_ratio``).
MAX_RATIOS = ("21:9", "1:1", "4:3", "3:2", "2:3", "5:4", "4:5", "3:4", "16:9", "9:16")
_FORMATS = frozenset({"png", "jpeg"})
_INPUT_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})
_optional_bool = attrs.validators.optional(attrs.validators.instance_of(bool))


@attrs.frozen(kw_only=True)
class V16Options:
    """tryon-v1.6: ``segmentation_free`` (fit without removing the worn clothes first; service default
    true; set false when the original garments are not removed properly) and ``return_base64``
    (outputs come back inline and are not stored on FASHN's servers)."""

    segmentation_free: bool | None = attrs.field(default=None, validator=_optional_bool)
    return_base64: bool | None = attrs.field(default=None, validator=_optional_bool)


@attrs.frozen(kw_only=True)
class MaxOptions:
    """tryon-max: ``resolution`` ``1k`` (about 1 MP), ``2k`` (about 4 MP) or ``4k`` (about 16 MP), and
    ``return_base64`` (outputs inline, not stored on FASHN's servers)."""

    resolution: str | None = attrs.field(default=None, validator=attrs.validators.optional(
        attrs.validators.in_(("1k", "2k", "4k"))))
    return_base64: bool | None = attrs.field(default=None, validator=_optional_bool)


@attrs.frozen
class FashnModel:
    """One FASHN ``model_name``: the inputs field of the garment image, the field asking for several
    outputs, and the capabilities."""

    garment_field: str
    count_field: str
    capabilities: Capabilities


def _inputs() -> InputLimits:
    return InputLimits(accepted_types=_INPUT_TYPES, max_count=2)


def _v16() -> FashnModel:
    return FashnModel("garment_image", "num_samples", Capabilities(
        operations={Operation.TRY_ON},
        try_on=TryOnCapabilities(
            categories={"top": "tops", "outerwear": "tops", "bottom": "bottoms", "one-piece": "one-pieces"},
            auto_category=True, auto_category_word="auto", max_garments=1, prompt="forbidden",
            mask_modes={"auto"},
            modes={"speed": "performance", "balanced": "balanced", "quality": "quality"},
            photo_types={"auto": "auto", "flat-lay": "flat-lay", "worn": "model"},
            note="dedicated try-on: tops, bottoms or one-pieces (or auto), 5-17 s, 1 credit an image",
        ),
        max_input_images=2,
        max_images_per_call=4,
        sizes=Sizes(auto=True),
        output_formats=_FORMATS,
        seed=True,
        seed_range=(0, SEED_MAX),
        moderation={"conservative", "permissive", "none"},
        inputs=_inputs(),
        provider_options=V16Options,
        max_resolution="864x1296",
        lifecycle=Lifecycle(status="active", note="FASHN: Lifecycle stable"),
        price=PRICES["tryon-v1.6"],
        sources=src.v16_sources(),
    ))


def _max() -> FashnModel:
    return FashnModel("product_image", "num_images", Capabilities(
        operations={Operation.TRY_ON},
        try_on=TryOnCapabilities(
            # no category field: clothing, shoes, hats, jewelry, bags ... all go as product_image
            categories={c: "(none sent)" for c in ("top", "bottom", "one-piece", "outerwear", "footwear", "accessory")},
            auto_category=True, max_garments=1, prompt="optional", mask_modes={"auto"},
            modes={"balanced": "balanced", "quality": "quality"},
            note="dedicated try-on of any wearable product with an optional prompt, 1k-4k, 20-120 s, 2-5 credits",
        ),
        max_input_images=2,
        max_images_per_call=4,
        sizes=Sizes(auto=True),
        aspect_ratios=MAX_RATIOS,
        output_formats=_FORMATS,
        seed=True,
        seed_range=(0, SEED_MAX),
        inputs=_inputs(),
        provider_options=MaxOptions,
        max_resolution="4k (about 16 MP)",
        lifecycle=Lifecycle(status="active", note="FASHN: Lifecycle experimental"),
        price=PRICES["tryon-max"],
        sources=src.max_sources(),
    ))


MODELS: Mapping[str, FashnModel] = MappingProxyType({"tryon-v1.6": _v16(), "tryon-max": _max()})
"""FASHN ``model_name`` -> its declaration (tryon names the models ``fashn-<model_name>`` too)."""

NOT_SUPPORTED: Mapping[str, str] = MappingProxyType({
    "tryon-v1.5": "superseded by tryon-v1.6 (no longer in the SDK's model names)",
    "product-to-model": "generates a new person (or dresses one) from a product; not in tryon's operations yet",
    "face-to-model": "makes a try-on avatar from a face; not an image edit tryon models",
    "model-create": "text/reference to a new fashion model; not implemented",
    "model-swap": "replaces the person keeping the outfit; not implemented",
    "reframe": "outpainting to an aspect ratio; not implemented",
    "background-change": "not implemented",
    "background-remove": "not implemented",
    "image-to-video": "video, outside tryon",
    "edit": "FASHN's prompt edit; not implemented",
    "packshot": "product packshots; not implemented",
})
"""FASHN ``model_name`` values (SDK 0.9.0) that are not tryon models, with the reason."""

