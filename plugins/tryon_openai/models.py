"""The GPT image models, as data, with where every fact comes from.

The authority is the installed ``openai`` SDK (3.57.0; its parameter documentation in
``openai/types/image_generate_params.py``, ``image_edit_params.py``, ``image_model.py`` and
``images_response.py``) and OpenAI's OpenAPI document; where those are silent, agreeing
third-party references, marked as such (see :mod:`.sources`). Adding a model is adding an entry
to :data:`MODELS`; models the SDK knows that tryon does not serve are in :data:`RETIRED`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from tryon.capabilities import Advisory, Capabilities, InputsWhen, Lifecycle, Operation, PixelBudget, Rule
from tryon.media.limits import InputLimits
from tryon.provenance import Provenance, Source
from tryon.sizes import SizeRule, Sizes
from tryon.vto.composition import with_composition

from . import sources as src
from .pricing import PRICES

__all__ = [
    "COMPLEXITIES",
    "DEFAULT_MODEL",
    "FRAME_COUNT_RANGE",
    "JSON_EDIT_MAX_DATA_URL",
    "MODELS",
    "RETIRED",
    "SVG_EFFORTS",
    "OpenAIAnimatedOptions",
    "OpenAIImageOptions",
    "OpenAIMarkupOptions",
    "RetiredModel",
    "SvgAuthor",
]

DEFAULT_MODEL = "gpt-image-2.6-sunburst"
"""tryon's default model: the first successor OpenAI's deprecations page names for ``gpt-image-1.5``
(shut down 2026-12-01), the detail-and-edit-consistency variant of GPT Image 2.6 (``-flare`` is the fast one)."""
MB = 1024 * 1024

STANDARD_SIZES = ("1024x1024", "1536x1024", "1024x1536")
STANDARD = Sizes.fixed(*STANDARD_SIZES, auto=True)
#: gpt-image-2 and 2.5: any WxH, multiples of 16, aspect 1:3 to 3:1, 655,360 to 8,294,400
#: pixels (3840x2160), no edge above 3840; above 2560x1440 experimental.
MIN_PIXELS, MAX_PIXELS, MAX_EDGE = 655_360, 3840 * 2160, 3840
ARBITRARY = Sizes.any(
    SizeRule(multiple_of=16, max_edge=MAX_EDGE, min_aspect=1 / 3, max_aspect=3.0,
             min_pixels=MIN_PIXELS, max_pixels=MAX_PIXELS, experimental_above=2560 * 1440),
    standard=STANDARD_SIZES, auto=True,
)
#: GIF frames (gpt-image-2.6): multiples of 16 within one image's edge limit; the pixel budget is
#: shared by all frames (:data:`GIF_BUDGET`).
GIF_FRAMES = Sizes.any(SizeRule(multiple_of=16, max_edge=MAX_EDGE, min_aspect=1 / 3, max_aspect=3.0),
                       standard=STANDARD_SIZES, auto=True)
FRAME_COUNT_RANGE = (2, 16)
FRAME_COUNT_DEFAULT = 9
FRAME_DURATION_CAP_MS = 655_350
GIF_BUDGET = PixelBudget(
    factor="options.frame_count", factor_default=FRAME_COUNT_DEFAULT, when="output_format", equals="gif",
    max_pixels=MAX_PIXELS, min_pixels=MIN_PIXELS,
    message="a GIF's frames share one image's pixel budget, frame width x height x frame_count: "
            "use a smaller size or fewer frames")
COMPLEXITIES = frozenset({"low", "medium", "high"})
SVG_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
#: The JSON edit form (``images[].image_url``) takes data URLs of at most this many characters.
JSON_EDIT_MAX_DATA_URL = 20_971_520
_DATA_URL_PREFIX = len("data:image/webp;base64,")

BASE_QUALITIES = frozenset({"low", "medium", "high", "auto"})
INPUTS = InputLimits(
    accepted_types=frozenset({"image/png", "image/jpeg", "image/webp"}),
    max_bytes=50 * MB, max_count=16, mask_max_bytes=4 * MB,
)
#: Inputs sent as base64 data URLs in the JSON edit form: 4 characters per 3 bytes.
JSON_INPUTS = attrs.evolve(INPUTS, max_bytes=(JSON_EDIT_MAX_DATA_URL - _DATA_URL_PREFIX) // 4 * 3)
JSON_FORM = InputsWhen(
    "moderation", JSON_INPUTS,
    "moderation on an edit is sent in the JSON form, whose image data URLs are capped at "
    f"{JSON_EDIT_MAX_DATA_URL:,} characters")

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
ANIMATED_RULES = (
    Rule.requires("options.frame_count", None, "output_format", {"gif"}, "frame_count applies to GIF output only"),
    Rule.requires("options.frame_duration_ms", None, "output_format", {"gif"},
                  "frame_duration_ms applies to GIF output only"),
    Rule.forbids("output_format", "gif", "mask", "GIF output does not support masks"),
    Rule.forbids("output_format", "gif", "partial_images", "GIF output does not support partial images"),
    Rule.forbids("output_format", "gif", "output_compression", "GIF output does not support output_compression"),
    Rule.requires("options.svg", None, "output_format", {"svg"}, "svg (the SVG author) applies to SVG output only"),
    Rule.requires("output_format", "svg", "n", {1}, "SVG output makes one image per request (n=1)"),
    Rule.forbids("output_format", "svg", "partial_images", "SVG output does not support partial images"),
    Rule.forbids("output_format", "svg", "output_compression", "SVG output does not support output_compression"),
)
PREVIEW_TRANSPARENCY = Advisory(
    "background", "feature-preview", equals="transparent",
    message="transparent backgrounds on gpt-image-2 are a preview feature (OpenAI SDK 3.57): results may vary")
ANIMATED_ADVISORIES = (
    Advisory("output_format", "feature-preview", equals="gif",
             message="GIF output is a preview: it needs access to the GIF preview for this model"),
    Advisory("output_format", "feature-preview", equals="svg",
             message="SVG output needs project access (and svg.model when SVG model selection is enabled)"),
    Advisory("options.frame_duration_ms", "option-capped", above=FRAME_DURATION_CAP_MS,
             message=f"the GIF encodes at most {FRAME_DURATION_CAP_MS:,} ms per frame: longer durations are capped"),
)


# --------------------------------------------------------------------------- provider options

def _optional(kind: type) -> Any:
    return attrs.validators.optional(attrs.validators.instance_of(kind))


def _in_range(low: int, high: int) -> Any:
    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"{attribute.name}={value!r} must be a whole number from {low} to {high}")
    return check


def _non_negative(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValueError(f"{attribute.name}={value!r} must be a whole number of milliseconds (0 or more)")


def _one_of(values: Any) -> Any:
    allowed = tuple(sorted(values)) if not isinstance(values, tuple) else values

    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and value not in allowed:
            raise ValueError(f"{attribute.name}={value!r} is not one of {', '.join(allowed)}")
    return check


@attrs.frozen(kw_only=True)
class SvgAuthor:
    """Who writes an SVG: ``model`` (needed when the project has SVG model selection) and its
    reasoning ``effort``. Also accepted as the SDK's mapping ``{"model": ..., "reasoning": {"effort": ...}}``."""

    model: str | None = attrs.field(default=None, validator=_optional(str))
    effort: str | None = attrs.field(default=None, validator=_one_of(SVG_EFFORTS))

    def to_param(self) -> dict[str, Any]:
        """The SDK's ``svg`` parameter."""
        out: dict[str, Any] = {}
        if self.model is not None:
            out["model"] = self.model
        if self.effort is not None:
            out["reasoning"] = {"effort": self.effort}
        return out


