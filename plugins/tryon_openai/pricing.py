"""Prices of the GPT image models, declared on the core price model (:mod:`tryon.pricing`).

Token rates per million tokens; output image tokens per quality and size; input image tokens
from the image's size; extra tokens for high input fidelity. The core computes estimates and
costs from these declarations.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tryon.pricing import HighFidelity, PerToken, Price, TiledImageTokens
from tryon.provenance import Source, SourceKind

__all__ = ["OUTPUT_TOKENS", "PRICES"]

#: Output image tokens of one image, by quality and standard size (gpt-image-1 and 1.5).
OUTPUT_TOKENS: Mapping[str, Mapping[str, int]] = MappingProxyType({
    "low": {"1024x1024": 272, "1024x1536": 408, "1536x1024": 400},
    "medium": {"1024x1024": 1056, "1024x1536": 1584, "1536x1024": 1568},
    "high": {"1024x1024": 4160, "1024x1536": 6240, "1536x1024": 6208},
})
#: gpt-image-1-mini: the tokens its official per-image prices imply at $8/1M (they are above what
#: the gpt-image-1 table gives, so the estimate takes them: the higher reading).
MINI_OUTPUT_TOKENS: Mapping[str, Mapping[str, int]] = MappingProxyType({
    "low": {"1024x1024": 625, "1024x1536": 750, "1536x1024": 750},
    "medium": {"1024x1024": 1375, "1024x1536": 1875, "1536x1024": 1875},
    "high": {"1024x1024": 4500, "1024x1536": 6500, "1536x1024": 6500},
})

#: GPT image 2 and later: the tokens of one output image implied by the per-image prices that
#: third-party digests of OpenAI's pricing page agree on for gpt-image-2 (1024x1024 low $0.006, medium
#: $0.053, high $0.211; 1024x1536 and 1536x1024 $0.005 / $0.041 / $0.165) at $30 per 1M image tokens,
#: each taken at the top of its rounding interval (+$0.0005) so the rounded prices cannot hide tokens.
V2_OUTPUT_TOKENS: Mapping[str, Mapping[str, int]] = MappingProxyType({
    "low": {"1024x1024": 217, "1024x1536": 184, "1536x1024": 184},
    "medium": {"1024x1024": 1784, "1024x1536": 1384, "1536x1024": 1384},
    "high": {"1024x1024": 7050, "1024x1536": 5517, "1536x1024": 5517},
})

_TOKENS = Source(
    where="community.openai.com output-token measurements (1024x1024 / 1024x1536 / 1536x1024 per quality), "
          "matching OpenAI's per-image prices for gpt-image-1 ($0.011/$0.042/$0.167 square)",
    checked="2026-12-01", kind=SourceKind.THIRD_PARTY, verified=False,
    note="as recorded in the provider notes on 2026-08-21; not re-measured")
_INPUTS = Source(
    where="OpenAI vision token rule as implemented by the project (65 + 129 per 512 px tile after fitting "
          "2048 px and a 768 px short side); high fidelity adds the high-quality output tokens of the image's "
          "shape to every input image",
    checked="2026-12-01", kind=SourceKind.INFERRED, verified=False,
    note="OpenAI's guide says high input fidelity raises input image tokens without a formula; tryon takes "
         "the conservative reading (every input image, the larger tile rule) so the estimate stays above the bill")
_PARTIALS = Source(where="OpenAI image generation guide (streaming: each partial image adds 100 output tokens)",
                   checked="2026-12-01", kind=SourceKind.OFFICIAL, verified=False,
                   note="not re-read in this check; the emulator bills the same")
_INPUT_IMAGE = TiledImageTokens(base=65, per_tile=129, tile=512, fit_edge=2048, short_edge=768)
_HIGH = HighFidelity(square=4160, portrait=6240, landscape=6208)

_V2_RATES_26 = Source(
    where="https://developers.openai.com/api/docs/models/gpt-image-2.6-sunburst (de-DE, pt-BR, es-419, ko-KR "
          "editions)", checked="2026-12-02",
    note="$5 text in ($1.25 cached), $8 image in ($2 cached), $30 image out per 1M tokens; the page gives no "
         "per-image table")
_V2_RATES_THIRD_PARTY = Source(
    where="docs.apiyi.com (GPT-Image-2.6 launch, 2026-11-05), docs.laozhang.ai (GPT Image 2.5 and 2.6), "
          "llmreference.com and xairouter.com (gpt-image-2)", checked="2026-12-02", kind=SourceKind.THIRD_PARTY,
    verified=False,
    note="$5 text in, $8 image in, $30 image out per 1M tokens for gpt-image-2, the 2.5 and the 2.6 models "
         "alike (no official page for gpt-image-2, 2.5 or 2.6-flare found)")
_V2_PER_IMAGE = Source(
    where="gptimage.news/guide/pricing ; qcode.cc/en/gpt-image-2-guide ; robotsatlas.com (gpt-image-2 per-image "
          "prices 'from OpenAI's pricing page')", checked="2026-12-02", kind=SourceKind.THIRD_PARTY, verified=False,
    note="gpt-image-2 per image: 1024x1024 $0.006/$0.053/$0.211, 1024x1536 and 1536x1024 $0.005/$0.041/$0.165 "
         "(low/medium/high). Taken for the 2.5 and 2.6 models too (inferred: same token rates, no table of "
         "their own); xhigh/max and other sizes have no published numbers")
#: Why an SVG request has no estimate or cost: the SDK's ``svg_usage`` reports the SVG author's tokens
#: separately (``model``, ``input_tokens``, ``output_tokens``, ``reasoning_tokens``), billed as that text model.
SVG_UNPRICED = ("the SVG author's tokens (svg_usage) are billed at the rates of the text model that writes the "
                "SVG (svg.model, chosen by OpenAI when unset), which tryon does not price; the rendering tokens "
                "alone would understate the bill")
_V2_APPROX = ("third-party per-image prices for gpt-image-2 (taken for 2.5 and 2.6 too); input image tokens by "
              "the older tile rule; xhigh/max and non-standard sizes scaled, not published")


def _v2_price(rates_source: Source) -> Price:
    return Price(
        rates=PerToken(text_in=5.0, image_in=8.0, image_out=30.0, text_out=10.0, output_tokens=V2_OUTPUT_TOKENS,
                       input_image=_INPUT_IMAGE, partial_image_tokens=100, area_base="1024x1024"),
        sources=(rates_source, _V2_PER_IMAGE, _INPUTS, _PARTIALS), upper_bound=False, approximation=_V2_APPROX,
        unpriced_formats={"svg": SVG_UNPRICED})


_V2_MODELS = ("gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-2.5-sunburst", "gpt-image-2.5-sunburst-2026-09-08",
              "gpt-image-2.5-flare", "gpt-image-2.5-flare-2026-09-08", "gpt-image-2.6-flare")

PRICES: Mapping[str, Price] = MappingProxyType({
    "gpt-image-2.6-sunburst": _v2_price(_V2_RATES_26),
    **{model: _v2_price(_V2_RATES_THIRD_PARTY) for model in _V2_MODELS},
    "gpt-image-1": Price(
        rates=PerToken(text_in=5.0, image_in=10.0, image_out=40.0, output_tokens=OUTPUT_TOKENS,
                       input_image=_INPUT_IMAGE, high_fidelity=_HIGH, partial_image_tokens=100),
        sources=(Source(where="https://developers.openai.com/api/docs/models/gpt-image-1", checked="2026-12-01",
                        verified=False,
                        note="$5 text in, $10 image in, $40 image out per 1M tokens, as the provider notes recorded "
                             "the page on 2026-10-23 (the model is retired); the page was not found again on "
                             "2026-12-01"), _TOKENS, _INPUTS, _PARTIALS)),
    "gpt-image-1-mini": Price(
        rates=PerToken(text_in=2.0, image_in=2.5, image_out=8.0, output_tokens=MINI_OUTPUT_TOKENS,
                       input_image=_INPUT_IMAGE, partial_image_tokens=100),
        sources=(Source(where="https://developers.openai.com/de-DE/api/docs/models/gpt-image-1-mini",
                        checked="2026-12-01",
                        note="$2 text in, $2.50 image in, $8 image out per 1M tokens; per image low "
                             "$0.005/$0.006/$0.006, medium $0.011/$0.015/$0.015, high $0.036/$0.052/$0.052 "
                             "(1024x1024 / 1024x1536 / 1536x1024)"), _INPUTS, _PARTIALS)),
    "gpt-image-1.5": Price(
        rates=PerToken(text_in=5.0, image_in=8.0, image_out=32.0, text_out=10.0, output_tokens=OUTPUT_TOKENS,
                       input_image=_INPUT_IMAGE, high_fidelity=_HIGH, partial_image_tokens=100),
        sources=(Source(where="llmreference.com, aifreeapi.com and imagine.art price lists (they agree)",
                        checked="2026-12-01", kind=SourceKind.THIRD_PARTY, verified=False,
                        note="$5 text in, $8 image in, $32 image out, $10 text out per 1M tokens, as recorded on "
                             "2026-08-21; no official OpenAI price page found"), _TOKENS, _INPUTS, _PARTIALS)),
})
"""Model id -> price. chatgpt-image-latest (shut down 2026-12-01) has no price here: no published one
was found, so its estimates are unknown (``None``), never a guess."""
