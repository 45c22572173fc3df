"""The core price model: rates as data, estimates before a call, costs after it, totals."""

from __future__ import annotations

import io
from typing import Any

import attrs
import pytest
from PIL import Image

import tryon
from tryon.capabilities import Capabilities, Operation
from tryon.pricing import (
    HighFidelity,
    PerImage,
    PerMegapixel,
    PerToken,
    Price,
    TiledImageTokens,
    cost_of,
    estimate,
    total,
)
from tryon.provenance import Source
from tryon.request import EditRequest, GenerateRequest
from tryon.results import Estimate, GeneratedImage, Usage
from tryon.sizes import SizeRule, Sizes
from tryon.testing.fake import FakeGenerator

SOURCE = Source(where="https://example.test/pricing", checked="2026-12-01")
CAPS = Capabilities(operations={Operation.GENERATE, Operation.EDIT}, max_input_images=8, max_images_per_call=4,
                    sizes=Sizes.any(SizeRule(multiple_of=16, max_pixels=2048 * 2048)), max_resolution="2048x2048")


def png(size: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(buf, "PNG")
    return buf.getvalue()


def run(price: Price | None, request: Any, caps: Capabilities = CAPS, **kw: Any) -> Estimate:
    return estimate(price, request, model="m", provider="p", capabilities=caps, **kw)


# ---------------------------------------------------------------------------- declarations


def test_a_price_needs_a_source_and_an_approximate_one_says_why() -> None:
    with pytest.raises(TypeError):
        Price(rates=PerImage(flat=1.0), sources=())
    with pytest.raises(ValueError, match="approximation"):
        Price(rates=PerImage(flat=1.0), sources=SOURCE, upper_bound=False)
    with pytest.raises(ValueError):
        PerImage()  # neither flat nor table
    with pytest.raises(ValueError):
        PerMegapixel(first_mp=-1, extra_mp=1)


def test_the_price_becomes_the_price_fact_group_of_the_declaration() -> None:
    caps = Capabilities(price=Price(rates=PerImage(flat=0.04), sources=SOURCE))
    assert caps.sources.sources_for("price") == (SOURCE,)
    with pytest.raises(TypeError):
        Capabilities(price="4 cents")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- rates


def test_per_image_tables_price_unset_quality_and_size_at_the_dearest_entry() -> None:
    price = Price(rates=PerImage(table={"low": {"1024x1024": 0.01, "1536x1024": 0.02},
                                        "high": {"1024x1024": 0.1, "1536x1024": 0.2}}), sources=SOURCE)
    assert run(price, GenerateRequest(prompt="x", quality="low", size="1024x1024", n=3)).usd == pytest.approx(0.03)
    est = run(price, GenerateRequest(prompt="x"))
    assert est.usd == pytest.approx(0.2) and est.upper_bound and "priced as high" in est.basis
    odd = run(price, GenerateRequest(prompt="x", quality="ultra", size="1024x1024"))
    assert not odd.upper_bound and "approximate" in odd.basis


def test_megapixels_count_output_beyond_the_first_and_every_reference() -> None:
    price = Price(rates=PerMegapixel(first_mp=3, extra_mp=1.5), credit_usd=0.01, sources=SOURCE)
    gen = run(price, GenerateRequest(prompt="x", size="2048x1024"))
    assert gen.usd == pytest.approx(0.045) and "credits at $0.01" in gen.basis
    photo = tryon.media.load_image(png((4000, 3000)))
    refs = [photo, tryon.media.load_image(png((1024, 1024))), tryon.media.load_image(png((1024, 768)))]
    edit = run(price, EditRequest(prompt="x", images=refs))
    # output: the first input capped at 2048x2048 (4 MP); references: 13,835,008 px = 14 started MP
    assert edit.usd == pytest.approx((3 + (4 - 1 + 14) * 1.5) / 100)
    unknown = run(price, EditRequest(prompt="x", images=["https://example.test/a.png"], size="1024x1024"))
    assert "largest the model accepts" in unknown.basis and unknown.usd is not None and unknown.usd > 1


def test_tiled_input_tokens_follow_the_fitting_rule() -> None:
    tiles = TiledImageTokens(base=65, per_tile=129, tile=512, fit_edge=2048, short_edge=768)
    assert tiles.tokens(512, 512) == 65 + 129
    assert tiles.tokens(4000, 3000) == 65 + 129 * 2 * 2  # 2048x1536 -> 1024x768
    assert tiles.most() == 65 + 129 * 2 * 4  # 768 x 2048 covers the most tiles
    gemini = TiledImageTokens(per_tile=258, tile=768, small_edge=384)
    assert gemini.tokens(300, 200) == 258 and gemini.tokens(1536, 800) == 258 * 2 * 2
    assert gemini.most() is None and gemini.most(max_edge=1536) == 258 * 4
    assert TiledImageTokens(base=560).tokens(5000, 5000) == 560


def test_token_estimates_cover_prompt_inputs_fidelity_output_and_partials() -> None:
    rates = PerToken(text_in=5, image_in=8, image_out=32, output_tokens={"high": {"1024x1024": 4160}},
                     input_image=TiledImageTokens(base=65, per_tile=129, fit_edge=2048, short_edge=768),
                     high_fidelity=HighFidelity(square=4160, portrait=6240, landscape=6208, images=1),
                     partial_image_tokens=100)
    price = Price(rates=rates, sources=SOURCE)
    images = [tryon.media.load_image(png((1024, 1024))), tryon.media.load_image(png((1536, 1024)))]
    request = EditRequest(prompt="héllo", images=images, quality="high", size="1024x1024", input_fidelity="high",
                          partial_images=2, n=2)
    est = run(price, request)
    image_in = (65 + 129 * 4) + (65 + 129 * 6) + 4160  # fidelity on the first image only
    expected = (6 * 5 + image_in * 8 + (2 * 4160 + 2 * 2 * 100) * 32) / 1e6  # "héllo" is 6 bytes
    assert est.usd == pytest.approx(expected, abs=1e-6) and est.upper_bound
    fanned = run(price, attrs.evolve(request, n=9))  # 4 + 4 + 1: every call pays for its inputs again
    assert fanned.calls == 3 and "3 calls (4+4+1 images)" in fanned.basis
    assert fanned.usd == pytest.approx((3 * (6 * 5 + image_in * 8) + (9 * 4160 + 9 * 2 * 100) * 32) / 1e6, abs=1e-6)


def test_sizes_outside_the_table_are_scaled_by_area_and_marked_approximate() -> None:
    rates = PerToken(text_in=5, image_out=30, output_tokens={"low": {"1024x1024": 272}}, area_base="1024x1024")
    est = run(Price(rates=rates, sources=SOURCE), GenerateRequest(prompt="x", quality="low", size="2048x2048"))
    assert est.usd == pytest.approx((1 * 5 + 4 * 272 * 30) / 1e6) and not est.upper_bound
    assert "scaled by area" in est.basis and "approximate" in est.basis


def test_unknown_prices_are_none_and_named() -> None:
    est = run(None, GenerateRequest(prompt="x", n=2))
    assert est.usd is None and est.unpriced == 1 and est.unpriced_items == ("m",)
    assert "unknown" in str(est)


# ---------------------------------------------------------------------------- costs


def test_costs_come_from_reported_usage_or_credits() -> None:
    tokens = Price(rates=PerToken(text_in=5, image_in=10, image_out=40, output_tokens={None: {None: 1}}),
                   sources=SOURCE)
    usage = Usage(input_tokens=1100, input_text_tokens=100, input_image_tokens=1000, output_tokens=4160,
                  output_image_tokens=4160)
    assert cost_of(tokens, usage) == pytest.approx((100 * 5 + 1000 * 10 + 4160 * 40) / 1e6)
    assert cost_of(tokens, None) is None  # no usage: unknown, never 0
    credits = Price(rates=PerMegapixel(first_mp=3, extra_mp=1.5), credit_usd=0.01, sources=SOURCE)
    assert cost_of(credits, Usage(credits=25.5)) == pytest.approx(0.255)
    image = GeneratedImage.from_bytes(png((2048, 1024)))
    assert cost_of(credits, None, GenerateRequest(prompt="x"), [image]) == pytest.approx(0.045)
    assert cost_of(None, usage) is None


def test_usage_adds_credits() -> None:
    assert (Usage(credits=3.0) + Usage(credits=1.5)).credits == pytest.approx(4.5)
    assert Usage(credits=3.0).to_dict() == {"credits": 3.0}


# ---------------------------------------------------------------------------- totals


def test_totals_sum_the_priced_and_count_and_name_the_unpriced() -> None:
    a = Estimate(model="a", provider="p", n=2, usd=0.1, upper_bound=True)
    b = Estimate(model="b", provider="q", n=1, usd=None, unpriced=1, unpriced_items=("b",))
    c = Estimate(model="c", provider="q", n=3, usd=0.2, upper_bound=True, calls=2)
    out = total([a, b, c, b])
    assert out.usd == pytest.approx(0.3) and out.unpriced == 2 and out.unpriced_items == ("b",)
    assert out.n == 7 and out.calls == 5 and not out.upper_bound and out.parts == (a, b, c, b)
    assert "2 unpriced (b)" in out.basis and "+ 2 unpriced" in str(out)
    assert total([a, c]).upper_bound and total([b]).usd is None
    assert out.to_dict()["parts"][1]["usd"] is None


# ---------------------------------------------------------------------------- through the router


def test_the_router_prices_declared_models_and_costs_their_calls() -> None:
    price = Price(rates=PerMegapixel(first_mp=3, extra_mp=1.5), credit_usd=0.01, sources=SOURCE)
    caps = attrs.evolve(CAPS, price=price)
    router = tryon.Router(plugins=False)
    gen = FakeGenerator("priced", capabilities=caps, price_per_image=None)
    router.register(gen)
    est = router.estimate("x", model="priced", images=[png((2000, 1500))])
    assert est.usd == pytest.approx((3 + (3 - 1 + 3) * 1.5) / 100) and est.upper_bound  # loaded: sizes known
    result = router.edit([png((2000, 1500))], "x", model="priced")
    assert result.cost_usd is not None  # the core priced the call from what was sent and made


def test_a_plugin_without_a_declared_price_keeps_its_own_estimate() -> None:
    router = tryon.Router(plugins=False)
    router.register(FakeGenerator("own", price_per_image=0.5))
    assert router.estimate("x", model="own", n=2).usd == pytest.approx(1.0)
