"""The Gemini image models ("Nano Banana"), as data.

Sizes: Gemini takes an aspect ratio (and on Pro an ``imageSize`` tier of 1K/2K/4K) and answers
with a fixed pixel size per ratio and tier (:data:`FLASH_SIZES`, :data:`PRO_SIZES`). Any
``WxH`` of exactly one of the ratios is accepted and mapped to that ratio (and tier).
Sources: Google's Vertex AI model cards (ratios, reference-image counts, 7 MB per image,
MIME types) and the Gemini API image-generation guide as quoted by third parties (the
pixel tables; 2.5 Flash's table is from a third-party mirror of Google's docs).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from tryon.capabilities import Capabilities, Lifecycle, Operation
from tryon.deviations import Deviations
from tryon.media.limits import InputLimits
from tryon.provenance import Provenance, Source, SourceKind
from tryon.sizes import Sizes
from tryon.vto.composition import with_composition

from .pricing import PRICES

__all__ = [
    "FLASH31_IMAGE_SIZES", "FLASH31_RATIOS", "FLASH31_SIZES", "FLASH_SIZES", "IMAGE_SIZES", "MODELS", "PRO_SIZES",
    "RATIOS", "UNSUPPORTED", "GeminiFlash31Options", "GeminiModel", "GeminiProOptions",
]

MB = 1024 * 1024
RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
IMAGE_SIZES = ("1K", "2K", "4K")
#: gemini-3.1-flash-image (Nano Banana 2): the ten ratios plus 1:4, 4:1, 1:8, 8:1 and 9:21 (Vertex model card).
FLASH31_RATIOS = (*RATIOS, "1:4", "4:1", "1:8", "8:1", "9:21")
#: gemini-3.1-flash-image's ``imageSize`` tiers: ``512`` (about 0.25 MP) below 1K (Vertex model card).
FLASH31_IMAGE_SIZES = ("512", "1K", "2K", "4K")

#: gemini-2.5-flash-image: ratio -> output size (about 1 MP).
FLASH_SIZES: Mapping[str, str] = MappingProxyType(
    {
        "1:1": "1024x1024",
        "2:3": "832x1248",
        "3:2": "1248x832",
        "3:4": "864x1184",
        "4:3": "1184x864",
        "4:5": "896x1152",
        "5:4": "1152x896",
        "9:16": "768x1344",
        "16:9": "1344x768",
        "21:9": "1536x672",
    }
)

#: gemini-3-pro-image-preview: image size tier -> ratio -> output size.
PRO_SIZES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "1K": MappingProxyType(
            {
                "1:1": "1024x1024",
                "2:3": "848x1264",
                "3:2": "1264x848",
                "3:4": "896x1200",
                "4:3": "1200x896",
                "4:5": "928x1152",
                "5:4": "1152x928",
                "9:16": "768x1376",
                "16:9": "1376x768",
                "21:9": "1584x672",
            }
        ),
        "2K": MappingProxyType(
            {
                "1:1": "2048x2048",
                "2:3": "1696x2528",
                "3:2": "2528x1696",
                "3:4": "1792x2400",
                "4:3": "2400x1792",
                "4:5": "1856x2304",
                "5:4": "2304x1856",
                "9:16": "1536x2752",
                "16:9": "2752x1536",
                "21:9": "3168x1344",
            }
        ),
        "4K": MappingProxyType(
            {
                "1:1": "4096x4096",
                "2:3": "3392x5056",
                "3:2": "5056x3392",
                "3:4": "3584x4800",
                "4:3": "4800x3584",
                "4:5": "3712x4608",
                "5:4": "4608x3712",
                "9:16": "3072x5504",
                "16:9": "5504x3072",
                "21:9": "6336x2688",
            }
        ),
    }
)


@attrs.frozen(kw_only=True)
class GeminiProOptions:
    """Nano Banana Pro's ``image_size``: ``"1K"`` (the service default), ``"2K"`` or ``"4K"``."""

    image_size: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.in_(IMAGE_SIZES))
    )


