"""Malformed but well-typed BFL answers (submit and polling), over HTTP: typed errors, never crashes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from answer_shapes import answers
from hypothesis import example, given
from tryon_flux import generators

import tryon
from tryon.errors import InvalidResponseError, TryOnError
from tryon.testing.bfl_emulator import BFLEmulator

KEYS = {"id", "polling_url", "cost", "status", "result", "sample", "seed", "details", "progress", "prompt",
        "input_mp", "output_mp"}
SUBMIT = {"id", "polling_url", "cost", "input_mp", "output_mp"}
POLL = {"id", "status", "result", "details", "progress"}
SETTINGS = {"api_key": "bfl_test-key-0123456789abcdef", "poll_interval": 0.001, "max_poll_interval": 0.005,
            "timeout": 10, "max_retries": 0, "deadline": 2.0}


@pytest.fixture(scope="module")
def emu() -> Iterator[BFLEmulator]:
    with BFLEmulator() as emulator:
        yield emulator


@pytest.fixture(scope="module")
def router(emu: BFLEmulator) -> tryon.Router:
    router = tryon.Router(plugins=False)
    for gen in generators(base_url=emu.url, **SETTINGS):
        router.register(gen)
    return router


def submit_answers(emu: BFLEmulator, router: tryon.Router, body: Any) -> tryon.Generation:
    emu.reset()
    emu.fail_next(200, body=body)
    return router.generate("x", model="flux-2-pro", size="1024x1024")


def poll_answers(emu: BFLEmulator, router: tryon.Router, body: Any) -> tryon.Generation:
    emu.reset()
    emu.slow_next(0.0)  # the submit is answered normally ...
    emu.fail_next(200, body=body)  # ... the first poll with *body*
    return router.generate("x", model="flux-2-pro", size="1024x1024")


@pytest.mark.parametrize(("body", "says"), [
    ("x", "not JSON"), ('"x"', "not a JSON object"), ([1], "not a JSON object"), (5, "not a JSON object"),
    ({"id": 5}, "no task id"), ({"id": None}, "no task id"), ({"id": ["a"]}, "no task id"),
    ({"id": "t", "polling_url": "http://10.0.0.1/x"}, "polling"),
])
def test_named_malformed_submit_answers(emu: BFLEmulator, router: tryon.Router, body: Any, says: str) -> None:
    with pytest.raises(InvalidResponseError, match=says):
        submit_answers(emu, router, body)


@pytest.mark.parametrize(("body", "says"), [
    ({"status": 5}, "no status"), ({"status": None}, "no status"), ({}, "no status"),
    ({"status": "Ready"}, "no result image URL"), ({"status": "Ready", "result": "x"}, "no result image URL"),
    ({"status": "Ready", "result": {"sample": 5}}, "no result image URL"),
    ({"status": "Ready", "result": {"sample": ["u"]}}, "no result image URL"),
    ({"status": "Ready", "result": {"sample": "ftp://x/y.png"}}, "not an http"),
])
def test_named_malformed_poll_answers(emu: BFLEmulator, router: tryon.Router, body: Any, says: str) -> None:
    with pytest.raises(InvalidResponseError, match=says):
        poll_answers(emu, router, body)


@given(body=answers(KEYS, SUBMIT))
@example(body={"id": "t1", "cost": "lots", "polling_url": 5})
def test_any_submit_answer_is_a_typed_error_or_an_image(emu: BFLEmulator, router: tryon.Router,
                                                       body: dict[str, Any]) -> None:
    try:
        gen = submit_answers(emu, router, body)
    except TryOnError:
        return
    assert gen.images


@given(body=answers(KEYS, POLL))
@example(body={"status": "Ready", "result": {"sample": None, "seed": "x"}})
@example(body={"status": "Error", "details": {"a": [1, 2]}})
def test_any_poll_answer_is_a_typed_error_or_an_image(emu: BFLEmulator, router: tryon.Router,
                                                     body: dict[str, Any]) -> None:
    try:
        gen = poll_answers(emu, router, body)
    except TryOnError:
        return
    assert gen.images
