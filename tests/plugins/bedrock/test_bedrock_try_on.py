"""Nova Canvas's VIRTUAL_TRY_ON through tryon.try_on: masks by class, prompt and image; refusals; prices."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from bedrock_helpers import decoded, make_router, mask_png, png
from tryon_bedrock.models import GARMENT_CLASSES

import tryon
from tryon.errors import InvalidOptionError, UnsupportedOptionError
from tryon.testing.bedrock_emulator import GARMENT_CLASSES as NOVA_CLASSES
from tryon.testing.bedrock_emulator import BedrockEmulator
from tryon.vto import CATEGORIES

pytest.importorskip("boto3")
pytestmark = pytest.mark.usefixtures("aws")

PERSON = png((512, 768), (200, 180, 160))
SHIRT = png((400, 400), (200, 20, 20))


@pytest.fixture
def emu() -> Iterator[BedrockEmulator]:
    with BedrockEmulator() as emulator:
        yield emulator


@pytest.fixture
def router(emu: BedrockEmulator) -> tryon.Router:
    return make_router(emu)


def vto(emu: BedrockEmulator) -> dict[str, Any]:
    body = emu.last_request.params
    assert body["taskType"] == "VIRTUAL_TRY_ON"
    return dict(body["virtualTryOnParams"])


EXPECTED = {
    "top": "UPPER_BODY", "long-sleeve-top": "LONG_SLEEVE_SHIRT", "short-sleeve-top": "SHORT_SLEEVE_SHIRT",
    "sleeveless-top": "NO_SLEEVE_SHIRT", "outerwear": "UPPER_BODY", "jacket": "UPPER_BODY", "coat": "UPPER_BODY",
    "bottom": "LOWER_BODY", "trousers": "LONG_PANTS", "shorts": "SHORT_PANTS", "skirt": "OTHER_LOWER_BODY",
    "one-piece": "FULL_BODY", "long-dress": "LONG_DRESS", "short-dress": "SHORT_DRESS", "jumpsuit": "FULL_BODY_OUTFIT",
    "footwear": "FOOTWEAR", "shoes": "SHOES", "boots": "BOOTS",
}


def test_every_mapped_class_is_one_nova_documents() -> None:
    assert set(GARMENT_CLASSES.values()) <= NOVA_CLASSES
    assert {c for c in CATEGORIES if c not in EXPECTED} == {"accessory", "bag", "hat", "eyewear", "jewelry"}


@pytest.mark.parametrize("category", sorted(EXPECTED))
def test_each_category_is_sent_as_its_garment_class(router: tryon.Router, emu: BedrockEmulator,
                                                    category: str) -> None:
    result = router.try_on(PERSON, SHIRT, category=category, model="nova-canvas")
    params = vto(emu)
    assert params["maskType"] == "GARMENT" and params["garmentBasedMask"] == {"garmentClass": EXPECTED[category]}
    assert "text" not in params and "negativeText" not in params
    assert (result.images[0].width, result.images[0].height) == (512, 768)  # the person's size


def test_garment_mask_with_shape_styling_exclusions_and_merge(router: tryon.Router, emu: BedrockEmulator) -> None:
    router.try_on(PERSON, SHIRT, category="long-sleeve-top", model="nova-canvas", mask_shape="bounding_box",
                  long_sleeve_style="sleeve_up", tucking_style="tucked", outer_layer_style="open",
                  preserve_face="on", preserve_hands="off", preserve_body_pose="default", merge_style="detailed",
                  quality="premium", seed=7, cfg_scale=5.0)
    params = vto(emu)
    assert params["garmentBasedMask"] == {"garmentClass": "LONG_SLEEVE_SHIRT", "maskShape": "BOUNDING_BOX",
                                          "garmentStyling": {"longSleeveStyle": "SLEEVE_UP", "tuckingStyle": "TUCKED",
                                                             "outerLayerStyle": "OPEN"}}
    assert params["maskExclusions"] == {"preserveBodyPose": "DEFAULT", "preserveHands": "OFF", "preserveFace": "ON"}
    assert params["mergeStyle"] == "DETAILED"
    assert emu.last_request.params["imageGenerationConfig"] == {"numberOfImages": 1, "quality": "premium",
                                                                "cfgScale": 5.0, "seed": 7}


def test_prompt_mask(router: tryon.Router, emu: BedrockEmulator) -> None:
    router.try_on(PERSON, SHIRT, category="top", model="nova-canvas", mask_prompt="the sofa",
                  mask_shape="bounding_box")
    assert vto(emu)["maskType"] == "PROMPT"
    assert vto(emu)["promptBasedMask"] == {"maskPrompt": "the sofa", "maskShape": "BOUNDING_BOX"}


def test_image_mask_keeps_tryons_black_as_the_area_to_change(router: tryon.Router, emu: BedrockEmulator) -> None:
    router.try_on(PERSON, SHIRT, category="top", model="nova-canvas", mask=mask_png((512, 768)))
    params = vto(emu)
    assert params["maskType"] == "IMAGE" and "garmentBasedMask" not in params
    mask = decoded(params["imageBasedMask"]["maskImage"])
    assert mask.size == (512, 768) and mask.getpixel((5, 5)) == (0, 0, 0) and mask.getpixel((500, 700)) == (255,) * 3


def test_n_above_five_fans_out(router: tryon.Router, emu: BedrockEmulator) -> None:
    result = router.try_on(PERSON, SHIRT, category="top", model="nova-canvas", n=7, seed=1)
    assert len(result.images) == 7 and len(emu.requests) == 2


REFUSED: dict[str, tuple[dict[str, Any], type[Exception]]] = {
    "a text prompt": ({"category": "top", "prompt": "make it fit"}, UnsupportedOptionError),
    "an accessory": ({"category": "hat"}, UnsupportedOptionError),
    "two garments": ({"garments": [SHIRT, SHIRT], "category": "top"}, UnsupportedOptionError),
    "a mode": ({"category": "top", "mode": "quality"}, UnsupportedOptionError),
    "a garment photo type": ({"category": "top", "garment_photo_type": "flat-lay"}, UnsupportedOptionError),
    "a prompt template": ({"category": "top", "prompt_template": "{person} {garments}"}, UnsupportedOptionError),
    "no category": ({}, UnsupportedOptionError),
    "no category with a prompt mask": ({"mask_prompt": "the shirt"}, UnsupportedOptionError),
    "a size": ({"category": "top", "size": "512x512"}, UnsupportedOptionError),
    "an edit-only option": ({"category": "top", "negative_text": "logos"}, InvalidOptionError),
    "garment styling with a prompt mask": ({"category": "top", "mask_prompt": "shirt", "tucking_style": "tucked"},
                                           InvalidOptionError),
    "a small person image": ({"category": "top", "person": png((300, 600))}, ValueError),
    "a transparent garment": ({"category": "top", "garments": png(mode="RGBA", color=(0, 0, 0, 0))}, ValueError),
    "webp output": ({"category": "top", "output_format": "webp"}, UnsupportedOptionError),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_before_any_call(router: tryon.Router, emu: BedrockEmulator, case: str) -> None:
    options, expected = dict(REFUSED[case][0]), REFUSED[case][1]
    person = options.pop("person", PERSON)
    garments = options.pop("garments", SHIRT)
    with pytest.raises(expected) as err:
        router.try_on(person, garments, model="nova-canvas", **options)
    assert isinstance(err.value, ValueError)
    assert emu.requests == []


def test_a_size_is_refused_by_the_checks_a_dry_run_and_a_batch_pre_flight_share(router: tryon.Router,
                                                                              emu: BedrockEmulator) -> None:
    # VIRTUAL_TRY_ON answers at the person's size: the size is refused by the router's own checks (so
    # estimates, dry runs and batch pre-flight refuse it too, and a preference list falls through)
    with pytest.raises(UnsupportedOptionError, match="size"):
        router.estimate_try_on(PERSON, SHIRT, model="nova-canvas", category="top", size="1024x1024")
    assert router.explain_try_on("nova-canvas", category="top", size="1024x1024")
    assert emu.requests == []


def test_prompt_refusal_names_models_that_take_one(emu: BedrockEmulator) -> None:
    import attrs

    from tryon.testing.fake import FAKE_TRY_ON_CAPABILITIES, FakeTryOnGenerator

    router = make_router(emu)
    caps = FAKE_TRY_ON_CAPABILITIES
    assert caps.try_on is not None
    router.register(FakeTryOnGenerator("prompted-tryon", capabilities=attrs.evolve(
        caps, try_on=attrs.evolve(caps.try_on, prompt="optional"))))
    with pytest.raises(UnsupportedOptionError) as err:
        router.try_on(PERSON, SHIRT, category="top", prompt="tucked in", model="nova-canvas")
    assert "takes no text prompt" in str(err.value) and "prompted-tryon" in str(err.value)
    assert emu.requests == []


def test_lenient_mode_drops_the_prompt_with_a_notice(router: tryon.Router, emu: BedrockEmulator) -> None:
    result = router.try_on(PERSON, SHIRT, category="top", prompt="tucked in", model="nova-canvas", strict=False)
    assert "text" not in vto(emu) and "option-dropped" in [w.code for w in result.warnings]


@pytest.mark.parametrize("quality, n, unit", [(None, 1, 0.04), ("premium", 3, 0.06), ("standard", 7, 0.04)])
def test_try_on_estimate_is_the_bill(router: tryon.Router, quality: str | None, n: int, unit: float) -> None:
    options = {"category": "top", "n": n, **({"quality": quality} if quality else {})}
    estimate = router.estimate_try_on(PERSON, SHIRT, model="nova-canvas", **options)
    result = router.try_on(PERSON, SHIRT, model="nova-canvas", **options)
    assert estimate.usd == pytest.approx(unit * n) and result.cost_usd == pytest.approx(unit * n)


def test_a_large_person_is_priced_in_the_2048_band(router: tryon.Router) -> None:
    big = png((1600, 1600))
    estimate = router.estimate_try_on(big, SHIRT, category="top", model="nova-canvas")
    assert estimate.usd == pytest.approx(0.06)
    assert router.try_on(big, SHIRT, category="top", model="nova-canvas").cost_usd == pytest.approx(0.06)
