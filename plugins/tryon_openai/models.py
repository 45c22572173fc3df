"""The GPT image models, as data.

Facts come from the installed ``openai`` SDK's parameter documentation
(``image_generate_params.py``, ``image_edit_params.py``, ``image_model.py``) and the
project's provider notes. Adding a model is adding an entry to :data:`MODELS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from tryon.capabilities import Capabilities, Lifecycle, Operation, Rule
from tryon.media.limits import InputLimits
from tryon.sizes import SizeRule, Sizes

from .pricing import PRICES

__all__ = ["DEFAULT_MODEL", "MODELS", "OpenAIImageOptions", "OpenAIMarkupOptions"]

DEFAULT_MODEL = "gpt-image-1.5"
MB = 1024 * 1024

STANDARD_SIZES = ("1024x1024", "1536x1024", "1024x1536")
STANDARD = Sizes.fixed(*STANDARD_SIZES, auto=True)
#: gpt-image-2 and later: any WxH, multiples of 16, aspect 1:3 to 3:1, up to 3840x2160.
ARBITRARY = Sizes.any(
    SizeRule(multiple_of=16, min_edge=16, max_long_edge=3840, max_short_edge=2160,
             min_aspect=1 / 3, max_aspect=3.0),
    standard=STANDARD_SIZES, auto=True,
)
BASE_QUALITIES = frozenset({"low", "medium", "high", "auto"})
INPUTS = InputLimits(
    accepted_types=frozenset({"image/png", "image/jpeg", "image/webp"}),
    max_bytes=50 * MB, max_count=16, mask_max_bytes=4 * MB,
)
RULES = (
    Rule.requires("background", "transparent", "output_format", {"png", "webp"},
                  "a transparent background needs output_format png or webp"),
    Rule.requires("output_compression", None, "output_format", {"jpeg", "webp"},
                  "output_compression applies to jpeg and webp output only"),
)
MARKUP_RULES = (
    Rule.excludes("options.markup", "mask", "markup cannot be combined with a mask"),
    Rule.excludes("options.markup", "moderation",
                  "moderation is sent in the JSON form of the edit endpoint, which takes no markup"),
)


@attrs.frozen(kw_only=True)
class OpenAIImageOptions:
    """OpenAI-specific options for every GPT image model."""

    safety_identifier: str | None = attrs.field(default=None, validator=attrs.validators.optional(
        attrs.validators.instance_of(str)))
    user: str | None = attrs.field(default=None, validator=attrs.validators.optional(
        attrs.validators.instance_of(str)))


@attrs.frozen(kw_only=True)
class OpenAIMarkupOptions(OpenAIImageOptions):
    """GPT Image 2.5 adds ``markup``: an image with transparent pixels marking what to change."""

    markup: object = None


def _caps(*, sizes: Sizes = STANDARD, qualities: frozenset[str] = BASE_QUALITIES,
          fidelity: frozenset[str] = frozenset(), markup: bool = False,
          lifecycle: Lifecycle = Lifecycle()) -> Capabilities:
    largest = "3840x2160" if sizes.arbitrary else "1536x1024"
    return Capabilities(
        operations={Operation.GENERATE, Operation.EDIT},
        transparent_background=True,
        mask=True,
        input_fidelity=fidelity,
        max_input_images=16,
        max_images_per_call=10,
        sizes=sizes,
        qualities=qualities,
        output_formats={"png", "jpeg", "webp"},
        output_compression=True,
        streaming=True,
        max_partial_images=3,
        moderation={"low", "auto"},
        max_prompt_length=32_000,
        inputs=INPUTS,
        lifecycle=lifecycle,
        rules=(*RULES, *MARKUP_RULES) if markup else RULES,
        defaults={"output_format": "png", "background": "auto", "quality": "auto"},
        provider_options=OpenAIMarkupOptions if markup else OpenAIImageOptions,
        image_options={"markup"} if markup else frozenset(),
        max_resolution=largest,
    )


def with_prices(models: Mapping[str, Capabilities]) -> Mapping[str, Capabilities]:
    """*models* with each one's declared price attached (``None`` where none is published)."""
    return MappingProxyType({name: attrs.evolve(caps, price=PRICES.get(name)) for name, caps in models.items()})


_HIGH_LOW = frozenset({"high", "low"})
_V25 = dict(sizes=ARBITRARY, qualities=BASE_QUALITIES | {"xhigh", "max"}, markup=True)

MODELS: Mapping[str, Capabilities] = with_prices({
    "gpt-image-1.5": _caps(fidelity=_HIGH_LOW),
    "chatgpt-image-latest": _caps(fidelity=_HIGH_LOW),
    "gpt-image-1": _caps(fidelity=_HIGH_LOW, lifecycle=Lifecycle(
        status="retired", shutdown_on=dt.date(2026, 10, 23),
        successors=("gpt-image-2.5-sunburst", "gpt-image-2.5-flare"),
        note="OpenAI shut it down; OpenAI-compatible endpoints may still serve it")),
    "gpt-image-1-mini": _caps(fidelity=frozenset({"low"}), lifecycle=Lifecycle(
        status="deprecated", successors=("gpt-image-1.5",))),
    "gpt-image-2": _caps(sizes=ARBITRARY),
    "gpt-image-2-2026-04-21": _caps(sizes=ARBITRARY),
    "gpt-image-2.5-sunburst": _caps(**_V25),  # type: ignore[arg-type]
    "gpt-image-2.5-sunburst-2026-09-08": _caps(**_V25),  # type: ignore[arg-type]
    "gpt-image-2.5-flare": _caps(**_V25),  # type: ignore[arg-type]
    "gpt-image-2.5-flare-2026-09-08": _caps(**_V25),  # type: ignore[arg-type]
    "gpt-image-2.6-sunburst": _caps(),
    "gpt-image-2.6-flare": _caps(),
})
"""Model id -> capabilities (prices from :data:`~tryon_openai.pricing.PRICES`). The 2.6 models are
declared with only what the SDK documents for them."""
