"""Try-on by composition on GPT-Image, through the real plugin and the openai SDK, against the emulator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from emulated_router import gpt_router
from try_on_images import jeans, person, shirt, torso_mask

import tryon
from tryon.errors import BudgetExceededError, UnsupportedOptionError
from tryon.testing.openai_emulator import OpenAIEmulator


@pytest.fixture
def emu() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as emulator:
        yield emulator


@pytest.fixture
def r(emu: OpenAIEmulator) -> tryon.Router:
    return gpt_router(emu)


def test_try_on_is_a_multi_image_edit_with_the_person_first(r: tryon.Router, emu: OpenAIEmulator) -> None:
    me, top, bottom = person(), shirt(), jeans()
    result = r.try_on(me, [tryon.Garment(top, "top"), tryon.Garment(bottom, "trousers")], model="gpt-image-1.5",
                      size="1024x1536", quality="low", input_fidelity="high", prompt="Keep the sneakers.")
    request = emu.last_request
    assert request.path.endswith("/images/edits")
    assert [f.data for f in request.files["image[]"]] == [me, top, bottom]  # person, then each garment, as given
    prompt = request.params["prompt"]
    assert prompt.startswith("Virtual try-on. Image 1 shows the person. Image 2 shows a top")
    assert "Image 3 shows a pair of long trousers" in prompt and prompt.endswith("Keep the sneakers.")
    assert request.params["input_fidelity"] == "high" and request.params["size"] == "1024x1536"
    assert result.images[0].size == (1024, 1536)
    assert result.images[0].info["operation"] == "try_on"
    assert result.cost_usd is not None and result.cost_usd > 0  # priced from the answer's usage


def test_a_mask_over_the_person_is_sent_as_the_edit_mask(r: tryon.Router, emu: OpenAIEmulator) -> None:
    r.try_on(person(), shirt(), category="top", model="gpt-image-1.5", mask=torso_mask())
    mask = emu.last_request.files["mask"][0].image()
    assert mask.size == (512, 768) and mask.mode == "RGBA"
    assert mask.getpixel((256, 300))[3] == 0 and mask.getpixel((5, 5))[3] == 255  # transparent = change


def test_n_fans_out_and_the_estimate_bounds_the_bill(r: tryon.Router, emu: OpenAIEmulator) -> None:
    options = {"model": "gpt-image-1.5", "n": 12, "quality": "low", "size": "1024x1024"}
    estimate = r.estimate_try_on(person(), shirt(), **options)
    result = r.try_on(person(), shirt(), **options)
    assert len(result.images) == 12 and len(emu.requests_to("/images/edits")) == 2  # 10 per call, then 2
    assert estimate.usd is not None and result.cost_usd is not None and result.cost_usd <= estimate.usd


def test_a_budget_refuses_before_anything_is_sent(r: tryon.Router, emu: OpenAIEmulator) -> None:
    with pytest.raises(BudgetExceededError):
        r.try_on(person(), shirt(), model="gpt-image-1.5", n=10, quality="high", max_cost=0.01)
    assert emu.requests_to("/images/edits") == []


def test_dedicated_try_on_options_are_refused_naming_no_gpt_model(r: tryon.Router, emu: OpenAIEmulator) -> None:
    with pytest.raises(UnsupportedOptionError) as info:
        r.try_on(person(), shirt(), model="gpt-image-1.5", mode="quality", mask_prompt="the shirt")
    assert {p.option for p in info.value.problems} == {"mode", "mask_prompt"}
    assert emu.requests == []
