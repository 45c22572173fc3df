"""FLUX prices, declared on the core price model (:mod:`tryon.pricing`), in BFL credits.

FLUX.2 is billed per megapixel: the first megapixel of output, then each further megapixel of
output and of the reference images at the model's per-megapixel price; Kontext and Fill cost a
flat price per image. BFL reports the credits a call cost (``cost`` in the submit answer); the
core prices a finished call from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from tryon.pricing import PerImage, PerMegapixel, Price
from tryon.provenance import Source, SourceKind

__all__ = ["CREDIT_USD", "PRICES"]

CREDIT_USD = 0.01

_PAGE = Source(
    where="https://docs.bfl.ai/quick_start/pricing", checked="2026-12-01",
    note="1 credit = $0.01; FLUX.2 megapixel pricing: [pro] from $0.03 (editing from $0.045), [max] from "
         "$0.07, [flex] from $0.05, [klein] 4B from $0.014, 9B from $0.015")
_SKILL = Source(
    where="black-forest-labs/skills bfl-api (skills.sh/black-forest-labs/skills/bfl-api)", checked="2026-12-01",
    note="first MP / each further MP: [pro] 3c / 1.5c, [max] 7c / 3c, [flex] 5c / 5c, [klein] 4B 1.4c / 0.1c, "
         "9B 1.5c / 0.2c; 1 MP image-to-image: [max] $0.10, [flex] $0.10. The pricing page's 'editing from' "
         "for max and flex equals text-to-image; tryon takes the skill's higher reading (references billed at "
         "the further-MP price) and counts each started megapixel, so the estimate stays an upper bound")
_KONTEXT = Source(where="black-forest-labs/skills bfl-api pricing (provider notes)", checked="2026-02-03",
                  kind=SourceKind.OFFICIAL, note="Kontext [pro] $0.04, [max] $0.08 per image")
_FILL = Source(where="https://docs.bfl.ai/quick_start/pricing (FLUX.1 tools)", checked="2026-12-01",
               verified=False, note="FLUX.1 Fill [pro] $0.05 per image; the row was not read in full")


def _flux2(first: float, extra: float) -> Price:
    return Price(rates=PerMegapixel(first_mp=first, extra_mp=extra), credit_usd=CREDIT_USD, sources=(_PAGE, _SKILL))


_VTO = Source(
    where="https://runware.ai/docs/models/bfl-flux-virtual-try-on.md", checked="2026-12-02",
    kind=SourceKind.THIRD_PARTY, verified=False,
    note="no BFL price published for FLUX VTO; Runware's resale price: $0.0375 for the first input MP, $0.005 per "
         "further input MP, $0.005 per output MP. Declared on the per-megapixel model as 4.25 credits for the first "
         "output MP plus 0.5 per further MP of output and of inputs, 0.5 credit above Runware's sum")

PRICES: Mapping[str, Price] = MappingProxyType({
    "flux-2-pro": _flux2(3.0, 1.5),
    "flux-2-max": _flux2(7.0, 3.0),
    "flux-2-flex": _flux2(5.0, 5.0),
    "flux-2-klein-4b": _flux2(1.4, 0.1),
    "flux-2-klein-9b": _flux2(1.5, 0.2),
    "flux-kontext-pro": Price(rates=PerImage(flat=4.0), credit_usd=CREDIT_USD, sources=_KONTEXT),
    "flux-kontext-max": Price(rates=PerImage(flat=8.0), credit_usd=CREDIT_USD, sources=_KONTEXT),
    "flux-pro-1.0-fill": Price(rates=PerImage(flat=5.0), credit_usd=CREDIT_USD, sources=_FILL),
    "flux-vto-v1": Price(rates=PerMegapixel(first_mp=4.25, extra_mp=0.5), credit_usd=CREDIT_USD, sources=_VTO,
                         upper_bound=False, approximation="a reseller's price: BFL publishes none for FLUX VTO"),
})
"""Model id -> price (credits)."""