def _svg_author(value: Any) -> Any:
    if value is None or isinstance(value, SvgAuthor):
        return value
    if isinstance(value, Mapping):
        unknown = set(value) - {"model", "reasoning", "effort"}
        if unknown:
            raise ValueError(f"svg takes model and reasoning.effort, not {sorted(unknown)}")
        reasoning = value.get("reasoning") or {}
        if not isinstance(reasoning, Mapping) or set(reasoning) - {"effort"}:
            raise ValueError("svg.reasoning takes only effort")
        return SvgAuthor(model=value.get("model"), effort=reasoning.get("effort", value.get("effort")))
    raise ValueError(f"svg must be a mapping {{'model': ..., 'reasoning': {{'effort': ...}}}}, not {value!r}")


@attrs.frozen(kw_only=True)
class OpenAIImageOptions:
    """OpenAI-specific options for every GPT image model."""

    safety_identifier: str | None = attrs.field(default=None, validator=_optional(str))
    user: str | None = attrs.field(default=None, validator=_optional(str))


@attrs.frozen(kw_only=True)
class OpenAIMarkupOptions(OpenAIImageOptions):
    """GPT Image 2.5 adds ``markup``: an image with transparent pixels marking what to change."""

    markup: object = None


@attrs.frozen(kw_only=True)
class OpenAIAnimatedOptions(OpenAIImageOptions):
    """GPT Image 2.6 adds ``complexity`` (planning effort), GIF frames and the SVG author."""

    complexity: str | None = attrs.field(default=None, validator=_one_of(COMPLEXITIES))
    frame_count: int | None = attrs.field(default=None, validator=_in_range(*FRAME_COUNT_RANGE))
    frame_duration_ms: int | None = attrs.field(default=None, validator=_non_negative)
    svg: SvgAuthor | None = attrs.field(default=None, converter=_svg_author)


