"""The FLUX models served by the Black Forest Labs API, as data.

Facts come from BFL's OpenAPI description, vendored as ``openapi/bfl-openapi-2026-04-23.json``
(``Flux2Inputs``, ``Flux2FlexInputs``, ``Flux2KleinInputs``, ``FluxKontextProInputs``,
``FluxProFillInputs``) and BFL's docs and help pages; every fact group carries its source
(:mod:`.sources`). Adding a model is adding an entry to :data:`MODELS`; an endpoint of the
document that is not a model here is listed in :data:`NOT_SUPPORTED` with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from tryon.capabilities import Capabilities, Lifecycle, Operation
from tryon.media.limits import InputLimits
from tryon.sizes import SizeRule, Sizes
from tryon.vto import TryOnCapabilities
from tryon.vto.composition import with_composition

from . import sources as src
from .pricing import PRICES

__all__ = [
    "FLUX2_MAX_PIXELS",
    "KONTEXT_RATIOS",
    "MODELS",
    "NOT_SUPPORTED",
    "ExpandOptions",
    "FillOptions",
    "FlexOptions",
    "Flux2Options",
    "FluxModel",
    "KontextOptions",
    "VtoOptions",
]

#: FLUX.2 outputs: any WxH in multiples of 16, edges from 256 px, at most 4 MP.
FLUX2_MAX_PIXELS = 4_194_304
FLUX2_MIN_EDGE = 256
#: Reference images of one FLUX.2 request together: at most 9 MP.
FLUX2_MAX_INPUT_PIXELS = 9_000_000
#: Kontext takes any aspect ratio from 9:21 to 21:9; these are the commonly listed ones.
KONTEXT_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9", "9:21")
_FORMATS = frozenset({"jpeg", "png", "webp"})
_INPUT_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})


def _int_in(low: int, high: int) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """An attrs validator: ``None`` or a whole number (not a bool) from *low* to *high*."""

    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{attribute.name} must be a whole number from {low} to {high}, not {value!r}")
        if not low <= value <= high:
            raise ValueError(f"{attribute.name}={value} is out of range: use {low} to {high}")

    return check


def _number_in(low: float, high: float) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """An attrs validator: ``None`` or a number (not a bool) from *low* to *high*."""

    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"{attribute.name} must be a number from {low} to {high}, not {value!r}")
        if not low <= value <= high:
            raise ValueError(f"{attribute.name}={value} is out of range: use {low} to {high}")

    return check


_optional_bool = attrs.validators.optional(attrs.validators.instance_of(bool))


@attrs.frozen(kw_only=True)
class Flux2Options:
    """FLUX.2 [pro] / [max]: ``safety_tolerance`` 0 (strictest) to 5 (service default 2)."""

    safety_tolerance: int | None = attrs.field(default=None, validator=_int_in(0, 5))


@attrs.frozen(kw_only=True)
class FlexOptions(Flux2Options):
    """FLUX.2 [flex] adds ``steps`` (1-50), ``guidance`` (1.5-10) and ``prompt_upsampling``."""

    steps: int | None = attrs.field(default=None, validator=_int_in(1, 50))
    guidance: float | None = attrs.field(default=None, validator=_number_in(1.5, 10))
    prompt_upsampling: bool | None = attrs.field(default=None, validator=_optional_bool)


@attrs.frozen(kw_only=True)
class KontextOptions:
    """FLUX.1 Kontext: ``safety_tolerance`` 0-6 and ``prompt_upsampling``."""

    safety_tolerance: int | None = attrs.field(default=None, validator=_int_in(0, 6))
    prompt_upsampling: bool | None = attrs.field(default=None, validator=_optional_bool)


@attrs.frozen(kw_only=True)
class FillOptions(KontextOptions):
    """FLUX.1 Fill [pro] adds ``steps`` (15-50) and ``guidance`` (1.5-100)."""

    steps: int | None = attrs.field(default=None, validator=_int_in(15, 50))
    guidance: float | None = attrs.field(default=None, validator=_number_in(1.5, 100))


@attrs.frozen
class FluxModel:
    """One submit endpoint: its request family (``flux2``, ``kontext``, ``fill``, ``erase`` or ``vto``) and
    capabilities."""

    family: str
    capabilities: Capabilities
    endpoint: str | None = None
    """The submit path when it is not ``/v1/<model id>`` (the FLUX tools live under ``/v1/flux-tools/``)."""

    def path(self, model_id: str) -> str:
        return self.endpoint or f"/v1/{model_id}"


def with_prices(models: Mapping[str, FluxModel]) -> Mapping[str, FluxModel]:
    """*models* with each one's declared price attached (``None`` where none is published)."""
    return MappingProxyType({
        name: attrs.evolve(m, capabilities=attrs.evolve(m.capabilities, price=PRICES.get(name)))
        for name, m in models.items()
    })


