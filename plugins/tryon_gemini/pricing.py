"""Gemini image prices as data: USD per million tokens, and the tokens one image costs.

Google bills image output by tokens: a 2.5 Flash image is 1290 tokens at $30/M (≈ $0.039);
a Pro image is 1120 tokens at 1K and 2K and 2000 tokens at 4K, at $120/M (≈ $0.134 and
$0.24). These figures come from third-party sources (see ``SOURCE``), not from Google's
price page, which could not be checked. A finished call is priced from the token usage it
reports; an estimate before a call from the per-image token counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from tryon.request import EditRequest, Request
from tryon.results import Estimate, Usage

__all__ = ["PRICES", "Prices", "cost_of", "estimate"]

SOURCE = (
    "third-party price maps (okou-ai/vm0-skills#51, HeyPuter/puter PR #2562) and Vertex AI's Gemini 3 Pro "
    "Image card (1120 tokens per 1K/2K image, 2000 per 4K); not checked against ai.google.dev/pricing"
)
AS_OF = "2026-08-21"


@attrs.frozen
class Prices:
    """USD per million tokens, and output tokens per image by size tier (``None`` = no tiers)."""

    text_in: float
    image_out: float
    text_out: float
    image_tokens: Mapping[str | None, int]
    as_of: str = AS_OF
    source: str = SOURCE

    def tokens_per_image(self, tier: str | None) -> int:
        if tier in self.image_tokens:
            return self.image_tokens[tier]
        return self.image_tokens.get("1K") or next(iter(self.image_tokens.values()))


FLASH31_SOURCE = (
    "Vertex AI's Gemini 3.1 Flash Image card (747/1120/1680/2520 output tokens per 512/1K/2K/4K image) and "
    "third-party price pages (therouter, UF Navigator, core.today: $60/M image output, $0.50/M input, $3/M text "
    "output); not checked against ai.google.dev/pricing"
)

PRICES: Mapping[str, Prices] = MappingProxyType(
    {
        "gemini-3.1-flash-image": Prices(
            0.50, 60.0, 3.0, MappingProxyType({"512": 747, "1K": 1120, "2K": 1680, "4K": 2520}),
            as_of="2026-12-01", source=FLASH31_SOURCE,
        ),
        "gemini-3.1-flash-image-preview": Prices(
            0.50, 60.0, 3.0, MappingProxyType({"512": 747, "1K": 1120, "2K": 1680, "4K": 2520}),
            as_of="2026-12-01", source=FLASH31_SOURCE,
        ),
        "gemini-2.5-flash-image": Prices(0.30, 30.0, 2.50, MappingProxyType({None: 1290})),
        "gemini-3-pro-image": Prices(
            2.00, 120.0, 12.0, MappingProxyType({"1K": 1120, "2K": 1120, "4K": 2000}),
            as_of="2026-12-01",
            source="assumed equal to gemini-3-pro-image-preview (same model, GA id); " + SOURCE,
        ),
        "gemini-3-pro-image-preview": Prices(
            2.00, 120.0, 12.0, MappingProxyType({"1K": 1120, "2K": 1120, "4K": 2000})
        ),
    }
)


def cost_of(model: str, usage: Usage | None) -> float | None:
    """The cost of a finished call from the usage it reported (``None`` when unknown)."""
    prices = PRICES.get(model)
    if prices is None or usage is None:
        return None
    image_out = usage.output_image_tokens
    text_out = usage.output_text_tokens or 0
    if image_out is None:
        image_out, text_out = usage.output_tokens or 0, 0
    usd = (
        (usage.input_tokens or 0) * prices.text_in + image_out * prices.image_out + text_out * prices.text_out
    ) / 1e6
    return round(usd, 6)


def estimate(model: str, provider: str, request: Request, tier: str | None) -> Estimate:
    """The cost of *request* before any call: output image tokens plus the prompt's tokens."""
    prices = PRICES.get(model)
    if prices is None:
        return Estimate(
            model=model, provider=provider, n=request.n, usd=None, basis=f"no price data for {model}"
        )
    tokens = prices.tokens_per_image(tier)
    prompt_tokens = max(1, len(request.prompt) // 4)
    usd = request.n * (tokens * prices.image_out + prompt_tokens * prices.text_in) / 1e6
    basis = f"{request.n} x {tokens} output image tokens at ${prices.image_out:g}/1M"
    if tier is not None:
        basis += f" ({tier})"
    if isinstance(request, EditRequest):
        basis += "; input image tokens not included"
    return Estimate(
        model=model,
        provider=provider,
        n=request.n,
        usd=round(usd, 6),
        basis=basis,
        prices_as_of=prices.as_of,
        source=prices.source,
    )