@attrs.frozen(kw_only=True)
class GeminiFlash31Options:
    """Nano Banana 2's ``image_size``: ``"512"``, ``"1K"`` (the service default), ``"2K"`` or ``"4K"`` (4K is a
    preview feature)."""

    image_size: str | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.in_(FLASH31_IMAGE_SIZES))
    )


def _edge(value: float) -> int:
    return max(16, round(value / 16) * 16)


def _inferred_size(ratio: str, pixels: int) -> str:
    w, h = (int(v) for v in ratio.split(":"))
    return f"{_edge((pixels * w / h) ** 0.5)}x{_edge((pixels * h / w) ** 0.5)}"


_TIER_PIXELS = {"512": 512 * 512, "1K": 1024 * 1024, "2K": 2048 * 2048, "4K": 4096 * 4096}


def _flash31_sizes() -> Mapping[str, Mapping[str, str]]:
    """Ratio -> size per tier: Pro's table where the ratio is shared (same Gemini 3 image family, same
    1120 tokens at 1K), else the tier's pixel count at the ratio on a 16 px grid. Inferred, not published."""
    out: dict[str, Mapping[str, str]] = {}
    for tier in FLASH31_IMAGE_SIZES:
        known = PRO_SIZES.get(tier, {})
        out[tier] = MappingProxyType(
            {r: known.get(r) or _inferred_size(r, _TIER_PIXELS[tier]) for r in FLASH31_RATIOS})
    return MappingProxyType(out)


FLASH31_SIZES: Mapping[str, Mapping[str, str]] = _flash31_sizes()
"""gemini-3.1-flash-image: image size tier -> ratio -> output size (inferred, see :func:`_flash31_sizes`)."""


@attrs.frozen
class GeminiModel:
    """One Gemini image model: capabilities, aliases and its output-size table.

    ``sizes`` maps ``(ratio, tier)`` to ``"WxH"``; the tier is ``None`` on models without
    ``imageSize`` (which then is never sent).
    """

    capabilities: Capabilities
    aliases: tuple[str, ...]
    sizes: Mapping[tuple[str, str | None], str]

    @property
    def tiers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for _, t in self.sizes if t is not None))

    @property
    def ratios(self) -> tuple[str, ...]:
        """The aspect ratios the model takes, in declaration order."""
        return tuple(dict.fromkeys(r for r, _ in self.sizes))

    @property
    def default_tier(self) -> str | None:
        """The tier the service uses when ``imageSize`` is not sent (1K where tiers exist)."""
        return ("1K" if "1K" in self.tiers else self.tiers[0]) if self.tiers else None

    def output_size(self, ratio: str, tier: str | None) -> str:
        """The size the service answers with for *ratio* at *tier* (the default tier when ``None``)."""
        tier = tier if tier is not None else self.default_tier
        return self.sizes[(ratio, tier)]

    def ratio_and_tier(self, size: str) -> tuple[str, str | None] | None:
        """The ``(ratio, tier)`` whose output is exactly *size*, if one is."""
        for key, value in self.sizes.items():
            if value == size:
                return key
        return None


def with_prices(models: Mapping[str, GeminiModel]) -> Mapping[str, GeminiModel]:
    """*models* with each one's declared price attached (``None`` where none is published)."""
    return MappingProxyType({
        name: attrs.evolve(m, capabilities=attrs.evolve(m.capabilities, price=PRICES.get(name)))
        for name, m in models.items()
    })


