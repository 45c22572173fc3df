"""Estimates against bills: every priced model, a grid of requests, each billed by its emulator.

The billed side is what each emulator reports the way its provider documents it (OpenAI's
``usage`` with input image tokens, BFL's ``cost`` in credits on submit, Gemini's
``usageMetadata``), priced by the core. Where a model's price says the estimate is an upper
bound, no bill may exceed it; elsewhere the estimate must say it is approximate and stay close.
"""

from __future__ import annotations

import io
import itertools
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image, ImageDraw
from tryon_flux import generators as flux_generators
from tryon_gemini import generators as gemini_generators
from tryon_openai import MODELS as GPT_MODELS
from tryon_openai import OpenAIImageGenerator

import tryon
from tryon.testing.bfl_emulator import BFLEmulator
from tryon.testing.gemini_emulator import GeminiEmulator
from tryon.testing.openai_emulator import OpenAIEmulator

KEY = "sk-test-estimates"
PROMPT = "a linen shirt on a wooden hanger, soft daylight"


def _image(size: tuple[int, int], fmt: str = "PNG") -> bytes:
    img = Image.new("RGB", size, (200, 180, 150))
    ImageDraw.Draw(img).ellipse((size[0] // 4, size[1] // 4, size[0] * 3 // 4, size[1] * 3 // 4), fill=(40, 90, 160))
    buf = io.BytesIO()
    img.save(buf, fmt, quality=70) if fmt == "JPEG" else img.save(buf, fmt)
    return buf.getvalue()


PHOTO = _image((4000, 3000), "JPEG")  # a phone photo
BIG = _image((2400, 1800), "JPEG")  # above OpenAI's 2048 px fitting edge
SQUARE = _image((1024, 1024))
WIDE = _image((1024, 768))
SMALL = _image((300, 200))
TALL = _image((800, 1400))


def _mask(size: tuple[int, int]) -> bytes:
    im = Image.new("L", size, 255)
    ImageDraw.Draw(im).rectangle((0, 0, size[0] // 2, size[1] - 1), fill=0)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


class Ledger:
    """Estimate and bill of every request, checked as they come."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, bool]] = []

    def check(self, router: tryon.Router, model: str, images: list[bytes] | None, **options: Any) -> None:
        est = router.estimate(PROMPT, model=model, images=images, **options)
        if images is None:
            gen = router.generate(PROMPT, model=model, **options)
        else:
            gen = router.edit(images, PROMPT, model=model, **options)
        assert est.usd is not None and gen.cost_usd is not None, (model, options)
        case = f"{model} images={len(images or [])} {options}"
        if est.upper_bound:
            assert est.usd >= gen.cost_usd - 1e-9, f"{case}: estimate ${est.usd} < billed ${gen.cost_usd} ({est.basis})"
        else:
            assert "approximate" in est.basis, case
            assert 0.75 * gen.cost_usd <= est.usd <= 1.5 * gen.cost_usd, f"{case}: {est.usd} vs {gen.cost_usd}"
        self.rows.append((model, est.usd, gen.cost_usd, est.upper_bound))

    def worst(self) -> dict[str, tuple[int, float]]:
        """Model -> (requests, the highest billed/estimate ratio)."""
        out: dict[str, tuple[int, float]] = {}
        for model, est, billed, _ in self.rows:
            count, ratio = out.get(model, (0, 0.0))
            out[model] = (count + 1, max(ratio, billed / est))
        return out


@pytest.fixture
def ledger() -> Iterator[Ledger]:
    book = Ledger()
    yield book
    for model, (count, ratio) in sorted(book.worst().items()):
        print(f"\n{model}: {count} requests, worst billed/estimate {ratio:.4f}")  # shown with -s


# ---------------------------------------------------------------------------- OpenAI

GPT_PRICED = ["gpt-image-1", "gpt-image-1-mini", "gpt-image-1.5"]


@pytest.mark.parametrize("model", GPT_PRICED)
def test_gpt_estimates_are_upper_bounds(model: str, ledger: Ledger) -> None:
    with OpenAIEmulator() as emu:
        emu.retired_models_served = True
        router = tryon.Router(plugins=False, allow_retired=True, settings={"openai": {
            "base_url": emu.base_url, "api_key": KEY, "max_retries": 0, "timeout": 20}})
        for model_id, caps in GPT_MODELS.items():
            router.register(OpenAIImageGenerator(model_id, caps))
        high = "high" in GPT_MODELS[model].input_fidelity
        fidelity = "high" if high else "low"
        inputs: list[tuple[list[bytes] | None, str | None]] = [
            (None, None), ([SQUARE], "low"), ([BIG, WIDE, TALL], fidelity), ([TALL], fidelity)]
        sizes = ["1024x1024", "1536x1024", "1024x1536", "auto"]
        qualities = ["low", "medium", "high", "auto"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # gpt-image-1 is retired: the warning is not under test
            # every size x quality; the inputs, their fidelity and n cycle through their values
            for i, (size, quality) in enumerate(itertools.product(sizes, qualities)):
                images, fid = inputs[i % len(inputs)] if i % 5 else inputs[(i // 5) % len(inputs)]
                extra = {"input_fidelity": fid} if images is not None else {}
                ledger.check(router, model, images, size=size, quality=quality, n=(1, 2, 3)[i % 3], **extra)
            for size in sizes:  # the dearest inputs at every size
                ledger.check(router, model, [BIG, WIDE, TALL], size=size, input_fidelity=fidelity)
            # fan-out: 12 images are two calls, each billed for the input images again
            ledger.check(router, model, [BIG, WIDE, TALL], n=12, quality="low", input_fidelity=fidelity)


def test_the_three_image_high_fidelity_edit_of_the_issue_is_covered() -> None:
    with OpenAIEmulator() as emu:
        router = tryon.Router(plugins=False, allow_retired=True,
                              settings={"openai": {"base_url": emu.base_url, "api_key": KEY}})
        router.register(OpenAIImageGenerator("gpt-image-1.5", GPT_MODELS["gpt-image-1.5"]))
        options: dict[str, Any] = {"quality": "high", "size": "1536x1024", "input_fidelity": "high"}
        est = router.estimate(PROMPT, model="gpt-image-1.5", images=[PHOTO, WIDE, TALL], **options)
        gen = router.edit([PHOTO, WIDE, TALL], PROMPT, model="gpt-image-1.5", **options)
    assert gen.usage is not None and gen.usage.input_image_tokens  # the emulator bills the inputs
    assert est.usd is not None and gen.cost_usd is not None
    assert gen.cost_usd <= est.usd < 1.5 * gen.cost_usd
    assert "high input fidelity on 3 image(s)" in est.basis and "an upper bound" in est.basis


def test_unpriced_gpt_models_say_unknown_never_zero() -> None:
    router = tryon.Router(plugins=False, allow_retired=True)
    for model_id, caps in GPT_MODELS.items():
        router.register(OpenAIImageGenerator(model_id, caps))
    for model_id in sorted(set(GPT_MODELS) - set(GPT_PRICED)):
        est = router.estimate(PROMPT, model=model_id)
        assert est.usd is None and est.unpriced == 1 and est.unpriced_items == (model_id,), model_id


# ---------------------------------------------------------------------------- BFL


@pytest.fixture
def bfl() -> Iterator[tryon.Router]:
    with BFLEmulator() as emu:
        # lenient: references above FLUX.2's 9 MP total are downscaled, and both sides see the prepared sizes
        router = tryon.Router(plugins=False, allow_retired=True, strict=False)
        for gen in flux_generators(api_key=KEY, base_url=emu.url, poll_interval=0.001, max_poll_interval=0.005,
                                   timeout=20, max_retries=2):
            router.register(gen)
        yield router


@pytest.mark.parametrize("model", ["flux-2-pro", "flux-2-max", "flux-2-flex", "flux-2-klein-4b", "flux-2-klein-9b"])
def test_flux2_estimates_cover_output_and_reference_megapixels(model: str, bfl: tryon.Router,
                                                              ledger: Ledger) -> None:
    sizes = [None, "1024x1024", "2048x1024", "1440x1440"]
    inputs: list[list[bytes] | None] = [None, [SQUARE], [PHOTO, SQUARE, WIDE]]
    for i, (size, images) in enumerate(itertools.product(sizes, inputs)):
        options = {"size": size} if size else {}
        ledger.check(bfl, model, images, n=(1, 2)[i % 2], **options)


def test_the_flux2_edit_of_the_issue_is_estimated_at_what_it_is_billed(bfl: tryon.Router) -> None:
    est = bfl.estimate(PROMPT, model="flux-2-pro", images=[PHOTO, SQUARE, WIDE])
    gen = bfl.edit([PHOTO, SQUARE, WIDE], PROMPT, model="flux-2-pro")
    assert gen.usage is not None and gen.usage.credits == pytest.approx(gen.cost_usd / 0.01)  # type: ignore[operator]
    # the references are downscaled to FLUX.2's 9 MP total; not the $0.03 of the first megapixel
    assert est.usd == pytest.approx(gen.cost_usd) and est.usd > 0.15
    assert "MP of references" in est.basis and est.upper_bound


@pytest.mark.parametrize("model", ["flux-kontext-pro", "flux-kontext-max"])
def test_kontext_estimates_are_the_flat_price(model: str, bfl: tryon.Router, ledger: Ledger) -> None:
    for ratio, images, n in itertools.product([None, "16:9"], [None, [WIDE], [PHOTO, SQUARE]], [1, 2]):
        options = {"aspect_ratio": ratio} if ratio else {}
        ledger.check(bfl, model, images, n=n, **options)


def test_fill_estimates_are_the_flat_price(bfl: tryon.Router, ledger: Ledger) -> None:
    for image, size in ((SQUARE, (1024, 1024)), (WIDE, (1024, 768))):
        for n in (1, 2):
            ledger.check(bfl, "flux-pro-1.0-fill", [image], mask=_mask(size), n=n)


# ---------------------------------------------------------------------------- Gemini


@pytest.fixture
def gemini() -> Iterator[tryon.Router]:
    with GeminiEmulator() as emu:
        router = tryon.Router(plugins=False, allow_retired=True)
        for gen in gemini_generators(api_key=KEY, base_url=emu.url, max_retries=2, timeout=20):
            router.register(gen)
        yield router


def test_gemini_flash_estimates_are_approximate_and_close(gemini: tryon.Router, ledger: Ledger) -> None:
    for ratio, images, n in itertools.product([None, "16:9"], [None, [SMALL], [PHOTO, SQUARE, SMALL]], [1, 2]):
        options = {"aspect_ratio": ratio} if ratio else {}
        ledger.check(gemini, "gemini-2.5-flash-image", images, n=n, **options)


@pytest.mark.parametrize("model", ["gemini-3-pro-image", "gemini-3-pro-image-preview"])
def test_gemini_pro_estimates_follow_the_size_tier(model: str, gemini: tryon.Router, ledger: Ledger) -> None:
    inputs: list[list[bytes] | None] = [None, [SMALL], [PHOTO, SQUARE, WIDE]]
    for i, (tier, images) in enumerate(itertools.product(["1K", "2K", "4K"], inputs)):
        ledger.check(gemini, model, images, n=(1, 2)[i % 2], image_size=tier)


def test_a_streamed_edit_with_partial_images_is_covered() -> None:
    with OpenAIEmulator() as emu:
        router = tryon.Router(plugins=False, allow_retired=True,
                              settings={"openai": {"base_url": emu.base_url, "api_key": KEY}})
        router.register(OpenAIImageGenerator("gpt-image-1.5", GPT_MODELS["gpt-image-1.5"]))
        options: dict[str, Any] = {"quality": "medium", "size": "1024x1024", "partial_images": 3}
        est = router.estimate(PROMPT, model="gpt-image-1.5", images=[WIDE], **options)
        final = list(router.stream(PROMPT, model="gpt-image-1.5", images=[WIDE], **options))[-1]
    assert isinstance(final, tryon.Generation) and final.cost_usd is not None and est.usd is not None
    assert final.cost_usd <= est.usd < 1.1 * final.cost_usd  # the partial images' tokens are in both


# ---------------------------------------------------------------------------- Amazon Nova Canvas (Bedrock)

NOVA_SIZES = ("512x512", "1024x1024", "1280x720", "2032x2032")
NOVA_GRID = [{"size": size, "n": n, **({"quality": q} if q else {})}
             for size, n, q in itertools.product(NOVA_SIZES, (1, 6), (None, "premium"))]


@pytest.fixture
def nova(monkeypatch: pytest.MonkeyPatch) -> Iterator[tryon.Router]:
    pytest.importorskip("boto3")
    from tryon_bedrock import generators as bedrock_generators

    from tryon.testing.bedrock_emulator import BedrockEmulator

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAESTIMATES0000001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "estimates-secret")
    with BedrockEmulator() as emu:
        router = tryon.Router(plugins=False, allow_retired=True)  # the emulator still serves it
        for gen in bedrock_generators(endpoint_url=emu.url, region="us-east-1", max_retries=0):
            router.register(gen)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield router


def test_nova_canvas_estimates_are_the_bill(nova: tryon.Router, ledger: Ledger) -> None:
    """Per image by the band of each returned image's size and the quality: the estimate is the bill."""
    for options in NOVA_GRID:
        ledger.check(nova, "amazon.nova-canvas-v1:0", None, **options)
    ledger.check(nova, "amazon.nova-canvas-v1:0", [SQUARE], mask=_mask((1024, 1024)))
    ledger.check(nova, "amazon.nova-canvas-v1:0", [TALL], mask=_mask((800, 1400)), quality="premium")
    ledger.check(nova, "amazon.nova-canvas-v1:0", [SQUARE, WIDE], n=3, size="768x768")
    ledger.check(nova, "amazon.nova-canvas-v1:0", [TALL], task="background_removal")
    assert all(est == pytest.approx(billed) for _, est, billed, _ in ledger.rows)
