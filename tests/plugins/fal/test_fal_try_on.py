"""Kling's Kolors Virtual Try-On and FASHN v1.6 on fal, as try-on models (tryon's try_on)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from tryon_fal import MODELS
from tryon_fal.emulator import FalEmulator

import tryon
from tryon.errors import UnsupportedOptionError, ValidationError
from tryon.testing.provenance import missing_sources

KLING, FASHN = "fal-ai/kling/v1-5/kolors-virtual-try-on", "fal-ai/fashn/tryon/v1.6"


def png(size: tuple[int, int] = (300, 400), colour: tuple[int, int, int] = (200, 180, 160)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def test_fashn_maps_tryon_words_to_fashn_words(router: tryon.Router, emulator: FalEmulator) -> None:
    result = router.try_on(png(), png(colour=(10, 20, 30)), category="top", model=FASHN, mode="quality",
                           garment_photo_type="flat-lay", moderation="conservative", n=2, seed=9,
                           output_format="jpeg", options={"segmentation_free": False})
    sent = next(r for r in emulator.requests if r.method == "POST")
    assert sent.path == f"/{FASHN}"
    params = {k: v for k, v in sent.params.items() if k not in ("model_image", "garment_image")}
    assert params == {"category": "tops", "mode": "quality", "garment_photo_type": "flat-lay",
                      "moderation_level": "conservative", "num_samples": 2, "seed": 9, "output_format": "jpeg",
                      "segmentation_free": False}
    assert sent.params["model_image"].startswith("data:image/png;base64,")
    assert len(result.images) == 2 and result.images[0].format == "jpeg"
    assert (result.images[0].width, result.images[0].height) == (300, 400)


def test_fashn_without_a_category_sends_auto(router: tryon.Router, emulator: FalEmulator) -> None:
    router.try_on(png(), png(), model=FASHN)
    assert next(r for r in emulator.requests if r.method == "POST").params["category"] == "auto"


def test_fashn_fans_out_past_four_samples(router: tryon.Router, emulator: FalEmulator) -> None:
    result = router.try_on(png(), png(), model=FASHN, category="bottom", n=6)
    counts = sorted(r.params.get("num_samples", 1) for r in emulator.requests if r.method == "POST")
    assert counts == [2, 4] and len(result.images) == 6


def test_kling_sends_the_person_and_the_garment_only(router: tryon.Router, emulator: FalEmulator) -> None:
    result = router.try_on(png(), png(), model=KLING, category="one-piece")
    sent = next(r for r in emulator.requests if r.method == "POST")
    assert set(sent.params) == {"human_image_url", "garment_image_url"}
    assert len(result.images) == 1 and result.images[0].format == "png"


@pytest.mark.parametrize("model, kwargs", [
    (KLING, {"mode": "quality"}),
    (KLING, {"seed": 3}),
    (KLING, {"prompt": "make it red"}),
    (FASHN, {"category": "footwear"}),
    (FASHN, {"moderation": "strict"}),
    (FASHN, {"n": 2, "garments": 2}),
])
def test_try_on_refusals_before_the_network(router: tryon.Router, emulator: FalEmulator, model: str,
                                            kwargs: dict[str, object]) -> None:
    garments = [png()] * int(kwargs.pop("garments", 1))  # type: ignore[call-overload]
    with pytest.raises((UnsupportedOptionError, ValidationError)):
        router.try_on(png(), garments if len(garments) > 1 else garments[0], model=model, **kwargs)  # type: ignore[arg-type]
    assert emulator.requests == []


def test_try_on_declarations_are_sourced() -> None:
    for name in (KLING, FASHN):
        assert missing_sources(MODELS[name].capabilities) == [], name


def test_try_on_estimates_say_unpriced(router: tryon.Router) -> None:
    assert router.estimate_try_on(png(), png(), model=FASHN, n=2).usd is None


@pytest.mark.parametrize("model, endpoint", [("fal-ai/bytedance/seedream/v4.5", "fal-ai/bytedance/seedream/v4.5/edit"),
                                             ("fal-ai/flux-2-pro", "fal-ai/flux-2-pro/edit")])
def test_multi_reference_editors_serve_try_on_by_composition(router: tryon.Router, emulator: FalEmulator,
                                                             model: str, endpoint: str) -> None:
    result = router.try_on(png(), [tryon.Garment(png(colour=(9, 9, 9)), "top"),
                                   tryon.Garment(png(colour=(99, 9, 9)), "trousers")], model=model)
    sent = next(r for r in emulator.requests if r.method == "POST")
    assert sent.path == f"/{endpoint}" and len(sent.params["image_urls"]) == 3
    assert "image 1" in sent.params["prompt"].lower() and len(result.images) == 1
