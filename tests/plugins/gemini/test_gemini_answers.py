"""Malformed but well-typed generateContent answers: typed errors naming the field, never crashes."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
from answer_shapes import answers
from hypothesis import example, given
from tryon_gemini import generators
from tryon_gemini.response import read_answer

import tryon
from tryon.errors import ContentPolicyError, InvalidResponseError, TryOnError
from tryon.testing.gemini_emulator import GeminiEmulator
from tryon.testing.synth import synth_image

KEYS = {"candidates", "content", "parts", "inlineData", "inline_data", "mimeType", "mime_type", "data", "text",
        "thought", "finishReason", "finishMessage", "promptFeedback", "blockReason", "usageMetadata",
        "promptTokenCount", "candidatesTokenCount", "responseId", "role", "modality", "tokenCount",
        "candidatesTokensDetails", "promptTokensDetails"}
TOP = {"candidates", "promptFeedback", "usageMetadata", "responseId", "modelVersion"}
PNG = base64.b64encode(synth_image(64, 64, "png", transparent=False, seed_text="g")).decode()


def read(answer: Any) -> Any:
    return read_answer(answer, provider="gemini", model="gemini-2.5-flash-image")


def with_parts(parts: Any) -> dict[str, Any]:
    return {"candidates": [{"content": {"parts": parts}, "finishReason": "STOP"}]}


@pytest.mark.parametrize(("answer", "says"), [
    ({"candidates": None}, "candidates is null, expected a list"),
    ({"candidates": 5}, "candidates is a number (5), expected a list"),
    ({"candidates": "x"}, "candidates is a string ('x'), expected a list"),
    ({"candidates": {"a": 1}}, "candidates is an object of 1, expected a list"),
    ({"candidates": [5]}, "candidates[0] is a number (5), expected an object"),
    ({"candidates": [{"content": 5}]}, "candidates[0].content is a number (5), expected an object"),
    (with_parts(5), "candidates[0].content.parts is a number (5), expected a list"),
    (with_parts("abc"), "candidates[0].content.parts is a string ('abc'), expected a list"),
    (with_parts([5]), "candidates[0].content.parts[0] is a number (5), expected an object"),
    (with_parts([{"inlineData": "x"}]), "parts[0].inlineData is a string ('x'), expected an object"),
    (with_parts([{"inlineData": {"mimeType": "image/png", "data": 5}}]), "parts[0].inlineData.data is a number"),
    (with_parts([{"inlineData": {"mimeType": 5, "data": PNG}}]), "parts[0].inlineData.mimeType is a number"),
    (with_parts([{"text": 5}]), "parts[0].text is a number (5), expected a string"),
    (with_parts([{"text": "no picture today"}]), "the model said: 'no picture today'"),
    (with_parts(None), "the answer holds no image (finish reason STOP)"),
])
def test_named_malformed_answers_are_invalid_responses(answer: Any, says: str) -> None:
    with pytest.raises(InvalidResponseError) as err:
        read(answer)
    assert says in str(err.value)


def test_no_candidates_at_all_is_still_a_refusal() -> None:
    for answer in ({}, {"candidates": []}):
        with pytest.raises(ContentPolicyError):
            read(answer)


def test_a_well_formed_answer_still_reads() -> None:
    got = read(with_parts([{"text": "here"}, {"inlineData": {"mimeType": "image/png", "data": PNG}}]))
    assert got.image_b64 == PNG and got.text == "here"


@given(answer=answers(KEYS, TOP))
@example(answer=with_parts([{"inlineData": {"mimeType": "image/png", "data": PNG}}, 5]))
@example(answer={"usageMetadata": {"promptTokenCount": "x", "promptTokensDetails": 5}, **with_parts(
    [{"inlineData": {"mimeType": "image/png", "data": PNG}}])})
def test_any_answer_is_read_or_refused_with_a_typed_error(answer: dict[str, Any]) -> None:
    try:
        got = read(answer)
    except (InvalidResponseError, ContentPolicyError):
        return
    assert isinstance(got.image_b64, str) and got.media_type.startswith("image/")


@pytest.fixture(scope="module")
def emu() -> Iterator[GeminiEmulator]:
    with GeminiEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def router(emu: GeminiEmulator) -> tryon.Router:
    router = tryon.Router(plugins=False, allow_retired=True)  # the emulator still serves the retired models
    for gen in generators(api_key="AIzaTestKey0123456789abcdefghijklmno", base_url=emu.url, max_retries=0):
        router.register(gen)
    return router


@given(answer=answers(KEYS, TOP))
@example(answer=with_parts([{"inlineData": {"mimeType": "image/png", "data": PNG[:300]}}]))
@example(answer=with_parts([{"inlineData": {"mimeType": "image/png", "data": "@@@@"}}]))
def test_over_http_every_malformed_answer_is_a_typed_error(emu: GeminiEmulator, router: tryon.Router,
                                                           answer: dict[str, Any]) -> None:
    emu.reset()
    emu.fail_next(200, body=answer)
    try:
        gen = router.generate("x", model="gemini-2.5-flash-image")
    except TryOnError:
        return
    assert gen.images