def _caps(
    *,
    max_images: int,
    types: frozenset[str],
    sizes: Mapping[tuple[str, str | None], str],
    options: type | None,
    lifecycle: Lifecycle,
    sources: Provenance,
    output_formats: frozenset[str] = frozenset({"png"}),
    max_prompt_length: int | None = None,
    deviations: Deviations | None = None,
) -> Capabilities:
    ratios = tuple(dict.fromkeys(r for r, _ in sizes))
    return with_composition(Capabilities(  # try-on by composition over the multi-image edit (docs/try-on.md)
        operations={Operation.GENERATE, Operation.EDIT},
        max_input_images=max_images,
        sizes=Sizes.ratios(*ratios, standard=sizes.values()),
        aspect_ratios=ratios,
        output_formats=output_formats,
        inputs=InputLimits(accepted_types=types, max_bytes=7 * MB, max_count=max_images),
        # A single-format model answers in it; where the service picks (Gemini 3), none is assumed.
        defaults={"output_format": "png"} if output_formats == {"png"} else {},
        max_prompt_length=max_prompt_length,
        provider_options=options,
        lifecycle=lifecycle,
        sources=sources,
        deviations=deviations or Deviations(),
    ))


_FLASH31_DEVIATIONS = Deviations(
    size_tolerance=0.04,
    note="3.1 Flash's pixel sizes per ratio and tier are inferred on a 16 px grid (no published table): the "
         "extreme ratios of the 512 tier are up to 3.3% off the exact ratio (1:8 is 176x1456)")

_FLASH_TABLE: dict[tuple[str, str | None], str] = {(ratio, None): size for ratio, size in FLASH_SIZES.items()}
_PRO_TABLE: dict[tuple[str, str | None], str] = {
    (ratio, tier): size for tier, table in PRO_SIZES.items() for ratio, size in table.items()
}
_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})

CHECKED = dt.date(2026, 12, 1)
_DEPRECATIONS = "https://ai.google.dev/gemini-api/docs/deprecations"
_SDK = "google-genai 3.6.1 google/genai/types.py (ImageConfig) and models.py (_ImageConfig_to_mldev)"
_SDK_MODELS = "google-genai 3.6.1 google/genai/_gaos/types/interactions/model.py (Model literal)"
_VERTEX_PRO = "https://docs.cloud.google.com/vertex-ai/generative-ai/docs/models/gemini/3-pro-image"
_VERTEX_FLASH = "https://cloud.google.com/vertex-ai/generative-ai/docs/models/gemini/2-5-flash-image"
_GUIDE = "https://ai.google.dev/gemini-api/docs/image-generation"


def _src(where: str, note: str = "", *, kind: str = "official", verified: bool = True) -> Source:
    return Source(where=where, checked=CHECKED, kind=SourceKind(kind), note=note, verified=verified)


_COMMON: dict[str, Source | tuple[Source, ...]] = {
    "aspect_ratios": (
        _src(_VERTEX_PRO, "1:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9"),
        _src(_SDK, "the ImageConfig docstring lists eight ratios (no 4:5, 5:4); the model cards list ten, "
             "which tryon declares"),
    ),
    "options": _src(_SDK, "the Gemini Developer API maps only aspectRatio and imageSize; the SDK raises for "
                    "person_generation, prominent_people, output_mime_type, output_compression_quality and "
                    "image_output_options (Vertex only), so tryon offers none of them"),
    "seed": _src("google-genai 3.6.1 GenerateContentConfig.seed", "the field exists, but no Google document "
                 "found says image models honour it; declared unsupported (the conservative reading)",
                 verified=False),
    "max_images_per_call": _src(_SDK, "one image per generateContent call is what tryon relies on; "
                                "candidateCount is not documented for image output on the Gemini API",
                                verified=False),
}


_PRO_FORMATS_SOURCE = _src(
    "issue 10 (observed answers) and google-genai 3.6.1 types.py (ImageConfig.output_mime_type)",
    "Gemini 3 image models can answer with JPEG bytes, sometimes labelled image/png; the Gemini API has no output "
    "format option (output_mime_type is Vertex only). Declared: png and jpeg; with no output_format the bytes are "
    "kept as served (typed from their magic bytes, never the label); an explicit output_format is honoured by "
    "re-encoding locally when the answer differs", kind="inferred", verified=False)
