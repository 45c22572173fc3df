"""First-party declarations: the image models most used on Replicate, each fact with its source.

Every model is an official Replicate model, run as ``POST /v1/models/{owner}/{name}/predictions``
(the latest version). Inputs and their ranges come from each model's input schema on its
Replicate API page (``replicate.com/{owner}/{name}/versions/{id}/api``) or, where the stored
copy of the official page was of an older version, from third-party copies of the schema; prices
from third-party copies of Replicate's price list (marked unverified). All checked 2026-12-01.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs

from tryon.capabilities import Capabilities, Operation, Rule
from tryon.media.limits import InputLimits
from tryon.pricing import PerImage, Price
from tryon.provenance import Provenance, Source, SourceKind
from tryon.sizes import SizeRule, Sizes
from tryon.vto.composition import with_composition

from .inputs import InputMap

__all__ = ["MODELS", "ReplicateModel"]

CHECKED = "2026-12-01"
GENERATE = frozenset({Operation.GENERATE})
BOTH = frozenset({Operation.GENERATE, Operation.EDIT})
JPG = {"jpeg": "jpg"}
REFERENCE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


def _official(where: str, note: str = "") -> Source:
    return Source(where=where, checked=CHECKED, kind=SourceKind.OFFICIAL, note=note)


def _copy(where: str, note: str) -> Source:
    return Source(where=where, checked=CHECKED, kind=SourceKind.THIRD_PARTY, note=note, verified=False)


def _price(usd: float, where: str, note: str) -> Price:
    return Price(rates=PerImage(flat=usd), sources=(_copy(where, note),))


@attrs.frozen
class ReplicateModel:
    """One model on Replicate: its ``owner/name``, how its inputs are named, what it can do."""

    slug: str
    inputs: InputMap
    capabilities: Capabilities = attrs.field(repr=False)
    version: str | None = None
    option_names: Mapping[str, str] = attrs.field(factory=dict, converter=lambda v: MappingProxyType(dict(v)))
    """tryon option name -> the model's input name, where they differ."""


def _options(name: str, fields: Mapping[str, Any]) -> type:
    """An attrs class of typed provider options (validated at construction)."""
    return attrs.make_class(name, dict(fields), frozen=True, kw_only=True)


def _opt(kind: type | tuple[type, ...], *, low: float | None = None, high: float | None = None,
         choices: tuple[Any, ...] | None = None) -> Any:
    from tryon.errors import InvalidOptionError, Problem

    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        bad = (isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,))) \
            or not isinstance(value, kind)
        why = f"must be a {getattr(kind, '__name__', 'number')}" if bad else None
        if why is None and choices is not None and value not in choices:
            why = "must be one of " + ", ".join(map(repr, choices))
        if why is None and low is not None and value < low:
            why = f"must be at least {low}"
        if why is None and high is not None and value > high:
            why = f"must be at most {high}"
        if why:
            raise InvalidOptionError([Problem(attribute.name, value, f"{attribute.name}={value!r} {why}")])

    return attrs.field(default=None, validator=check)


# ---------------------------------------------------------------- black-forest-labs/flux-schnell

SCHNELL_RATIOS = ("1:1", "16:9", "21:9", "3:2", "2:3", "4:5", "5:4", "3:4", "4:3", "9:16", "9:21")
_SCHNELL_SCHEMA = _copy(
    "https://cinemasetfree.com/guides/generators/black-forest-labs/flux-schnell",
    "a copy of Replicate's input schema, agreeing with cloudernative.com's copy: aspect_ratio (11 ratios, "
    "default 1:1), num_outputs 1-4, num_inference_steps 1-4, output_format webp/jpg/png (default webp), "
    "output_quality 0-100, megapixels 1/0.25, go_fast, seed; output: a list of URIs")
