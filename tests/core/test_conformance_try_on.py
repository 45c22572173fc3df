"""The conformance kit on a dedicated try-on model over HTTP (the test provider of dressup_provider.py),
and the dedicated path of the router end to end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dressup_provider import DressUpEmulator, DressUpTryOn
from try_on_images import person, shirt

import tryon
from tryon.testing.conformance import GeneratorConformance

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
        models = ["dressup-1", "gpt-image-2.6-sunburst"]
        shoes = router.try_on(person(), shirt(), category="shoes", model=models, quality="low")
        top = router.try_on(person(), shirt(), category="top", model=models, mode="quality")
        dressup.fail_next(503, times=5, retry_after=0)  # a retryable failure falls through to the next model
        fell = router.try_on(person(), shirt(), category="top", model=models)
    assert shoes.model == "gpt-image-2.6-sunburst" and "category 'shoes'" in shoes.skipped[0].reason
    assert top.model == "dressup-1" and top.skipped == ()
    assert fell.model == "gpt-image-2.6-sunburst" and fell.skipped[0].reason.startswith("failed: ")
    assert len(openai_emu.requests_to("/images/edits")) == 2