_PROMPT = _src("https://docs.cloud.google.com/vertex-ai/generative-ai/docs/models/gemini/3-1-flash-image",
               "limits are in tokens (3.1 Flash Image: 131,072 input, 32,768 output; 3 Pro Image: 65,536 input), not "
               "characters: no local prompt-length limit is declared")


def _pro_sources(model: str, lifecycle: Source | tuple[Source, ...]) -> Provenance:
    return Provenance({
        **_COMMON,
        "model": _src(_SDK_MODELS, f"{model} is in the SDK's model list"
                      if model == "gemini-3-pro-image" else f"{model} was the preview id (the SDK lists it as "
                      "nano-banana-pro-preview)"),
        "lifecycle": lifecycle,
        "sizes": (
            _src(_GUIDE, "1K/2K/4K pixel table per ratio as quoted by third parties (the guide could not be "
                 "read whole here)", kind="third-party", verified=False),
            _src(_SDK, "imageSize takes 1K, 2K, 4K; default 1K"),
        ),
        "inputs": _src(_VERTEX_PRO, "at most 14 images per prompt, 7 MB each inline; png, jpeg, webp, heic, heif"),
        "max_input_images": _src(_VERTEX_PRO, "maximum images per prompt: 14"),
        "max_prompt_length": _PROMPT,
        "output_formats": _PRO_FORMATS_SOURCE,
        "defaults": _PRO_FORMATS_SOURCE,
        "price": _src("https://ai.google.dev/gemini-api/docs/pricing", "1120 output tokens per 1K/2K image, 2000 "
                      "per 4K, $120/M; from third-party price maps and the Vertex card", kind="third-party",
                      verified=False),
    })


_VERTEX_FLASH31 = "https://docs.cloud.google.com/vertex-ai/generative-ai/docs/models/gemini/3-1-flash-image"
_VERTEX_FLASH31_PREVIEW = "https://cloud.google.com/gemini-enterprise-agent-platform/models/gemini/3-1-flash-image-preview"


def _flash31_sources(model: str, lifecycle: Source | tuple[Source, ...]) -> Provenance:
    card = _VERTEX_FLASH31 if model == "gemini-3.1-flash-image" else _VERTEX_FLASH31_PREVIEW
    return Provenance({
        **_COMMON,
        "model": _src(_SDK_MODELS if model == "gemini-3.1-flash-image" else _DEPRECATIONS,
                      f"{model} is in the SDK's model list" if model == "gemini-3.1-flash-image"
                      else f"{model} is listed with its shutdown date"),
        "lifecycle": lifecycle,
        "aspect_ratios": _src(card, "1:1, 3:2, 2:3, 3:4, 1:4, 4:1, 4:3, 4:5, 5:4, 1:8, 8:1, 9:16, 16:9, 21:9, 9:21 "
                              "(the GA card; older copies of the preview card list 14, without 9:21, which tryon "
                              "declares for the preview too)"),
        "sizes": (
            _src(card, "supported resolutions 512, 1K, 2K, 4K (4K a preview feature); 747, 1120, 1680 and 2520 "
                 "output tokens for 512 (about 0.25 MP), 1K (1 MP), 2K (4 MP) and 4K (16 MP). The value '512' is "
                 "the card's spelling; some third-party pages write '0.5K'"),
            _src("tryon (inferred)", "no published pixel table was found: ratios shared with 3 Pro Image use Pro's "
                 "table at 1K/2K/4K; 512 and the new ratios are the tier's pixel count at that ratio on a 16 px "
                 "grid. A WxH size is mapped to its ratio and tier; the reported output size may differ",
                 kind="inferred", verified=False),
        ),
        "options": _src(card, "image_size 512/1K/2K/4K (GeminiFlash31Options); the other ImageConfig fields are "
                        "Vertex only"),
        "inputs": _src(card, "at most 14 images per prompt, 7 MB each inline; png, jpeg, webp, heic, heif"),
        "max_input_images": _src(card, "maximum images per prompt: 14"),
        "max_prompt_length": _PROMPT,
        "output_formats": _PRO_FORMATS_SOURCE,
        "defaults": _PRO_FORMATS_SOURCE,
        "price": (
            _src(card, "747/1120/1680/2520 output image tokens per 512/1K/2K/4K image; 1120 tokens per input image"),
            _src("https://therouter-docs.pages.dev/models/google--gemini-3.1-flash-image-preview ; "
                 "https://docs.ai.it.ufl.edu/docs/navigator_models/models/google-gemini-3.1-flash-image ; "
                 "https://console.core.today/en/docs/models/gemini-3.1-flash-image-preview",
                 "image output $60/M tokens (about $0.067 per 1K image; all three agree); text input $0.50/M "
                 "(two agree, one says $0.25); text and thinking output $3.00/M; ai.google.dev/pricing not read "
                 "here", kind="third-party", verified=False),
        ),
    })