SCHNELL = ReplicateModel(
    "black-forest-labs/flux-schnell",
    InputMap(aspect_ratio="aspect_ratio", n="num_outputs", seed="seed", output_format="output_format",
             formats=JPG),
    Capabilities(
        operations=GENERATE, sizes=Sizes.ratios(*SCHNELL_RATIOS), aspect_ratios=SCHNELL_RATIOS,
        output_formats={"webp", "jpeg", "png"}, max_images_per_call=4, seed=True,
        defaults={"output_format": "webp", "aspect_ratio": "1:1"},
        provider_options=_options("FluxSchnellOptions", {
            "go_fast": _opt(bool), "megapixels": _opt(str, choices=("1", "0.25")),
            "num_inference_steps": _opt(int, low=1, high=4), "output_quality": _opt(int, low=0, high=100)}),
        price=_price(0.003, "https://www.workflowlab.dev/cost/flux-schnell-replicate",
                     "$0.0030 per image, citing replicate.com/pricing (May 2026); same figure in "
                     "oauth.openai-hk.com's copy of Replicate's prices"),
        sources=Provenance({"*": _SCHNELL_SCHEMA, "model": _official(
            "https://replicate.com/black-forest-labs/flux-schnell", "an official model (owner/name route)")}),
    ),
)

# ---------------------------------------------------------------- black-forest-labs/flux-1.1-pro

PRO_RATIOS = ("1:1", "16:9", "3:2", "2:3", "4:5", "5:4", "9:16", "3:4", "4:3")
_PRO_PAGE = ("https://replicate.com/black-forest-labs/flux-1.1-pro/versions/"
             "96ccd0e758a1796926584ded2246369cdf8eb3d7c34475cf9c442be5e097d926/api")
_PRO_OTHER = ("https://replicate.com/black-forest-labs/flux-1.1-pro/versions/"
              "a91bed9b0301d9d10b34b89b1f4d0255f2e2499c59576bfcd13405575dacdb25/api")
PRO = ReplicateModel(
    "black-forest-labs/flux-1.1-pro",
    InputMap(aspect_ratio="aspect_ratio", width="width", height="height", size_mode={"aspect_ratio": "custom"},
             seed="seed", output_format="output_format", formats=JPG),
    Capabilities(
        operations=GENERATE,
        sizes=Sizes(rule=SizeRule(multiple_of=32, min_edge=256, max_edge=1440)), aspect_ratios=PRO_RATIOS,
        output_formats={"webp", "jpeg", "png"}, seed=True,
        defaults={"output_format": "webp", "aspect_ratio": "1:1"},
        provider_options=_options("Flux11ProOptions", {
            "safety_tolerance": _opt(int, low=1, high=5), "prompt_upsampling": _opt(bool),
            "output_quality": _opt(int, low=0, high=100)}),
        price=_price(0.04, "https://oauth.openai-hk.com/docs/en/lab/replicate.html",
                     "a reseller's copy of Replicate's prices: black-forest-labs/flux-1.1-pro 0.04 USD per image"),
        sources=Provenance({
            "*": _official(_PRO_PAGE, "aspect_ratio custom or 9 ratios (default 1:1); width/height 256-1440 with "
                           "aspect_ratio=custom; output_format webp/jpg/png (default webp); output_quality 0-100; "
                           "seed; prompt_upsampling; output: one URI"),
            "sizes": (_official(_PRO_PAGE, "width/height 256-1440, a multiple of 32"),
                      _official(_PRO_OTHER, "another version says a multiple of 16; the stricter 32 is declared")),
            "options": (_official(_PRO_OTHER, "safety_tolerance 1-5 here, 1-6 in version 96ccd0e7: the narrower "
                                  "range is declared"),),
        }),
    ),
)

# ---------------------------------------------------------------- black-forest-labs/flux-kontext-pro / -max

