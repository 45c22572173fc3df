"""FLUX virtual try-on (``flux-vto-v1``, ``/v1/flux-tools/vto-v1``) through the router, against the
BFL emulator; the conftest guard validates every body and answer against BFL's vendored OpenAPI
document (the FLUX tools part)."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from tryon_flux import generators
from tryon_flux.generator import vto_prompt

import tryon
from tryon.errors import ContentPolicyError, InvalidOptionError, TryOnError
from tryon.testing.bfl_emulator import BFLEmulator, bfl_openapi
from tryon.vto import Garment

MODEL = "flux-vto-v1"


def picture(size: tuple[int, int], colour: tuple[int, int, int] = (40, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


PERSON, GARMENT = picture((320, 480)), picture((256, 256), (200, 40, 40))


@pytest.fixture
def emu() -> Iterator[BFLEmulator]:
    with BFLEmulator(pending_polls=1) as emulator:
        yield emulator


@pytest.fixture
def router(emu: BFLEmulator) -> tryon.Router:
    r = tryon.Router(plugins=False)
    for gen in generators(api_key="bfl-key", base_url=emu.url, poll_interval=0.001, max_poll_interval=0.01):
        r.register(gen)
    return r


def sent(emu: BFLEmulator) -> dict[str, Any]:
    body = emu.submits[-1].params
    bfl_openapi().validate_request("/v1/flux-tools/vto-v1", body)
    return body


def test_a_try_on_sends_person_garment_and_bfl_s_prompt_formula(router: tryon.Router, emu: BFLEmulator) -> None:
    result = router.try_on(PERSON, Garment(GARMENT, category="jacket"), model=MODEL)
    body = sent(emu)
    assert emu.submits[-1].path == "/v1/flux-tools/vto-v1"
    assert base64.b64decode(body["person"]) == PERSON and base64.b64decode(body["garment"]) == GARMENT
    assert body["prompt"] == ("The person of image 1, maintaining exactly their face and pose, wearing the jacket "
                              "of image 2.")
    assert [n.code for n in result.warnings] == ["prompt-from-template"]
    image = result.images[0]
    assert (image.width, image.height) == (320, 480)  # the person image's size
    assert result.provider == "bfl" and result.usage is not None and result.usage.credits


@pytest.mark.parametrize("category, words", [
    (None, "garments"), ("top", "top"), ("long-sleeve-top", "long sleeve top"), ("bottom", "bottoms"),
    ("one-piece", "one-piece outfit"), ("long-dress", "long dress"), ("shoes", "shoes"), ("hat", "hat"),
])
def test_the_formula_names_the_garment_in_words(category: str | None, words: str) -> None:
    assert vto_prompt(category).endswith(f"wearing the {words} of image 2.")


def test_a_prompt_given_is_sent_as_it_is(router: tryon.Router, emu: BFLEmulator) -> None:
    prompt = "The person of image 1 wearing the oversized tee of image 2, tucked in."
    result = router.try_on(PERSON, GARMENT, model=MODEL, prompt=prompt)
    assert sent(emu)["prompt"] == prompt and not result.warnings


def test_seed_format_and_safety_tolerance_are_sent(router: tryon.Router, emu: BFLEmulator) -> None:
    result = router.try_on(PERSON, GARMENT, model=MODEL, seed=11, output_format="png", safety_tolerance=1)
    body = sent(emu)
    assert (body["seed"], body["output_format"], body["safety_tolerance"]) == (11, "png", 1)
    assert result.images[0].media_type == "image/png" and result.images[0].seed == 11


def test_n_fans_out_into_tasks(router: tryon.Router, emu: BFLEmulator) -> None:
    assert len(router.try_on(PERSON, GARMENT, model=MODEL, n=3).images) == 3
    assert len(emu.submits) == 3


@pytest.mark.parametrize("options", [
    {"mode": "quality"}, {"garment_photo_type": "flat-lay"}, {"mask": picture((320, 480))},
    {"mask_prompt": "the shirt"}, {"size": "1024x1024"}, {"output_format": "gif"}, {"safety_tolerance": 6},
    {"moderation": "low"}, {"steps": 20},
])
def test_what_vto_cannot_honour_is_refused_before_any_call(router: tryon.Router, emu: BFLEmulator,
                                                           options: dict[str, Any]) -> None:
    with pytest.raises((TryOnError, ValueError)):
        router.try_on(PERSON, GARMENT, model=MODEL, **options)
    assert emu.requests == []


def test_one_garment_image_per_call(router: tryon.Router, emu: BFLEmulator) -> None:
    with pytest.raises(TryOnError, match="garment"):
        router.try_on(PERSON, [GARMENT, GARMENT], model=MODEL)
    assert emu.requests == []


def test_moderation_is_a_content_policy_error(router: tryon.Router, emu: BFLEmulator) -> None:
    emu.moderate_next()
    with pytest.raises(ContentPolicyError):
        router.try_on(PERSON, GARMENT, model=MODEL)


def test_the_estimate_bounds_what_the_emulator_bills(router: tryon.Router, emu: BFLEmulator) -> None:
    for person in (PERSON, picture((1500, 2000)), picture((2400, 2400))):
        estimate = router.estimate_try_on(person, GARMENT, model=MODEL)
        result = router.try_on(person, GARMENT, model=MODEL)
        assert estimate.usd is not None and result.cost_usd is not None
        assert result.cost_usd <= estimate.usd + 1e-9
        assert not estimate.upper_bound  # a reseller's price: BFL publishes none


@pytest.mark.parametrize("size", [(1500, 2000), (2400, 2400)])
def test_a_person_above_2_mp_comes_back_at_about_1_mp(router: tryon.Router, size: tuple[int, int]) -> None:
    image = router.try_on(picture(size), GARMENT, model=MODEL).images[0]
    assert 0.9e6 < image.width * image.height <= 1.0e6 + 1


def test_a_person_up_to_2_mp_keeps_its_size(router: tryon.Router) -> None:
    image = router.try_on(picture((1152, 1728)), GARMENT, model=MODEL).images[0]
    assert (image.width, image.height) == (1152, 1728)


def test_the_composition_models_and_vto_mix_in_a_preference_list(router: tryon.Router, emu: BFLEmulator) -> None:
    with pytest.raises(InvalidOptionError):
        router.try_on(PERSON, GARMENT, model=MODEL, seed=True)
    result = router.try_on(PERSON, Garment(GARMENT, "top"), model=[MODEL, "flux-2-pro"])
    assert result.model == MODEL