_FLASH_SOURCES = Provenance({
    **_COMMON,
    "model": _src(_SDK_MODELS, "gemini-2.5-flash-image is in the SDK's model list"),
    "lifecycle": (
        _src(_DEPRECATIONS, "released October 2, 2025; shutdown October 2, 2026. The page says shutdown dates are "
             "the earliest possible dates, so Google may still serve it for a while; tryon treats it as shut down "
             "(the date has passed) and names the successor"),
        _src("issue 10, from Google's migration notes", "the successor named is gemini-3.1-flash-image",
             kind="third-party"),
    ),
    "sizes": _src(_GUIDE, "about 1 MP, one size per ratio; table from a third-party mirror of Google's docs",
                  kind="third-party", verified=False),
    "inputs": _src(_VERTEX_FLASH, "at most 3 images per prompt, 7 MB each; png, jpeg, webp"),
    "max_input_images": _src(_VERTEX_FLASH, "maximum images per prompt: 3"),
    "max_prompt_length": _src(_VERTEX_FLASH, "limits are in tokens (32,768 input), not characters: no local "
                              "prompt-length limit is declared"),
    "output_formats": _src(_SDK, "no output format option on the Gemini API; PNG answers", kind="inferred"),
    "price": _src("https://ai.google.dev/gemini-api/docs/pricing", "1290 output tokens per image at $30/M",
                  kind="third-party", verified=False),
})

_PRO_TYPES = _TYPES | {"image/heic", "image/heif"}
_G3_FORMATS = frozenset({"png", "jpeg"})
_FLASH31_TABLE: dict[tuple[str, str | None], str] = {
    (ratio, tier): size for tier, table in FLASH31_SIZES.items() for ratio, size in table.items()
}

