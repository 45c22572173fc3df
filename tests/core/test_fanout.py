"""Fan-out: ``n`` beyond one call is split into concurrent calls and merged (sync and async paths)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from emulated_router import gpt_router

import tryon
from tryon import fanout
from tryon.testing.fake import FakeGenerator
from tryon.testing.openai_emulator import OpenAIEmulator
from tryon.testing.synth import synth_image

MODEL = "gpt-image-2.6-sunburst"  # 10 images per call
PROMPT = "A leather handbag, studio lighting"


@pytest.fixture
def emu() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as emulator:
        yield emulator


def _run(router: tryon.Router, mode: str, **options: Any) -> tryon.Generation:
    if mode == "sync":
        return router.generate(PROMPT, model=MODEL, **options)
    return asyncio.run(router.agenerate(PROMPT, model=MODEL, **options))


MODES = pytest.mark.parametrize("mode", ["sync", "async"])


def test_split() -> None:
    assert fanout.split(25, 10) == [10, 10, 5]
    assert fanout.split(20, 10) == [10, 10]
    assert fanout.split(3, 10) == [3]
    assert fanout.split(1, 1) == [1]


@MODES
def test_n25_makes_three_calls_merged_in_call_order(emu: OpenAIEmulator, mode: str) -> None:
    router = gpt_router(emu)
    gen = _run(router, mode, n=25, quality="low", output_format="jpeg", size="1024x1024")

    seen = emu.requests_to("/images/generations")
    assert sorted(r.params.get("n", 1) for r in seen) == [5, 10, 10]
    assert len(gen.images) == 25
    assert [img.index for img in gen.images] == list(range(25))
    # The emulator renders image i of a call from (model, prompt, i): calls of 10, 10 then 5
    # give renders 0-9, 0-9, 0-4 in that order, whatever order the calls finished in.
    expected = [synth_image(1024, 1024, "jpeg", transparent=False, seed_text=f"{MODEL}|{PROMPT}|{i}")
                for i in [*range(10), *range(10), *range(5)]]
    assert [img.data for img in gen.images] == expected
    # request ids are listed in call order: the last one is the call of 5
    by_id = {r.request_id: r.params.get("n", 1) for r in seen}
    assert [by_id[rid] for rid in gen.request_ids] == [10, 10, 5]
    assert all(img.info["prompt"] == PROMPT for img in gen.images)


@MODES
def test_usage_and_cost_are_summed(emu: OpenAIEmulator, mode: str) -> None:
    router = gpt_router(emu)
    parts = [router.generate(PROMPT, model=MODEL, n=k, quality="low", output_format="jpeg")
             for k in (10, 10, 5)]
    gen = _run(router, mode, n=25, quality="low", output_format="jpeg")

    assert gen.usage == parts[0].usage + parts[1].usage + parts[2].usage  # type: ignore[operator]
    assert gen.usage is not None and gen.usage.output_image_tokens == 25 * 217  # the GPT image 2 table, low 1024x1024
    assert gen.cost_usd == pytest.approx(sum(p.cost_usd or 0.0 for p in parts))


def test_merge_joins_warnings_once_in_order() -> None:
    fake = FakeGenerator()
    one, two, three = (tryon.Notice(code, code) for code in ("size-adjusted", "option-dropped", "note"))
    parts = [fake._result(tryon.GenerateRequest(prompt="p", n=2)).with_warnings(w)
             for w in ([one], [one, two], [three])]
    merged = fanout.merge(parts)
    assert merged.warnings == (one, two, three)
    assert len(merged.images) == 6 and [i.index for i in merged.images] == list(range(6))


@MODES
def test_lenient_notice_appears_once_on_a_fanned_out_result(emu: OpenAIEmulator, mode: str) -> None:
    router = gpt_router(emu)
    gen = _run(router, mode, n=25, quality="low", output_format="jpeg", size="1000x1000", strict=False)
    assert len(emu.requests) == 3
    assert all(r.params["size"] == "1024x1024" for r in emu.requests)
    codes = [w.code for w in gen.warnings]
    assert codes.count("size-adjusted") == 1, codes


@MODES
def test_one_failed_call_raises_partial_result_with_the_finished_images(emu: OpenAIEmulator,
                                                                         mode: str) -> None:
    router = gpt_router(emu, max_retries=0)
    emu.fail_next(500)
    with pytest.raises(tryon.PartialResultError) as info:
        _run(router, mode, n=30, quality="low", output_format="jpeg")

    err = info.value
    assert len(emu.requests) == 3
    assert len(err.errors) == 1 and isinstance(err.errors[0], tryon.ServiceUnavailableError)
    assert len(err.generation.images) == 20
    assert [img.index for img in err.generation.images] == list(range(20))
    assert err.generation.usage is not None and err.generation.usage.output_image_tokens == 20 * 217
    assert err.generation.cost_usd is not None and err.generation.cost_usd > 0
    # the kept images are finished like any result: they carry the request's metadata
    assert all(img.info["prompt"] == PROMPT for img in err.generation.images)
    assert "20 image(s) succeeded" in str(err)


@MODES
def test_every_call_failing_raises_the_typed_error(emu: OpenAIEmulator, mode: str) -> None:
    router = gpt_router(emu, max_retries=0)
    emu.fail_next(429, times=3, retry_after=7)
    with pytest.raises(tryon.RateLimitError) as info:
        _run(router, mode, n=25, quality="low")
    assert not isinstance(info.value, tryon.PartialResultError)
    assert info.value.retry_after == 7
    assert len(emu.requests) == 3


@MODES
def test_single_call_failure_is_not_wrapped(emu: OpenAIEmulator, mode: str) -> None:
    router = gpt_router(emu, max_retries=0)
    emu.fail_next(500)
    with pytest.raises(tryon.ServiceUnavailableError):
        _run(router, mode, n=4)
    assert len(emu.requests) == 1


def test_fake_generator_partial_failure_keeps_call_order() -> None:
    fake = FakeGenerator(latency=0.05)  # 4 images per call
    router = tryon.Router(plugins=False)
    router.register(fake)
    fake.fail_next(tryon.ContentPolicyError("blocked", provider="fake"))
    with pytest.raises(tryon.PartialResultError) as info:
        router.generate("p", model="fake-image-1", n=10)
    assert sorted(r.n for r in fake.requests) == [2, 4, 4]
    assert isinstance(info.value.errors[0], tryon.ContentPolicyError)
    assert len(info.value.generation.images) in (6, 8)
