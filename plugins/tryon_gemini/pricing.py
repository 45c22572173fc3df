"""Gemini image prices, declared on the core price model (:mod:`tryon.pricing`).

Google bills image models by tokens: output image tokens per size tier, input images at a token
count each, text and thinking at the text rates. The model can write text (and Pro thinks) in
amounts not known before the call, so estimates are approximate, never an upper bound.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tryon.pricing import PerToken, Price, TiledImageTokens
from tryon.provenance import Source, SourceKind

__all__ = ["PRICES"]

_THIRD_PARTY = Source(
    where="third-party price maps (okou-ai/vm0-skills#51, HeyPuter/puter PR #2562) and Vertex AI's Gemini 3 Pro "
          "Image card (1120 tokens per 1K/2K image, 2000 per 4K)",
    checked="2026-08-21", kind=SourceKind.THIRD_PARTY, verified=False,
    note="2.5 Flash Image: $0.30 in, $30 image out, $2.50 text out per 1M, 1290 tokens per image; 3 Pro Image: "
         "$2 in, $120 image out, $12 text out per 1M; not checked against ai.google.dev/pricing")
_INPUTS = Source(
    where="https://ai.google.dev/gemini-api/docs/tokens (image inputs)", checked="2026-12-01", verified=False,
    note="an image with both sides at most 384 px is 258 tokens, a larger one 258 per 768x768 tile (2.x models); "
         "3 Pro Image: 560 tokens per input image ($0.0011 at $2/1M); not re-read in this check")
_APPROX = "text and thinking tokens the model writes are not known before the call"
_GA = Source(where="tryon (inferred)", checked="2026-12-01", kind=SourceKind.INFERRED, verified=False,
             note="gemini-3-pro-image is the GA id of gemini-3-pro-image-preview: its price is assumed equal")
_PRO = PerToken(text_in=2.00, image_out=120.0, text_out=12.0,
                output_tokens={None: {"1K": 1120, "2K": 1120, "4K": 2000}}, input_image=TiledImageTokens(base=560))

_FLASH31 = Source(
    where="https://docs.cloud.google.com/vertex-ai/generative-ai/docs/models/gemini/3-1-flash-image and third-party "
          "price pages (therouter, UF Navigator, core.today)", checked="2026-12-01", kind=SourceKind.THIRD_PARTY,
    verified=False,
    note="747/1120/1680/2520 output tokens per 512/1K/2K/4K image and 1120 tokens per input image (Vertex card); "
         "$60/M image out, $0.50/M in, $3/M text out (two of three third-party pages agree; one says $0.25 in); "
         "not checked against ai.google.dev/pricing")
_FLASH31_RATES = PerToken(text_in=0.50, image_out=60.0, text_out=3.0,
                          output_tokens={None: {"512": 747, "1K": 1120, "2K": 1680, "4K": 2520}},
                          input_image=TiledImageTokens(base=1120))

PRICES: Mapping[str, Price] = MappingProxyType({
    "gemini-2.5-flash-image": Price(
        rates=PerToken(text_in=0.30, image_out=30.0, text_out=2.50, output_tokens={None: {None: 1290}},
                       input_image=TiledImageTokens(per_tile=258, tile=768, small_edge=384)),
        sources=(_THIRD_PARTY, _INPUTS), upper_bound=False, approximation=_APPROX),
    "gemini-3-pro-image": Price(rates=_PRO, sources=(_GA, _THIRD_PARTY, _INPUTS), upper_bound=False,
                                approximation=_APPROX),
    "gemini-3.1-flash-image": Price(rates=_FLASH31_RATES, sources=(_FLASH31,), upper_bound=False,
                                    approximation=_APPROX),
    "gemini-3.1-flash-image-preview": Price(rates=_FLASH31_RATES, sources=(_FLASH31,), upper_bound=False,
                                            approximation=_APPROX),
    "gemini-3-pro-image-preview": Price(rates=_PRO, sources=(_THIRD_PARTY, _INPUTS), upper_bound=False,
                                        approximation=_APPROX),
})
"""Model id -> price."""