def _flux2(options: type, *, refs: int, provenance: src.Provenance) -> FluxModel:
    return FluxModel(
        "flux2",
        with_composition(Capabilities(  # try-on by composition over the multi-reference edit (docs/try-on.md)
            operations={Operation.GENERATE, Operation.EDIT},
            max_input_images=refs,
            sizes=Sizes.any(SizeRule(multiple_of=16, min_edge=FLUX2_MIN_EDGE, max_pixels=FLUX2_MAX_PIXELS)),
            output_formats=_FORMATS,
            seed=True,
            inputs=InputLimits(accepted_types=_INPUT_TYPES, max_count=refs,
                               max_total_pixels=FLUX2_MAX_INPUT_PIXELS),
            defaults={"output_format": "jpeg"},
            provider_options=options,
            max_resolution="2048x2048",
            sources=provenance,
        )),
    )


def _kontext(model: str) -> FluxModel:
    return FluxModel(
        "kontext",
        Capabilities(
            operations={Operation.GENERATE, Operation.EDIT},
            max_input_images=4,
            sizes=Sizes.ratio_between("9:21", "21:9", standard=KONTEXT_RATIOS),
            aspect_ratios=KONTEXT_RATIOS,
            output_formats=_FORMATS,
            seed=True,
            inputs=InputLimits(accepted_types=_INPUT_TYPES, max_count=4),
            defaults={"output_format": "png"},
            provider_options=KontextOptions,
            max_resolution="about 1 MP",
            lifecycle=Lifecycle(
                status="deprecated",
                successors=("flux-2-pro", "flux-2-flex"),
                note="BFL's OpenAPI calls Kontext legacy: 'use FLUX.2 [PRO] for editing'; no shutdown date announced",
            ),
            sources=src.kontext(model),
        ),
    )


def _fill() -> FluxModel:
    return FluxModel(
        "fill",
        Capabilities(
            operations={Operation.EDIT},
            mask=True,
            mask_required=True,  # BFL: Fill fills the masked area; "Fill needs a mask" (docs/providers/flux.md)
            max_input_images=1,
            sizes=Sizes(auto=True),  # "auto" only: the output has the input image's size
            output_formats=_FORMATS,
            seed=True,
            inputs=InputLimits(accepted_types=_INPUT_TYPES, max_count=1),
            defaults={"output_format": "jpeg"},
            provider_options=FillOptions,
            max_resolution="input size",
            sources=src.fill(),
        ),
    )


#: FLUX.1 Expand: at most this many pixels added on one side (FluxProExpandInputs).
EXPAND_MAX_SIDE = 2048


@attrs.frozen(kw_only=True)
class ExpandOptions(FillOptions):
    """FLUX.1 Expand [pro]: ``top``, ``bottom``, ``left``, ``right`` (pixels to add on each side,
    0-2048, default 0), and Fill's ``steps``, ``guidance``, ``prompt_upsampling``, ``safety_tolerance``.
    With no side set the service takes the request (all default to 0) and answers at the input's size."""

    top: int | None = attrs.field(default=None, validator=_int_in(0, EXPAND_MAX_SIDE))
    bottom: int | None = attrs.field(default=None, validator=_int_in(0, EXPAND_MAX_SIDE))
    left: int | None = attrs.field(default=None, validator=_int_in(0, EXPAND_MAX_SIDE))
    right: int | None = attrs.field(default=None, validator=_int_in(0, EXPAND_MAX_SIDE))


def _expand() -> FluxModel:
    return FluxModel(
        "expand",
        Capabilities(
            operations={Operation.EDIT},
            max_input_images=1,
            sizes=Sizes(auto=True),  # the output is the input plus the pixels added on each side
            output_formats=_FORMATS,
            seed=True,
            inputs=InputLimits(accepted_types=_INPUT_TYPES, max_count=1),
            defaults={"output_format": "jpeg"},
            provider_options=ExpandOptions,
            max_resolution="input size + up to 2048 px per side",
            sources=src.expand(),
        ),
    )


@attrs.frozen(kw_only=True)
class EraseOptions:
    """FLUX Erase: ``dilate_pixels`` 0-25 (grow the mask's edge, service default 10), ``safety_tolerance`` 0-5."""

    dilate_pixels: int | None = attrs.field(default=None, validator=_int_in(0, 25))
    safety_tolerance: int | None = attrs.field(default=None, validator=_int_in(0, 5))


def _erase() -> FluxModel:
    return FluxModel(
        "erase",
        Capabilities(
            operations={Operation.EDIT},
            mask=True,
            mask_required=True,  # BFL: the mask is required (Flux2EraseInputs)
            max_input_images=1,
            sizes=Sizes(auto=True),  # the output keeps the input's size
            output_formats=_FORMATS,
            seed=True,
            inputs=InputLimits(accepted_types=_INPUT_TYPES, max_count=1),
            defaults={"output_format": "jpeg"},
            provider_options=EraseOptions,
            max_resolution="input size",
            sources=src.erase(),
        ),
        endpoint="/v1/flux-tools/erase-v1",
    )