# --------------------------------------------------------------------------- declarations

def _caps(*, sizes: Sizes = STANDARD, qualities: frozenset[str] = BASE_QUALITIES,
          fidelity: frozenset[str] = frozenset(), markup: bool = False, animated: bool = False,
          preview_transparency: bool = False, lifecycle: Lifecycle = Lifecycle(),
          sources: Provenance = Provenance()) -> Capabilities:
    largest = "3840x2160" if sizes.arbitrary else "1536x1024"
    formats = {"png", "jpeg", "webp"} | ({"gif", "svg"} if animated else set())
    rules: tuple[Rule, ...] = RULES + (MARKUP_RULES if markup else ()) + (ANIMATED_RULES if animated else ())
    options: type = OpenAIAnimatedOptions if animated else OpenAIMarkupOptions if markup else OpenAIImageOptions
    return with_composition(Capabilities(  # try-on by composition over the multi-image edit (docs/try-on.md)
        operations={Operation.GENERATE, Operation.EDIT},
        transparent_background=True,
        mask=True,
        input_fidelity=fidelity,
        max_input_images=16,
        max_images_per_call=10,
        sizes=sizes,
        qualities=qualities,
        output_formats=formats,
        output_compression=True,
        streaming=True,
        max_partial_images=3,
        moderation={"low", "auto"},
        max_prompt_length=32_000,
        inputs=INPUTS,
        inputs_when=(JSON_FORM,),
        lifecycle=lifecycle,
        rules=rules,
        defaults={"output_format": "png", "background": "auto", "quality": "auto"},
        provider_options=options,
        image_options={"markup"} if markup else frozenset(),
        max_resolution=largest,
        format_sizes={"gif": GIF_FRAMES} if animated else {},
        budgets=(GIF_BUDGET,) if animated else (),
        advisories=((PREVIEW_TRANSPARENCY,) if preview_transparency else ()) + (
            ANIMATED_ADVISORIES if animated else ()),
        unstreamable_formats={"gif", "svg"} if animated else frozenset(),
        sources=sources,
    ))


def with_prices(models: Mapping[str, Capabilities]) -> Mapping[str, Capabilities]:
    """*models* with each one's declared price attached (``None`` where none is published)."""
    return MappingProxyType({name: attrs.evolve(caps, price=PRICES.get(name)) for name, caps in models.items()})


