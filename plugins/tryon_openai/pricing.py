"""Token prices of the GPT image models, as data with their date and source.

Costs are computed from the usage a response reports; estimates before a call use the
published output-token counts per quality and size. A model without a known price gives
``None``, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from tryon.request import EditRequest, Request
from tryon.results import Estimate, Usage
from tryon.sizes import parse_size

__all__ = ["PRICES", "Prices", "cost_of", "estimate"]


@attrs.frozen
class Prices:
    """USD per one million tokens."""

    text_in: float
    image_in: float
    image_out: float
    text_out: float | None = None
    as_of: str = ""
    source: str = ""


PRICES: Mapping[str, Prices] = MappingProxyType({
    "gpt-image-1": Prices(5.0, 10.0, 40.0, as_of="2026-10-23",
                          source="OpenAI model page for gpt-image-1 (official)"),
    "gpt-image-1-mini": Prices(2.0, 2.5, 8.0, as_of="2026-08-21",
                               source="OpenAI model page for gpt-image-1-mini (official)"),
    "gpt-image-1.5": Prices(5.0, 8.0, 32.0, text_out=10.0, as_of="2026-08-21",
                            source="third-party price lists that agree (llmreference.com, imagine.art); "
                                   "no official OpenAI page found"),
})

#: Output image tokens per quality for 1024x1024 / 1024x1536 / 1536x1024 (community-measured).
OUTPUT_TOKENS: Mapping[str, Mapping[str, int]] = MappingProxyType({
    "low": {"1024x1024": 272, "1024x1536": 408, "1536x1024": 400},
    "medium": {"1024x1024": 1056, "1024x1536": 1584, "1536x1024": 1568},
    "high": {"1024x1024": 4160, "1024x1536": 6240, "1536x1024": 6208},
})


def output_tokens(quality: str | None, size: str | None) -> int:
    """Expected output image tokens of one image (``auto`` is priced as ``high``: an upper bound)."""
    table = OUTPUT_TOKENS.get(quality or "high", OUTPUT_TOKENS["high"])
    key = size if size and size != "auto" else "1024x1024"
    if key in table:
        return table[key]
    wh = parse_size(key) or (1024, 1024)
    return round(table["1024x1024"] * wh[0] * wh[1] / (1024 * 1024))


def cost_of(model: str, usage: Usage | None) -> float | None:
    """The cost of a finished call from its reported usage (``None`` if the price is unknown)."""
    prices = PRICES.get(model)
    if prices is None or usage is None:
        return None
    text_in = usage.input_text_tokens
    image_in = usage.input_image_tokens
    if text_in is None and image_in is None:
        text_in, image_in = usage.input_tokens or 0, 0
    out_image = usage.output_image_tokens
    out_text = usage.output_text_tokens or 0
    if out_image is None:
        out_image, out_text = usage.output_tokens or 0, 0
    usd = ((text_in or 0) * prices.text_in + (image_in or 0) * prices.image_in
           + out_image * prices.image_out + out_text * (prices.text_out or prices.text_in)) / 1e6
    return round(usd, 6)


def estimate(model: str, provider: str, request: Request) -> Estimate:
    """Estimate a request's cost before any call: prompt tokens plus expected output tokens."""
    prices = PRICES.get(model)
    per_image = output_tokens(request.quality, request.size)
    if prices is None:
        return Estimate(model=model, provider=provider, n=request.n, usd=None,
                        basis=f"no published price for {model}")
    text_tokens = max(1, len(request.prompt) // 4)
    usd = (text_tokens * prices.text_in + request.n * per_image * prices.image_out) / 1e6
    basis = f"{request.n} x {per_image} output image tokens at ${prices.image_out}/1M"
    if request.quality in (None, "auto"):
        basis += " (quality auto priced as high)"
    if isinstance(request, EditRequest):
        basis += "; input image tokens not included"
    return Estimate(model=model, provider=provider, n=request.n, usd=round(usd, 6), basis=basis,
                    prices_as_of=prices.as_of, source=prices.source)
