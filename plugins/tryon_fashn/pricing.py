"""FASHN prices, declared on the core price model (:mod:`tryon.pricing`), in FASHN API credits.

FASHN bills credits per output image and reports what a prediction used in the
``x-fashn-credits-used`` header of its final status answer; the core prices a finished call
from that. The USD value of an API credit depends on the plan and is not on FASHN's API pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tryon.pricing import PerImage, Price
from tryon.provenance import Source, SourceKind

from .sources import CHECKED

__all__ = ["CREDIT_USD", "PRICES"]

#: USD per API credit used for estimates: fal.ai's resale price of one tryon-v1.6 image (1 credit).
CREDIT_USD = 0.075

_CREDIT = Source(
    where="https://fal.ai/models/fal-ai/fashn/tryon/v1.6/llms.txt", checked=CHECKED, kind=SourceKind.THIRD_PARTY,
    verified=False,
    note="$0.075 per v1.6 image at fal.ai (1 FASHN credit); FASHN's own API price per credit (plan- and "
         "tier-dependent) was not found; its app top-ups are $0.10 per credit (help.fashn.ai, App credits, "
         "a different product)")
_V16 = Source(where="https://docs.fashn.ai/api-reference/tryon-v1-6", checked=CHECKED, note="Credits: 1 per image")
_MAX = Source(
    where="https://docs.fashn.ai/api-reference/tryon-max", checked=CHECKED,
    note="'Credits: 2-5 per output image depending on resolution and generation_mode' (an older copy of the "
         "page said 4 per image); no per-setting table published, so every image is priced at 5, the top of the "
         "range: the estimate is an upper bound in credits")

PRICES: Mapping[str, Price] = MappingProxyType({
    "tryon-v1.6": Price(rates=PerImage(flat=1.0), credit_usd=CREDIT_USD, sources=(_V16, _CREDIT)),
    "tryon-max": Price(rates=PerImage(flat=5.0), credit_usd=CREDIT_USD, sources=(_MAX, _CREDIT)),
})
"""Model id -> price (credits)."""
