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

PRICES: Mapping[str, Price] = MappingProxyType({
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
"""Model id -> price. The gpt-image-2 family and chatgpt-image-latest have no price here: their
estimates are unknown (``None``), never a guess."""
