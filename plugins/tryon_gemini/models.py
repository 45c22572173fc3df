"""The Gemini image models ("Nano Banana"), as data.

Sizes: Gemini takes an aspect ratio (and on Pro an ``imageSize`` tier of 1K/2K/4K) and answers
with a fixed pixel size per ratio and tier (:data:`FLASH_SIZES`, :data:`PRO_SIZES`). Any
``WxH`` of exactly one of the ratios is accepted and mapped to that ratio (and tier).
Sources: Google's Vertex AI model cards (ratios, reference-image counts, 7 MB per image,
MIME types) and the Gemini API image-generation guide as quoted by third parties (the
pixel tables; 2.5 Flash's table is from a third-party mirror of Google's docs).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from tryon.capabilities import Capabilities, Lifecycle, Operation
from tryon.media.limits import InputLimits
from tryon.sizes import Sizes

from .pricing import PRICES

__all__ = ["FLASH_SIZES", "IMAGE_SIZES", "MODELS", "PRO_SIZES", "RATIOS", "GeminiModel", "GeminiProOptions"]

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
) -> Capabilities:
    return Capabilities(
        operations={Operation.GENERATE, Operation.EDIT},
        max_input_images=max_images,
        sizes=Sizes.ratios(*RATIOS, standard=sizes.values()),
        aspect_ratios=RATIOS,
        output_formats={"png"},
        inputs=InputLimits(accepted_types=types, max_bytes=7 * MB, max_count=max_images),
        defaults={"output_format": "png"},
        provider_options=options,
        lifecycle=lifecycle,
    )


_FLASH_TABLE: dict[tuple[str, str | None], str] = {(ratio, None): size for ratio, size in FLASH_SIZES.items()}
_PRO_TABLE: dict[tuple[str, str | None], str] = {
    (ratio, tier): size for tier, table in PRO_SIZES.items() for ratio, size in table.items()
}
_TYPES = frozenset({"image/png", "image/jpeg", "image/webp"})

MODELS: Mapping[str, GeminiModel] = with_prices(
    {
        "gemini-2.5-flash-image": GeminiModel(
            _caps(max_images=3, types=_TYPES, sizes=_FLASH_TABLE, options=None, lifecycle=Lifecycle()),
            ("nano-banana",),
            MappingProxyType(_FLASH_TABLE),
        ),
        "gemini-3-pro-image-preview": GeminiModel(
            _caps(
                max_images=14,
                types=_TYPES | {"image/heic", "image/heif"},
                sizes=_PRO_TABLE,
                options=GeminiProOptions,
                lifecycle=Lifecycle(status="preview"),
            ),
            ("nano-banana-pro",),
            MappingProxyType(_PRO_TABLE),
        ),
    }
)
"""Model id -> model. Aliases: ``nano-banana`` and ``nano-banana-pro``."""