MODELS: Mapping[str, GeminiModel] = with_prices(
    {
        "gemini-3.1-flash-image": GeminiModel(
            _caps(
                max_images=14, types=_PRO_TYPES, sizes=_FLASH31_TABLE, options=GeminiFlash31Options,
                deviations=_FLASH31_DEVIATIONS,
                lifecycle=Lifecycle(status="active"),
                sources=_flash31_sources("gemini-3.1-flash-image", _src(
                    _DEPRECATIONS, "GA, released May 28, 2026; no shutdown date announced")),
                output_formats=_G3_FORMATS,
            ),
            ("nano-banana-2",),
            MappingProxyType(_FLASH31_TABLE),
        ),
        "gemini-3.1-flash-image-preview": GeminiModel(
            _caps(
                max_images=14, types=_PRO_TYPES, sizes=_FLASH31_TABLE, options=GeminiFlash31Options,
                deviations=_FLASH31_DEVIATIONS,
                lifecycle=Lifecycle(status="retired", shutdown_on=dt.date(2026, 6, 25),
                                    successors=("gemini-3.1-flash-image",),
                                    note="preview shut down 2026-06-25; the GA id is gemini-3.1-flash-image"),
                sources=_flash31_sources("gemini-3.1-flash-image-preview", (
                    _src(_DEPRECATIONS, "released February 26, 2026; shutdown June 25, 2026 (the earliest possible "
                         "date); recommended replacement gemini-3.1-flash-image"),
                    _src(_VERTEX_FLASH31_PREVIEW, "Vertex AI lists a discontinuation date of July 17, 2026; the "
                         "Gemini API's earlier date is declared"),
                )),
                output_formats=_G3_FORMATS,
            ),
            (),
            MappingProxyType(_FLASH31_TABLE),
        ),
        "gemini-2.5-flash-image": GeminiModel(
            _caps(
                max_images=3, types=_TYPES, sizes=_FLASH_TABLE, options=None,
                lifecycle=Lifecycle(status="retired", shutdown_on=dt.date(2026, 10, 2),
                                    successors=("gemini-3.1-flash-image",),
                                    note="shut down on the Gemini API on 2026-10-02 (the earliest possible date)"),
                sources=_FLASH_SOURCES,
            ),
            ("nano-banana",),
            MappingProxyType(_FLASH_TABLE),
        ),
        "gemini-3-pro-image": GeminiModel(
            _caps(
                max_images=14, types=_PRO_TYPES, sizes=_PRO_TABLE, options=GeminiProOptions,
                lifecycle=Lifecycle(status="active"),
                sources=_pro_sources("gemini-3-pro-image", _src(
                    _DEPRECATIONS, "GA, released May 28, 2026; no shutdown date announced")),
                output_formats=_G3_FORMATS,
            ),
            ("nano-banana-pro",),
            MappingProxyType(_PRO_TABLE),
        ),
        "gemini-3-pro-image-preview": GeminiModel(
            _caps(
                max_images=14, types=_PRO_TYPES, sizes=_PRO_TABLE, options=GeminiProOptions,
                lifecycle=Lifecycle(status="retired", shutdown_on=dt.date(2026, 6, 25),
                                    successors=("gemini-3-pro-image",),
                                    note="preview shut down 2026-06-25; the GA id is gemini-3-pro-image"),
                sources=_pro_sources("gemini-3-pro-image-preview", _src(
                    _DEPRECATIONS, "released November 20, 2025; shutdown June 25, 2026 (the earliest possible "
                    "date); recommended replacement gemini-3-pro-image")),
                output_formats=_G3_FORMATS,
            ),
            (),
            MappingProxyType(_PRO_TABLE),
        ),
    }
)
"""Model id -> model. Aliases: ``nano-banana-2`` (3.1 Flash Image), ``nano-banana`` (2.5 Flash Image, shut down)
and ``nano-banana-pro`` (3 Pro Image)."""

UNSUPPORTED: Mapping[str, str] = MappingProxyType({
    "gemini-3.1-flash-lite-image": (
        "Nano Banana 2 Lite: Google's model page (ai.google.dev/gemini-api/docs/models/gemini-3.1-flash-lite-image, "
        "checked 2026-12-02) confirms the id, text+image in, image+text out, 1K (1024 px) only (no 2K/4K) and "
        "'a discrete set of 14 aspect ratios' without listing all 14 legibly or giving their pixel sizes; "
        "not declared until the ratios and their pixel table are published (a guessed table would let tryon "
        "accept sizes the service changes)"),
    "gemini-nano-banana-2.1": "Nano Banana 2.1: no Google document with its ratios and sizes was found",
    "nano-banana-pro-preview": "an SDK name for Gemini 3 Pro Image Preview, which was shut down on 2026-06-25 "
                               "(declared as gemini-3-pro-image-preview)",
})
"""Image models in google-genai's model list that tryon does not declare, with the reason."""