@attrs.frozen(kw_only=True)
class VtoOptions:
    """FLUX VTO: ``safety_tolerance`` 0 (strictest) to 5 (service default 2)."""

    safety_tolerance: int | None = attrs.field(default=None, validator=_int_in(0, 5))


#: FLUX VTO takes any wearable item: tryon's top-level categories as the words its prompt uses.
VTO_WORDS = {"top": "top", "bottom": "bottoms", "one-piece": "one-piece outfit", "outerwear": "outerwear",
             "footwear": "footwear", "accessory": "accessory"}


def _vto() -> FluxModel:
    return FluxModel(
        "vto",
        Capabilities(
            operations={Operation.TRY_ON},
            try_on=TryOnCapabilities(
                categories=VTO_WORDS, auto_category=True, auto_category_word="garments", max_garments=1,
                prompt="optional", mask_modes={"auto"},
                note="dedicated try-on (person + one garment image, which may hold a whole outfit) with a prompt "
                     "naming image 1 and image 2; tryon writes BFL's prompt formula when none is given",
            ),
            max_input_images=2,
            sizes=Sizes(auto=True),  # the output follows the person image (up to 2 MP; larger: about 1 MP)
            output_formats=_FORMATS,
            seed=True,
            inputs=InputLimits(accepted_types=_INPUT_TYPES, max_count=2),
            defaults={"output_format": "jpeg"},
            provider_options=VtoOptions,
            max_resolution="the person image's size, up to 2 MP",
            sources=src.vto(),
        ),
        endpoint="/v1/flux-tools/vto-v1",
    )


MODELS: Mapping[str, FluxModel] = with_prices(
    {
        "flux-2-pro": _flux2(Flux2Options, refs=8, provenance=src.flux2("flux-2-pro", "Flux2Inputs", 8)),
        "flux-2-max": _flux2(Flux2Options, refs=8, provenance=src.flux2("flux-2-max", "Flux2Inputs", 8)),
        "flux-2-flex": _flux2(FlexOptions, refs=8, provenance=src.flux2("flux-2-flex", "Flux2FlexInputs", 8)),
        "flux-2-klein-4b": _flux2(
            Flux2Options, refs=4, provenance=src.flux2("flux-2-klein-4b", "Flux2KleinInputs", 4)
        ),
        "flux-2-klein-9b": _flux2(
            Flux2Options, refs=4, provenance=src.flux2("flux-2-klein-9b", "Flux2KleinInputs", 4)
        ),
        "flux-kontext-pro": _kontext("flux-kontext-pro"),
        "flux-kontext-max": _kontext("flux-kontext-max"),
        "flux-pro-1.0-fill": _fill(),
        "flux-erase-v1": _erase(),
        "flux-vto-v1": _vto(),
        "flux-pro-1.0-expand": _expand(),
    }
)
"""Model id (= the BFL endpoint ``/v1/<id>`` unless ``endpoint`` says otherwise) -> family and capabilities."""

NOT_SUPPORTED: Mapping[str, str] = MappingProxyType(
    {
        "/v1/flux-tools/outpainting-v1": "outpainting (expanding an image onto a larger canvas) is not implemented yet",
        "/v1/flux-2-pro-preview": "a preview alias of flux-2-pro (same Flux2Inputs); tryon serves the stable id",
        "/v1/flux-2-klein-9b-preview": "a preview (KV-cached) variant of flux-2-klein-9b; tryon serves the stable id",
        "/v1/flux-pro-1.1": "FLUX1.1 [pro]: a legacy generation model superseded by FLUX.2",
        "/v1/flux-pro-1.1-ultra": "FLUX1.1 [pro] Ultra: a legacy generation model superseded by FLUX.2",
        "/v1/flux-dev": "FLUX.1 [dev]: a legacy generation model superseded by FLUX.2",
        "/v1/flux-pro-1.0-fill-finetuned": "finetuned models need a finetune id; tryon does not manage finetunes",
        "/v1/flux-pro-1.1-ultra-finetuned": "finetuned models need a finetune id; tryon does not manage finetunes",
        "/v1/finetune_details": "finetune management is outside image generation",
        "/v1/my_finetunes": "finetune management is outside image generation",
        "/v1/delete_finetune": "finetune management is outside image generation",
        "/v1/credits": "account balance, not image generation",
        "/v1/get_result": "the polling endpoint, used by every model (not a model itself)",
    }
)
"""Endpoints of BFL's OpenAPI document that are not tryon models, with the reason."""