_HIGH_LOW = frozenset({"high", "low"})
_V2: dict[str, Any] = dict(sizes=ARBITRARY, preview_transparency=True)
_V25: dict[str, Any] = dict(sizes=ARBITRARY, qualities=BASE_QUALITIES | {"xhigh", "max"}, markup=True)
_V26: dict[str, Any] = dict(animated=True)

GPT_IMAGE_1 = Lifecycle(
    status="retired", shutdown_on=dt.date(2026, 10, 23),
    successors=("gpt-image-2.5-sunburst", "gpt-image-2.5-flare"),
    note="OpenAI shut it down; OpenAI-compatible endpoints (Azure, proxies) may still serve it")
#: OpenAI's deprecations page: notice 2026-06-02, shut down 2026-12-01, replaced by GPT Image 2.6.
SHUT_DOWN_2026_12_01 = Lifecycle(
    status="retired", deprecated_on=dt.date(2026, 6, 2), shutdown_on=dt.date(2026, 12, 1),
    successors=("gpt-image-2.6-sunburst", "gpt-image-2.6-flare"),
    note="OpenAI shut it down on 2026-12-01; OpenAI-compatible endpoints (Azure until its own date, proxies) "
         "may still serve it")

MODELS: Mapping[str, Capabilities] = with_prices({
    "gpt-image-1.5": _caps(fidelity=_HIGH_LOW, lifecycle=SHUT_DOWN_2026_12_01, sources=src.provenance("gpt-image-1.5")),
    "chatgpt-image-latest": _caps(fidelity=_HIGH_LOW, lifecycle=SHUT_DOWN_2026_12_01,
                                  sources=src.provenance("chatgpt-image-latest")),
    "gpt-image-1": _caps(fidelity=_HIGH_LOW, lifecycle=GPT_IMAGE_1, sources=src.provenance("gpt-image-1")),
    "gpt-image-1-mini": _caps(fidelity=frozenset({"low"}), lifecycle=SHUT_DOWN_2026_12_01,
                              sources=src.provenance("gpt-image-1-mini")),
    "gpt-image-2": _caps(**_V2, sources=src.provenance("gpt-image-2")),
    "gpt-image-2-2026-04-21": _caps(**_V2, sources=src.provenance("gpt-image-2-2026-04-21")),
    "gpt-image-2.5-sunburst": _caps(**_V25, sources=src.provenance("gpt-image-2.5-sunburst")),
    "gpt-image-2.5-sunburst-2026-09-08": _caps(**_V25, sources=src.provenance("gpt-image-2.5-sunburst-2026-09-08")),
    "gpt-image-2.5-flare": _caps(**_V25, sources=src.provenance("gpt-image-2.5-flare")),
    "gpt-image-2.5-flare-2026-09-08": _caps(**_V25, sources=src.provenance("gpt-image-2.5-flare-2026-09-08")),
    "gpt-image-2.6-sunburst": _caps(**_V26, sources=src.provenance("gpt-image-2.6-sunburst")),
    "gpt-image-2.6-flare": _caps(**_V26, sources=src.provenance("gpt-image-2.6-flare")),
})
"""Model id -> capabilities. Every model carries its sources (``capabilities.sources``) and its price
(:data:`~tryon_openai.pricing.PRICES`, ``None`` where none is published)."""


@attrs.frozen
class RetiredModel:
    """A model the SDK still names that tryon does not serve, and why."""

    lifecycle: Lifecycle
    reason: str
    source: Source


RETIRED: Mapping[str, RetiredModel] = MappingProxyType({
    name: RetiredModel(
        Lifecycle(status="retired", shutdown_on=dt.date(2026, 5, 12),
                  successors=("gpt-image-2.6-sunburst", "gpt-image-2"),
                  note="OpenAI retired the DALL·E models"),
        "retired by OpenAI on 2026-05-12; its request shape (response_format, style, quality standard/hd, "
        "256/512/1792 sizes) is not served by tryon",
        src.SDK_MODEL)
    for name in ("dall-e-2", "dall-e-3")
})
"""SDK ``ImageModel`` values tryon does not serve (not registered), with their lifecycle and reason."""
