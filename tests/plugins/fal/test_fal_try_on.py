"""Kling's Kolors Virtual Try-On and FASHN v1.6 on fal, as try-on models (tryon's try_on)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from tryon_fal import MODELS
from tryon_fal.emulator import FalEmulator

import tryon
from tryon.errors import UnsupportedOptionError, ValidationError
from tryon.router import ModelInfo
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


def test_fashn_is_priced_per_image_and_kling_stays_unpriced(router: tryon.Router) -> None:
    estimate = router.estimate_try_on(png(), png(), model=FASHN, n=2)
    assert estimate.usd == pytest.approx(0.15) and not estimate.upper_bound
    price = MODELS[FASHN].capabilities.price
    assert price is not None and "fal.ai/models/fal-ai/fashn/tryon/v1.6/llms.txt" in price.source_text()
    assert router.estimate_try_on(png(), png(), model=KLING).usd is None  # fal publishes no Kling try-on price found


def test_kling_refuses_every_output_format(router: tryon.Router, emulator: FalEmulator) -> None:
    for fmt in ("png", "jpeg"):
        with pytest.raises(UnsupportedOptionError, match="takes no output_format"):
            router.try_on(png(), png(), model=KLING, output_format=fmt)
    assert emulator.requests == []
    result = router.try_on(png(), png(), model=KLING, output_format="png", strict=False)
    assert any(w.option == "output_format" for w in result.warnings)


def test_kling_categories_are_scope_not_sent() -> None:
    from tryon.capability_table import try_on_text
    from tryon.vto.table import try_on_rows

    caps = MODELS[KLING].capabilities
    assert caps.try_on is not None and not caps.try_on.category_sent
    assert "scope top, bottom, one-piece (no category is sent)" in try_on_text(caps)
    [row] = try_on_rows([ModelInfo(model=KLING, provider="fal", capabilities=caps)])
    assert row["Categories (tryon → provider)"].startswith("scope top, bottom, one-piece (no category is sent)")
    assert row["Formats"] == "the model's own (not settable)" and row["Output size"] == "person image size"


def test_fashn_leaves_outerwear_unmapped_as_its_docs_do(router: tryon.Router, emulator: FalEmulator) -> None:
    with pytest.raises(UnsupportedOptionError, match="category 'jacket'"):
        router.try_on(png(), png(), model=FASHN, category="jacket")
    sources = MODELS[FASHN].capabilities.sources.facts["try_on"]
    assert any("outerwear" in s.note for s in sources)


@pytest.mark.parametrize("model, endpoint", [("fal-ai/bytedance/seedream/v4.5", "fal-ai/bytedance/seedream/v4.5/edit"),
                                             ("fal-ai/flux-2-pro", "fal-ai/flux-2-pro/edit"),
                                             ("fal-ai/qwen-image-edit-plus", "fal-ai/qwen-image-edit-plus"),
                                             ("fal-ai/qwen-image-edit-2511", "fal-ai/qwen-image-edit-2511")])
def test_multi_reference_editors_serve_try_on_by_composition(router: tryon.Router, emulator: FalEmulator,
                                                             model: str, endpoint: str) -> None:
    result = router.try_on(png(), [tryon.Garment(png(colour=(9, 9, 9)), "top"),
                                   tryon.Garment(png(colour=(99, 9, 9)), "trousers")], model=model)
    sent = next(r for r in emulator.requests if r.method == "POST")
    assert sent.path == f"/{endpoint}" and len(sent.params["image_urls"]) == 3
    assert "image 1" in sent.params["prompt"].lower() and len(result.images) == 1


def test_the_models_try_on_line_shows_photo_types_and_garments_without_a_category() -> None:
    from tryon.capability_table import try_on_text

    line = try_on_text(MODELS[FASHN].capabilities)
    assert "garment without a category: yes (the model tells)" in line and "photo types auto/flat-lay/worn" in line