KONTEXT_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "3:2", "2:3", "4:5", "5:4", "21:9", "9:21", "2:1", "1:2")
_KONTEXT_PAGE = ("https://replicate.com/black-forest-labs/flux-kontext-pro/versions/"
                 "569705b35f79b1160d51de1d0e3955626af86c77a034a16e89010dbdde5ad312/api")


def _kontext(slug: str, usd: float, options_name: str) -> ReplicateModel:
    tolerance = Rule.requires("images", None, "options.safety_tolerance", {0, 1, 2},
                              "with an input image, safety_tolerance may be at most 2 (Replicate's schema)")
    schema = _official(_KONTEXT_PAGE, "prompt; input_image (jpeg, png, gif or webp); aspect_ratio "
                       "(default match_input_image); output_format png/jpg (default png); seed; safety_tolerance "
                       "0-6, at most 2 with an input image; prompt_upsampling; output: one URI")
    ratios = _copy("https://api.core.today/v1/models/black-forest-labs/flux-kontext-pro/llms.txt",
                   "copy of the schema's enums: aspect_ratio match_input_image or 13 ratios 21:9..9:21, 2:1, 1:2; "
                   "output_format jpg/png")
    sources: dict[str, Any] = {"*": schema, "sizes": ratios, "aspect_ratios": ratios}
    if slug.endswith("-max"):
        sources["*"] = _copy("https://v98store.com/html_docs/api-326937190.html",
                             "a copy of flux-kontext-max's Replicate page: the same inputs as flux-kontext-pro")
    return ReplicateModel(
        slug,
        InputMap(images="input_image", images_list=False, aspect_ratio="aspect_ratio", seed="seed",
                 output_format="output_format", formats=JPG),
        Capabilities(
            operations=BOTH, max_input_images=1, sizes=Sizes.ratios(*KONTEXT_RATIOS), aspect_ratios=KONTEXT_RATIOS,
            output_formats={"png", "jpeg"}, seed=True, inputs=InputLimits(accepted_types=REFERENCE_TYPES),
            defaults={"output_format": "png", "safety_tolerance": 2}, rules=(tolerance,),
            provider_options=_options(options_name, {"safety_tolerance": _opt(int, low=0, high=6),
                                                     "prompt_upsampling": _opt(bool)}),
            price=_price(usd, "https://oauth.openai-hk.com/docs/en/lab/replicate.html",
                         f"a reseller's copy of Replicate's prices: {slug} {usd} USD per image"),
            sources=Provenance(sources),
        ),
    )


KONTEXT_PRO = _kontext("black-forest-labs/flux-kontext-pro", 0.04, "FluxKontextProOptions")
KONTEXT_MAX = _kontext("black-forest-labs/flux-kontext-max", 0.08, "FluxKontextMaxOptions")

# ---------------------------------------------------------------- google/nano-banana-pro

BANANA_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")
_BANANA_PAGE = ("https://replicate.com/google/nano-banana-pro/versions/"
                "f5318740f60d79bf0c480216aaf9ca7614977553170eacd19ff8cbcda2409ac8/api")
BANANA_PRO = ReplicateModel(
    "google/nano-banana-pro",
    InputMap(images="image_input", aspect_ratio="aspect_ratio", output_format="output_format", formats=JPG),
    with_composition(Capabilities(  # several input images: also try-on by composition (docs/try-on.md)
        operations=BOTH, max_input_images=14, sizes=Sizes.ratios(*BANANA_RATIOS), aspect_ratios=BANANA_RATIOS,
        output_formats={"jpeg", "png"}, defaults={"output_format": "jpeg"},
        provider_options=_options("NanoBananaProOptions", {
            "resolution": _opt(str, choices=("1K", "2K", "4K")),
            "safety_filter_level": _opt(str, choices=("block_low_and_above", "block_medium_and_above",
                                                      "block_only_high"))}),
        sources=Provenance({
            "*": _official(_BANANA_PAGE, "prompt; image_input up to 14 images; aspect_ratio (default "
                           "match_input_image); resolution (default 2K); output_format (default jpg); "
                           "safety_filter_level (3 levels); output: one URI"),
            "sizes": Source(where=_BANANA_PAGE, checked=CHECKED, kind=SourceKind.INFERRED, verified=False,
                            note="the page does not list the ratios: Gemini 3 Pro Image's ten ratios are declared "
                                 "(the gemini plugin's declaration of the same model)"),
            "output_formats": _copy("https://api.core.today/v1/models/google/nano-banana/llms.txt",
                                    "jpg and png, as for google/nano-banana"),
            "price": Source(where="https://replicate.com/google/nano-banana-pro", checked=CHECKED,
                            kind=SourceKind.INFERRED, verified=False,
                            note="no copy of Replicate's price for this model was found: unpriced"),
        }),
    )),
)

