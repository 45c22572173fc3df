"""Malformed but well-typed OpenAI answers, over HTTP through the SDK: typed errors, never crashes."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from typing import Any

import pytest
from answer_shapes import answers
from hypothesis import example, given
from tryon_openai import MODELS, OpenAIImageGenerator

import tryon
from tryon.errors import InvalidResponseError, TryOnError
from tryon.testing.openai_emulator import OpenAIEmulator
from tryon.testing.synth import synth_image

KEYS = {"created", "data", "b64_json", "revised_prompt", "url", "usage", "input_tokens", "output_tokens",
        "total_tokens", "input_tokens_details", "output_tokens_details", "text_tokens", "image_tokens",
        "background", "output_format", "size", "quality"}
TOP = {"created", "data", "usage", "background", "output_format"}
PNG = base64.b64encode(synth_image(1024, 1024, "png", transparent=False, seed_text="ok")).decode()


@pytest.fixture(scope="module")
def emu() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def router(emu: OpenAIEmulator) -> tryon.Router:
    router = tryon.Router(plugins=False, settings={"openai": {
        "base_url": emu.base_url, "api_key": "sk-test-answers", "max_retries": 0, "timeout": 10}})
    router.register(OpenAIImageGenerator("gpt-image-2.6-sunburst", MODELS["gpt-image-2.6-sunburst"]))
    return router


def answer_with(emu: OpenAIEmulator, router: tryon.Router, body: Any) -> tryon.Generation:
    emu.reset()
    emu.fail_next(200, body=body)
    return router.generate("x", model="gpt-image-2.6-sunburst", size="1024x1024")


@pytest.mark.parametrize(("body", "says"), [
    ({"created": 1, "data": "x"}, "data is a string ('x'), expected a list"),
    ({"created": 1, "data": 5}, "data is a number (5), expected a list"),
    ({"created": 1, "data": None}, "holds no images"),
    ({"created": 1, "data": []}, "holds no images"),
    ({"created": 1, "data": [5]}, "data[0] is a number (5), expected an object"),
    ({"created": 1, "data": ["x"]}, "data[0] is a string ('x'), expected an object"),
    ({"created": 1, "data": [{"b64_json": 5}]}, "data[0].b64_json is a number (5), expected a string"),
    ({"created": 1, "data": [{"b64_json": ["a"]}]}, "data[0].b64_json is a list of 1, expected a string"),
    ({"created": 1, "data": [{"b64_json": None}]}, "data[0].b64_json is empty"),
    ({"created": 1, "data": [{"b64_json": "!!!"}]}, "not an image"),
    ({"created": 1, "data": [{"b64_json": PNG[:2000]}]}, "truncated"),
    ({"created": 1, "data": [{"url": "https://example.com/x.png"}]}, "data[0].b64_json is empty"),
])
def test_named_malformed_answers_are_invalid_responses(emu: OpenAIEmulator, router: tryon.Router, body: Any,
                                                       says: str) -> None:
    with pytest.raises(InvalidResponseError) as err:
        answer_with(emu, router, body)
    assert says in str(err.value)
    assert len(emu.requests) == 1


@pytest.mark.parametrize("usage", [{"input_tokens": "many"}, 5, "x", [1], {"input_tokens_details": 7},
                                   {"output_tokens": -1, "total_tokens": True}])
def test_a_malformed_usage_never_costs_the_image(emu: OpenAIEmulator, router: tryon.Router, usage: Any) -> None:
    gen = answer_with(emu, router, {"created": 1, "data": [{"b64_json": PNG, "revised_prompt": 7}], "usage": usage})
    assert len(gen.images) == 1 and gen.images[0].revised_prompt is None
    assert gen.usage is None or all(isinstance(v, int) and v >= 0 for v in gen.usage.to_dict().values())


@given(body=answers(KEYS, TOP))
@example(body={"data": [{"b64_json": PNG}], "usage": {"input_tokens": 1.5}})
def test_any_malformed_answer_is_a_typed_error_or_a_checked_result(
        emu: OpenAIEmulator, router: tryon.Router, body: dict[str, Any]) -> None:
    try:
        gen = answer_with(emu, router, body)
    except TryOnError:
        return
    assert len(gen.images) == 1 and gen.images[0].size == (1024, 1024)


@pytest.mark.parametrize(("event", "says"), [
    ({"type": "image_generation.partial_image", "partial_image_index": "x", "b64_json": PNG},
     "partial_image_index is a string ('x'), expected a whole number"),
    ({"type": "image_generation.partial_image", "partial_image_index": True, "b64_json": PNG},
     "partial_image_index is a boolean"),
    ({"type": "image_generation.partial_image", "partial_image_index": 0, "b64_json": 5}, "b64_json is a number"),
])
def test_malformed_stream_events_are_invalid_responses(event: dict[str, Any], says: str) -> None:
    gen = OpenAIImageGenerator("gpt-image-2.6-sunburst", MODELS["gpt-image-2.6-sunburst"])
    with pytest.raises(InvalidResponseError, match=re.escape(says)):
        gen._event(event, [])


@pytest.mark.parametrize("event", [{"type": 5}, {"type": None}, {}, {"type": "image_generation.other"}, 5, "x"])
def test_unknown_stream_events_are_ignored(event: Any) -> None:
    gen = OpenAIImageGenerator("gpt-image-2.6-sunburst", MODELS["gpt-image-2.6-sunburst"])
    assert gen._event(event, []) is None


@pytest.mark.parametrize(("finals", "says"), [
    ([], "without a completed image"), ([{"b64_json": 5}], "b64_json is a number"),
    ([{"b64_json": None}], "empty"), ([{"b64_json": PNG, "usage": "x"}, {"b64_json": []}], "a list of 0"),
])
def test_malformed_completed_events_are_invalid_responses(finals: list[Any], says: str) -> None:
    gen = OpenAIImageGenerator("gpt-image-2.6-sunburst", MODELS["gpt-image-2.6-sunburst"])
    with pytest.raises(InvalidResponseError, match=re.escape(says)):
        gen._final(finals)
