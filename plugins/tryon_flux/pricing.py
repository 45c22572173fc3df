"""FLUX prices as data, in BFL credits (1 credit = $0.01).

FLUX.2 is billed per megapixel: the first megapixel of output, then each further (part
of a) megapixel of output and of reference input at the model's per-megapixel price.
Kontext is a flat price per image. A finished call's cost comes from the ``cost`` the
submit answer reports; these tables only serve estimates made before a call.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from tryon.media.inputs import InputImage
from tryon.request import EditRequest, Request
from tryon.results import Estimate
from tryon.sizes import parse_size

__all__ = ["CREDIT_USD", "PRICES", "Price", "credits_to_usd", "estimate", "megapixels"]

CREDIT_USD = 0.01
#: A billed megapixel: 1024 x 1024 pixels (a 1024x1024 image costs the first-megapixel price).
MEGAPIXEL = 1024 * 1024
_AS_OF = "2026-12-01"
_SOURCE = "BFL's own API skill (https://skills.sh/black-forest-labs/skills/bfl-api, pricing table)"
_PRICING_PAGE = "BFL pricing page (https://docs.bfl.ml/quick_start/pricing)"


@attrs.frozen
class Price:
    """Credits for one image: ``flat``, or ``first_mp`` plus ``extra_mp`` per further megapixel."""

    first_mp: float = 0.0
    extra_mp: float = 0.0
    flat: float | None = None
    as_of: str = _AS_OF
    source: str = _SOURCE

    def credits(self, output_pixels: int, input_pixels: int = 0) -> float:
        """Credits for one image of *output_pixels* made from references of *input_pixels* in total."""
        if self.flat is not None:
            return self.flat
        extra = max(0, megapixels(output_pixels) - 1) + megapixels(input_pixels)
        return self.first_mp + extra * self.extra_mp


PRICES: Mapping[str, Price] = MappingProxyType(
    {
        "flux-2-pro": Price(first_mp=3.0, extra_mp=1.5),
        "flux-2-max": Price(first_mp=7.0, extra_mp=3.0),
        "flux-2-flex": Price(first_mp=5.0, extra_mp=5.0),
        "flux-2-klein-4b": Price(first_mp=1.4, extra_mp=0.1),
        "flux-2-klein-9b": Price(first_mp=1.5, extra_mp=0.2),
        "flux-kontext-pro": Price(flat=4.0, source=_PRICING_PAGE),
        "flux-kontext-max": Price(flat=8.0, source=_PRICING_PAGE),
        "flux-pro-1.0-fill": Price(flat=5.0, source=_PRICING_PAGE),
    }
)
"""Model -> price (credits). A model missing here has no published price: its estimates say unknown."""


def megapixels(pixels: int) -> int:
    """Billed megapixels: each started :data:`MEGAPIXEL` counts (0 for no pixels)."""
    return math.ceil(pixels / MEGAPIXEL) if pixels > 0 else 0


def credits_to_usd(credits: float | None) -> float | None:
    return None if credits is None else round(credits * CREDIT_USD, 6)


def _input_pixels(request: Request) -> int | None:
    """Total pixels of the prepared reference images (``None`` when they are not prepared yet)."""
    if not isinstance(request, EditRequest):
        return 0
    if not all(isinstance(image, InputImage) for image in request.images):
        return None
    return sum(image.pixels for image in request.images)


def estimate(model: str, provider: str, request: Request) -> Estimate:
    """The cost of *request* before any call (``usd=None`` when the price is not known)."""
    price = PRICES.get(model)
    if price is None:
        return Estimate(
            model=model, provider=provider, n=request.n, usd=None, basis=f"no published price for {model}"
        )
    if price.flat is not None:
        return Estimate(
            model=model,
            provider=provider,
            n=request.n,
            usd=credits_to_usd(price.flat * request.n),
            basis=f"{request.n} x {price.flat:g} credits per image",
            prices_as_of=price.as_of,
            source=price.source,
        )
    wh = parse_size(request.size or "") or (1024, 1024)
    inputs = _input_pixels(request)
    per_image = price.credits(wh[0] * wh[1], inputs or 0)
    basis = (
        f"{request.n} x ({price.first_mp:g} credits for the first MP + {price.extra_mp:g} per further MP) "
        f"at {wh[0]}x{wh[1]}"
    )
    if request.size is None:
        basis += " (size not set: priced at 1024x1024)"
    if inputs is None:
        basis += "; reference images not included"
    elif inputs:
        basis += f"; {megapixels(inputs)} MP of reference images included"
    return Estimate(
        model=model,
        provider=provider,
        n=request.n,
        usd=credits_to_usd(per_image * request.n),
        basis=basis,
        prices_as_of=price.as_of,
        source=price.source,
    )