# ---------------------------------------------------------------- bytedance/seedream-4

SEEDREAM_RATIOS = ("1:1", "4:3", "3:4", "16:9", "9:16", "3:2", "2:3", "21:9")
_SEEDREAM_PAGE = ("https://replicate.com/bytedance/seedream-4/versions/"
                  "e6cff243d7a5e551e1ca2b4bf291413d649c9f1417f9a52c1c0a4fbc36027b83/api")
SEEDREAM = ReplicateModel(
    "bytedance/seedream-4",
    InputMap(images="image_input", aspect_ratio="aspect_ratio", width="width", height="height",
             size_mode={"size": "custom"}),
    with_composition(Capabilities(  # several input images: also try-on by composition (docs/try-on.md)
        operations=BOTH, max_input_images=10,
        sizes=Sizes(rule=SizeRule(min_edge=1024, max_edge=4096)), aspect_ratios=SEEDREAM_RATIOS,
        output_formats={"jpeg"},
        rules=(Rule.excludes("size", "options.resolution",
                             "size=WxH is sent as size=custom with width and height; resolution "
                             "(1K/2K/4K) applies to aspect ratios only: set one of them"),),
        provider_options=_options("Seedream4Options", {
            "resolution": _opt(str, choices=("1K", "2K", "4K")), "enhance_prompt": _opt(bool)}),
        sources=Provenance({
            "*": _official(_SEEDREAM_PAGE, "prompt; image_input 1-10 images; size 1K/2K/4K/custom (default 2K); "
                           "aspect_ratio (default match_input_image); width/height 1024-4096 with size=custom; "
                           "sequential_image_generation, max_images; output: a list of URIs"),
            "aspect_ratios": _copy("https://cinemasetfree.com/guides/generators/bytedance/seedream-4",
                                   "a copy of the schema's enum: match_input_image, 1:1, 4:3, 3:4, 16:9, 9:16, "
                                   "3:2, 2:3, 21:9"),
            "output_formats": Source(where=_SEEDREAM_PAGE, checked=CHECKED, kind=SourceKind.INFERRED,
                                     verified=False, note="the schema has no output_format: JPEG is assumed"),
            "price": Source(where="https://replicate.com/bytedance/seedream-4", checked=CHECKED,
                            kind=SourceKind.INFERRED, verified=False,
                            note="0.03 USD per output image is believed but no stored copy of the price list "
                                 "confirms it: left unpriced, so budgets treat it as unknown"),
        }),
    )),
    option_names={"resolution": "size"},
)

_ALL = {
    "replicate-flux-schnell": SCHNELL,
    "replicate-flux-1.1-pro": PRO,
    "replicate-flux-kontext-pro": KONTEXT_PRO,
    "replicate-flux-kontext-max": KONTEXT_MAX,
    "replicate-nano-banana-pro": BANANA_PRO,
    "replicate-seedream-4": SEEDREAM,
}
MODELS: Mapping[str, ReplicateModel] = MappingProxyType(_ALL)
"""tryon model id -> model. Each is also reachable by its Replicate name (``black-forest-labs/flux-schnell``)."""
