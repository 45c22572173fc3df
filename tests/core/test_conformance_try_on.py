"""The conformance kit on a dedicated try-on model over HTTP (the test provider of dressup_provider.py),
and the dedicated path of the router end to end."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from dressup_provider import DressUpEmulator, DressUpTryOn
from try_on_images import person, shirt

import tryon
from tryon.testing.conformance import GeneratorConformance
from tryon.testing.conformance_try_on import TryOnRequirements

KEY = "dressup-test-key-0123456789"


def make_router(emulator: DressUpEmulator) -> tryon.Router:
    router = tryon.Router(plugins=False)
    router.register(DressUpTryOn(api_key=KEY, base_url=emulator.url))
    return router


class TestDressUpConformance(GeneratorConformance):
    require_provenance = True

    @pytest.fixture
    def model(self) -> str:
        return "dressup-1"

    @pytest.fixture
    def emulator(self) -> Iterator[DressUpEmulator]:
        with DressUpEmulator() as emu:
            yield emu

    @pytest.fixture
    def router(self, emulator: DressUpEmulator) -> tryon.Router:
        return make_router(emulator)

    def sent_try_on_words(self, emulator: DressUpEmulator, generator: Any) -> dict[str, Any]:
        body = emulator.requests[-1].params
        return {"category": body.get("category"), "mode": body.get("mode"),
                "photo_type": body.get("garment_photo_type")}


class _Careless(DressUpTryOn):
    """A plugin that declares FASHN-like words but never sends the mode or photo type."""

    def try_on(self, request: tryon.TryOnRequest) -> tryon.Generation:
        return super().try_on(request.replace(mode=None, garment_photo_type=None))


def test_the_kit_fails_a_plugin_that_does_not_send_the_mapped_words() -> None:
    kit = TestDressUpConformance()
    with DressUpEmulator() as emu:
        generator = _Careless(api_key=KEY, base_url=emu.url)
        router = tryon.Router(plugins=False)
        router.register(generator)
        requirements = TryOnRequirements(generator.capabilities, generator.model_id)
        with pytest.raises(AssertionError, match="mode: sent None"):
            kit.test_try_on_takes_each_declared_mode_and_photo_type(router, generator, requirements, emu)
        kit.test_try_on_takes_each_declared_category(router, generator, requirements, emu)  # categories are sent


def test_the_kit_checks_a_missing_mask_a_stray_mask_and_a_missing_prompt() -> None:
    caps = DressUpTryOn().capabilities
    needy = attrs.evolve(caps, try_on=attrs.evolve(caps.try_on, mask_modes={"prompt"}, prompt="required"))
    cases = TryOnRequirements(needy, "needy").unsupported_options(b"garment", b"mask")
    assert ("mask", {"mask": b"mask", "mask_prompt": None}) in cases  # mask= without mask mode image
    assert ("mask", {"mask": None, "mask_prompt": None}) in cases  # no mask without mask mode auto
    assert ("prompt", {"prompt": ""}) in cases  # no prompt where one is required


def test_the_provider_words_reach_the_service_and_credits_are_priced() -> None:
    with DressUpEmulator() as emu:
        router = make_router(emu)
        result = router.try_on(person(), shirt(), category="jacket", model="dressup-1", mode="quality",
                               garment_photo_type="worn", n=6, seed=4)
        bodies = [r.params for r in emu.requests]
        estimate = router.estimate_try_on(person(), shirt(), model="dressup-1", mode="quality", n=6)
    assert len(result.images) == 6 and result.images[0].size == (512, 768)
    assert sorted(b["num_samples"] for b in bodies) == [2, 4]
    assert {(b["category"], b["mode"], b["garment_photo_type"]) for b in bodies} == {("tops", "quality", "model")}
    assert result.cost_usd == pytest.approx(6 * 0.075)  # the credits the answers report
    assert estimate.usd == pytest.approx(6 * 2 * 0.075)  # the quality mode's row of the price table


def test_a_preference_list_of_a_dedicated_and_a_composition_model_over_http() -> None:
    from emulated_router import gpt_router

    from tryon.testing.openai_emulator import OpenAIEmulator

    with DressUpEmulator() as dressup, OpenAIEmulator() as openai_emu:
        router = gpt_router(openai_emu)
        router.register(DressUpTryOn(api_key=KEY, base_url=dressup.url))
        models = ["dressup-1", "gpt-image-1.5"]
        shoes = router.try_on(person(), shirt(), category="shoes", model=models, quality="low")
        top = router.try_on(person(), shirt(), category="top", model=models, mode="quality")
        dressup.fail_next(503, times=5, retry_after=0)  # a retryable failure falls through to the next model
        fell = router.try_on(person(), shirt(), category="top", model=models)
    assert shoes.model == "gpt-image-1.5" and "category 'shoes'" in shoes.skipped[0].reason
    assert top.model == "dressup-1" and top.skipped == ()
    assert fell.model == "gpt-image-1.5" and fell.skipped[0].reason.startswith("failed: ")
    assert len(openai_emu.requests_to("/images/edits")) == 2
