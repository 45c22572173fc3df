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
from tryon.media.limits import InputLimits
from tryon.provenance import Provenance, Source, SourceKind
from tryon.sizes import Sizes

from .pricing import PRICES

__all__ = [
    "FLASH_SIZES", "IMAGE_SIZES", "MODELS", "PRO_SIZES", "RATIOS", "UNSUPPORTED", "GeminiModel", "GeminiProOptions",
]

MB = 1024 * 1024
RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
IMAGE_SIZES = ("1K", "2K", "4K")

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

    def output_size(self, ratio: str, tier: str | None) -> str:
        """The size the service answers with for *ratio* at *tier* (the default tier when ``None``)."""
        tier = tier if tier is not None or not self.tiers else self.tiers[0]
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
) -> Capabilities:
    return Capabilities(
        operations={Operation.GENERATE, Operation.EDIT},
        max_input_images=max_images,
        sizes=Sizes.ratios(*RATIOS, standard=sizes.values()),
        aspect_ratios=RATIOS,
        output_formats=output_formats,
        inputs=InputLimits(accepted_types=types, max_bytes=7 * MB, max_count=max_images),
        defaults={"output_format": "png"},
        provider_options=options,
        lifecycle=lifecycle,
        sources=sources,
    )


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


def _pro_sources(model: str, lifecycle: Source) -> Provenance:
    return Provenance({
        **_COMMON,
        "model": _src(_SDK_MODELS, f"{model} is in the SDK's model list"),
        "lifecycle": lifecycle,
        "sizes": (
            _src(_GUIDE, "1K/2K/4K pixel table per ratio as quoted by third parties (the guide could not be "
                 "read whole here)", kind="third-party", verified=False),
            _src(_SDK, "imageSize takes 1K, 2K, 4K; default 1K"),
        ),
        "inputs": _src(_VERTEX_PRO, "at most 14 images per prompt, 7 MB each inline; png, jpeg, webp, heic, heif"),
        "max_input_images": _src(_VERTEX_PRO, "maximum images per prompt: 14"),
        "output_formats": _src("tryon_gemini response handling", "Pro has been seen answering with JPEG bytes, "
                               "sometimes labelled image/png; the Gemini API has no output format option "
                               "(output_mime_type is Vertex only), so only the default is requestable and each "
                               "image is typed from its bytes", kind="inferred", verified=False),
        "price": _src("https://ai.google.dev/gemini-api/docs/pricing", "1120 output tokens per 1K/2K image, 2000 "
                      "per 4K, $120/M; from third-party price maps and the Vertex card", kind="third-party",
                      verified=False),
    })


_FLASH_SOURCES = Provenance({
    **_COMMON,
    "model": _src(_SDK_MODELS, "gemini-2.5-flash-image is in the SDK's model list"),
    "lifecycle": _src(_DEPRECATIONS, "released October 2, 2025; shutdown October 2, 2026 (no replacement named "
                      "there; third-party migration notes name gemini-3.1-flash-image, which tryon does not "
                      "declare yet)"),
    "sizes": _src(_GUIDE, "about 1 MP, one size per ratio; table from a third-party mirror of Google's docs",
                  kind="third-party", verified=False),
    "inputs": _src(_VERTEX_FLASH, "at most 3 images per prompt, 7 MB each; png, jpeg, webp"),
    "max_input_images": _src(_VERTEX_FLASH, "maximum images per prompt: 3"),
    "output_formats": _src(_SDK, "no output format option on the Gemini API; PNG answers", kind="inferred"),
    "price": _src("https://ai.google.dev/gemini-api/docs/pricing", "1290 output tokens per image at $30/M",
                  kind="third-party", verified=False),
})

_PRO_TYPES = _TYPES | {"image/heic", "image/heif"}
_PRO_FORMATS = frozenset({"png"})

MODELS: Mapping[str, GeminiModel] = with_prices(
    {
        "gemini-2.5-flash-image": GeminiModel(
            _caps(
                max_images=3, types=_TYPES, sizes=_FLASH_TABLE, options=None,
                lifecycle=Lifecycle(status="retired", shutdown_on=dt.date(2026, 10, 2),
                                    successors=("gemini-3.1-flash-image",),
                                    note="shut down on the Gemini API on 2026-10-02"),
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
                output_formats=_PRO_FORMATS,
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
                    _DEPRECATIONS, "released November 20, 2025; shutdown June 25, 2026; recommended "
                    "replacement gemini-3-pro-image")),
                output_formats=_PRO_FORMATS,
            ),
            (),
            MappingProxyType(_PRO_TABLE),
        ),
    }
)
"""Model id -> model. Aliases: ``nano-banana`` (2.5 Flash Image) and ``nano-banana-pro`` (3 Pro Image)."""

UNSUPPORTED: Mapping[str, str] = MappingProxyType({
    "gemini-3.1-flash-image": "Nano Banana 2: 14 ratios and a 512 tier whose pixel table could not be "
                              "confirmed from Google's documents here",
    "gemini-3.1-flash-lite-image": "Nano Banana 2 Lite: no Google document with its ratios and sizes was found",
    "gemini-nano-banana-2.1": "Nano Banana 2.1: no Google document with its ratios and sizes was found",
    "nano-banana-pro-preview": "an SDK name for Gemini 3 Pro Image Preview, which was shut down on 2026-06-25",
})
"""Image models in google-genai's model list that tryon does not declare, with the reason."""
