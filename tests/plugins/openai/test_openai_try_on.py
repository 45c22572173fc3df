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
    result = r.try_on(me, [tryon.Garment(top, "top"), tryon.Garment(bottom, "trousers")],
                      model="gpt-image-2.6-sunburst", size="1024x1536", quality="low", prompt="Keep the sneakers.")
    request = emu.last_request
    assert request.path.endswith("/images/edits")
    assert [f.data for f in request.files["image[]"]] == [me, top, bottom]  # person, then each garment, as given
    prompt = request.params["prompt"]
    assert prompt.startswith("Virtual try-on. Image 1 shows the person. Image 2 shows a top")
    assert "Image 3 shows a pair of long trousers" in prompt and prompt.endswith("Keep the sneakers.")
    assert "input_fidelity" not in request.params and request.params["size"] == "1024x1536"
    assert result.images[0].size == (1024, 1536)
    assert result.images[0].info["operation"] == "try_on"
    assert result.cost_usd is not None and result.cost_usd > 0  # priced from the answer's usage


def test_a_mask_over_the_person_is_sent_as_the_edit_mask(r: tryon.Router, emu: OpenAIEmulator) -> None:
    r.try_on(person(), shirt(), category="top", model="gpt-image-2.6-sunburst", mask=torso_mask())
    mask = emu.last_request.files["mask"][0].image()
    assert mask.size == (512, 768) and mask.mode == "RGBA"
    assert mask.getpixel((256, 300))[3] == 0 and mask.getpixel((5, 5))[3] == 255  # transparent = change


def test_n_fans_out_and_the_estimate_bounds_the_bill(r: tryon.Router, emu: OpenAIEmulator) -> None:
    options = {"model": "gpt-image-2.6-sunburst", "n": 12, "quality": "low", "size": "1024x1024"}
    estimate = r.estimate_try_on(person(), shirt(), **options)
    result = r.try_on(person(), shirt(), **options)
    assert len(result.images) == 12 and len(emu.requests_to("/images/edits")) == 2  # 10 per call, then 2
    assert estimate.usd is not None and result.cost_usd is not None and result.cost_usd <= estimate.usd


def test_a_budget_refuses_before_anything_is_sent(r: tryon.Router, emu: OpenAIEmulator) -> None:
    with pytest.raises(BudgetExceededError):
        r.try_on(person(), shirt(), model="gpt-image-2.6-sunburst", n=10, quality="high", max_cost=0.01)
    assert emu.requests_to("/images/edits") == []


def test_dedicated_try_on_options_are_refused_naming_no_gpt_model(r: tryon.Router, emu: OpenAIEmulator) -> None:
    with pytest.raises(UnsupportedOptionError) as info:
        r.try_on(person(), shirt(), model="gpt-image-2.6-sunburst", mode="quality", mask_prompt="the shirt")
    assert {p.option for p in info.value.problems} == {"mode", "mask_prompt"}
    assert emu.requests == []


def test_async_try_on_uses_the_plugins_native_async_edit(r: tryon.Router, emu: OpenAIEmulator,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from tryon_openai import OpenAIImageGenerator

    calls: list[str] = []
    original = OpenAIImageGenerator.aedit

    async def spy(self: OpenAIImageGenerator, request: tryon.EditRequest) -> tryon.Generation:
        calls.append(request.prompt)
        return await original(self, request)

    monkeypatch.setattr(OpenAIImageGenerator, "aedit", spy)
    result = asyncio.run(r.atry_on(person(), shirt(), category="top", model="gpt-image-2.6-sunburst", n=11,
                                   quality="low"))
    assert len(result.images) == 11 and len(calls) == 2  # 10 per call, then 1: both through aedit
    assert all(c.startswith("Virtual try-on. Image 1 shows the person.") for c in calls)


def test_models_lists_the_try_on_models(openai_emulator: OpenAIEmulator) -> None:
    from click.testing import CliRunner

    from tryon.cli.app import build_cli

    result = CliRunner().invoke(build_cli(), ["models", "--supports", "try_on", "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    import json

    models = {m["model"] for m in json.loads(result.stdout)}
    assert "gpt-image-2.6-sunburst" in models and "gemini-3-pro-image" in models and "flux-pro-1.0-fill" not in models
