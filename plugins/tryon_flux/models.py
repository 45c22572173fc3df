"""The FLUX models served by the Black Forest Labs API, as data.

Facts come from BFL's OpenAPI description (``Flux2Inputs``, ``Flux2FlexInputs``,
``FluxKontextProInputs``, ``FluxProFillInputs``) and BFL's documentation as summarised in
the project's provider notes. Adding a model is adding an entry to :data:`MODELS`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from tryon.capabilities import Capabilities, Operation
from tryon.media.limits import InputLimits
from tryon.sizes import SizeRule, Sizes

from .pricing import PRICES

__all__ = [
    "FLUX2_MAX_PIXELS",
    "KONTEXT_RATIOS",
    "MODELS",
    "FillOptions",
    "FlexOptions",
    "Flux2Options",
    "FluxModel",
    "KontextOptions",
]

#: FLUX.2 outputs: any WxH in multiples of 16, edges from 64 px, at most 4 MP.
FLUX2_MAX_PIXELS = 4_194_304
#: The aspect ratios declared for Kontext (the API takes any ratio between 21:9 and 9:21).
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
    """One submit endpoint: its request family (``flux2``, ``kontext`` or ``fill``) and capabilities."""

    family: str
    capabilities: Capabilities


def with_prices(models: Mapping[str, FluxModel]) -> Mapping[str, FluxModel]:
    """*models* with each one's declared price attached (``None`` where none is published)."""
    return MappingProxyType({
        name: attrs.evolve(m, capabilities=attrs.evolve(m.capabilities, price=PRICES.get(name)))
        for name, m in models.items()
    })


def _flux2(options: type) -> FluxModel:
    return FluxModel(
        "flux2",
        Capabilities(
            operations={Operation.GENERATE, Operation.EDIT},
            max_input_images=8,
            sizes=Sizes.any(SizeRule(multiple_of=16, min_edge=64, max_pixels=FLUX2_MAX_PIXELS)),
            output_formats=_FORMATS,
            seed=True,
            inputs=InputLimits(accepted_types=_INPUT_TYPES, max_count=8),
            defaults={"output_format": "jpeg"},
            provider_options=options,
            max_resolution="2048x2048",
        ),
    )


def _kontext() -> FluxModel:
    return FluxModel(
        "kontext",
        Capabilities(
            operations={Operation.GENERATE, Operation.EDIT},
            max_input_images=4,
            sizes=Sizes.ratios(*KONTEXT_RATIOS),
            aspect_ratios=KONTEXT_RATIOS,
            output_formats=_FORMATS,
            seed=True,
            inputs=InputLimits(accepted_types=_INPUT_TYPES, max_count=4),
            defaults={"output_format": "png"},
            provider_options=KontextOptions,
            max_resolution="about 1 MP",
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
        ),
    )


MODELS: Mapping[str, FluxModel] = with_prices(
    {
        "flux-2-pro": _flux2(Flux2Options),
        "flux-2-max": _flux2(Flux2Options),
        "flux-2-flex": _flux2(FlexOptions),
        "flux-kontext-pro": _kontext(),
        "flux-kontext-max": _kontext(),
        "flux-pro-1.0-fill": _fill(),
    }
)
"""Model id (= the BFL endpoint ``/v1/<id>``) -> request family and capabilities."""
