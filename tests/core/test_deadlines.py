"""Class 2 of issue 11: bounded waits.

A server that dribbles one byte every half second, or sends its headers that slowly, never
trips a per-read timeout; the overall deadline of every provider call (OpenAI through its
SDK, FLUX and Gemini through the core session) and of every URL fetch ends it, redirects
included. A server-requested wait above the cap fails at once as retryable, saying why.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from slow_server import Behaviour, SlowServer

import tryon
from tryon import http
from tryon.deadline import Deadline
from tryon.errors import InvalidInputError, ProviderTimeoutError, RateLimitError
from tryon.media import URLFetcher

JSON = {"Content-Type": "application/json"}
SLOW = {
    "dribbled-body": lambda body: Behaviour(200, JSON, body, body_gap=0.5),
    "slow-headers": lambda body: Behaviour(200, JSON, body, header_gap=0.5),
    "dribbled-body-no-length": lambda body: Behaviour(200, JSON, body, body_gap=0.5, content_length=False),
}
BODY = b'{"data": [{"b64_json": "AAAA"}], "candidates": []}' + b" " * 64


@pytest.fixture
def slow() -> Iterator[SlowServer]:
    with SlowServer() as server:
        yield server


def _quick(started: float, limit: float = 3.0) -> None:
    assert time.monotonic() - started < limit


# --------------------------------------------------------------------------- URL fetches


@pytest.mark.parametrize("kind", sorted(SLOW))
def test_a_slow_download_ends_at_the_overall_deadline(kind: str, slow: SlowServer) -> None:
    slow.routes["/img.png"] = SLOW[kind](b"\x89PNG" + b"x" * 200)
    started = time.monotonic()
    with pytest.raises(InvalidInputError, match=r"longer than 0\.8s"):
        URLFetcher(allow_private=True, retries=2, timeout=(5, 5), total_timeout=0.8).fetch(slow.url("/img.png"))
    _quick(started)


def test_the_deadline_covers_every_redirect_hop(slow: SlowServer) -> None:
    for i in range(4):  # each hop answers slowly, but within any per-read timeout
        slow.routes[f"/hop{i}"] = Behaviour(302, {"Location": f"/hop{i + 1}"}, b"", header_gap=0.004)
    slow.routes["/hop4"] = Behaviour(200, {}, b"x" * 50, body_gap=0.5)
    started = time.monotonic()
    with pytest.raises(InvalidInputError, match=r"longer than 1\.0s"):
        URLFetcher(allow_private=True, retries=0, timeout=(5, 5), total_timeout=1.0).fetch(slow.url("/hop0"))
    _quick(started)


# --------------------------------------------------------------------------- the core's send


@pytest.mark.parametrize("kind", sorted(SLOW))
def test_send_ends_at_its_deadline(kind: str, slow: SlowServer) -> None:
    slow.routes["/api"] = SLOW[kind](BODY)
    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError, match="deadline") as err:
        http.send(http.shared_session(retries=3), "GET", slow.url("/api"), provider="t", timeout=(5, 5),
                  deadline=0.8)
    assert err.value.retryable
    _quick(started)


def test_an_enclosing_deadline_bounds_retries_and_their_waits(slow: SlowServer) -> None:
    slow.routes["/api"] = Behaviour(503, {"Retry-After": "5"}, b"{}")
    started = time.monotonic()
    with Deadline(1.0, "the test"), pytest.raises(tryon.ProviderError):
        http.send(http.shared_session(retries=5), "GET", slow.url("/api"), provider="t")
    _quick(started, 2.0)


RETRY_AFTER = ["86400", "3601", "61", "1e9", "Fri, 31 Dec 2100 23:59:59 GMT", "Wed, 21 Oct 2099 07:28:00 GMT"]


@pytest.mark.parametrize("value", RETRY_AFTER)
def test_a_wait_above_the_cap_fails_at_once_as_retryable(value: str, slow: SlowServer) -> None:
    slow.routes["/api"] = Behaviour(429, {"Retry-After": value}, b'{"error": {"message": "slow down"}}')
    started = time.monotonic()
    with pytest.raises(RateLimitError, match="longer than the 60s tryon waits") as err:
        http.send(http.shared_session(retries=3), "POST", slow.url("/api"), provider="t")
    assert err.value.retryable and err.value.retry_after is not None and err.value.retry_after > 60
    assert slow.hits["/api"] == 1
    _quick(started, 2.0)


@pytest.mark.parametrize("millis", ["86400000", "61000"])
def test_a_retry_after_ms_above_the_cap_fails_at_once(millis: str, slow: SlowServer) -> None:
    slow.routes["/api"] = Behaviour(429, {"retry-after-ms": millis}, b"{}")
    with pytest.raises(RateLimitError, match="longer than the 60s"):
        http.send(http.shared_session(retries=3), "GET", slow.url("/api"), provider="t")
    assert slow.hits["/api"] == 1


def test_the_cap_is_configurable(slow: SlowServer, monkeypatch: pytest.MonkeyPatch) -> None:
    slow.routes["/api"] = Behaviour(429, {"Retry-After": "2"}, b"{}")
    try:
        http.set_max_retry_after(1)
        with pytest.raises(RateLimitError, match="longer than the 1s"):
            http.send(http.shared_session(retries=3), "GET", slow.url("/api"), provider="t")
        assert slow.hits["/api"] == 1
    finally:
        http.set_max_retry_after(None)
    monkeypatch.setenv(http.MAX_RETRY_AFTER_ENV, "5")
    assert http.max_retry_after() == 5.0
    with pytest.raises(tryon.InvalidOptionError):
        http.set_max_retry_after(-1)


# --------------------------------------------------------------------------- every provider


def _openai_router(slow: SlowServer, **extra: object) -> tryon.Router:
    settings = {"base_url": slow.base_url + "/v1", "api_key": "sk-test-0123456789abcdef", "timeout": 5,
                "max_retries": 2, "deadline": 0.8, **extra}
    return tryon.Router(settings={"openai": settings})


@pytest.mark.parametrize("kind", sorted(SLOW))
def test_openai_calls_end_at_their_deadline(kind: str, slow: SlowServer) -> None:
    slow.routes["/v1/images/generations"] = SLOW[kind](BODY)
    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError, match="deadline"):
        _openai_router(slow).generate("x", model="gpt-image-2.6-sunburst")
    _quick(started)
    assert slow.hits["/v1/images/generations"] == 1  # a passed deadline is not retried


@pytest.mark.parametrize("kind", sorted(SLOW))
async def test_async_openai_calls_end_at_their_deadline(kind: str, slow: SlowServer) -> None:
    slow.routes["/v1/images/generations"] = SLOW[kind](BODY)
    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError, match="deadline"):
        await _openai_router(slow).agenerate("x", model="gpt-image-2.6-sunburst")
    _quick(started)


def test_openai_day_long_retry_after_fails_at_once(slow: SlowServer) -> None:
    slow.routes["/v1/images/generations"] = Behaviour(429, {"Retry-After": "86400", **JSON},
                                                     b'{"error": {"message": "slow down"}}')
    started = time.monotonic()
    with pytest.raises(RateLimitError, match="asked to wait 86400s"):
        _openai_router(slow, deadline=None).generate("x", model="gpt-image-2.6-sunburst")
    _quick(started)


@pytest.mark.parametrize("kind", sorted(SLOW))
def test_gemini_calls_end_at_their_deadline(kind: str, slow: SlowServer) -> None:
    slow.routes["/v1beta/models/gemini-3-pro-image:generateContent"] = SLOW[kind](BODY)
    router = tryon.Router(settings={"gemini": {"base_url": slow.base_url, "api_key": "AIza" + "x" * 30,
                                               "timeout": 5, "deadline": 0.8, "max_retries": 2}})
    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError, match="deadline"):
        router.generate("x", model="gemini-3-pro-image")
    _quick(started)


def test_a_day_long_retry_after_does_not_park_a_batch(tmp_path: Path) -> None:
    import json

    from emulated_router import gpt_router

    from tryon.batch import run_batch
    from tryon.testing.openai_emulator import OpenAIEmulator

    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("".join(json.dumps({"prompt": f"shot {i}", "options": {"quality": "low"}}) + "\n"
                            for i in range(3)))
    with OpenAIEmulator() as emu:
        emu.fail_next(429, retry_after=86400)
        try:
            http.set_max_retry_after(0.3)  # the cap bounds the batch's shared cool-down too
            started = time.monotonic()
            summary = run_batch(jobs, tmp_path / "out", router=gpt_router(emu, max_retries=0), retries=2,
                                concurrency=2)
        finally:
            http.set_max_retry_after(None)
    assert (summary.succeeded, summary.failed) == (3, 0)
    _quick(started, 5.0)


SSE = (b'event: image_generation.partial_image\ndata: {"type": "image_generation.partial_image", '
       b'"b64_json": "AAAA", "partial_image_index": 0}\n\n' + b": keep-alive\n" * 40)


@pytest.mark.parametrize("gap", ["body_gap", "header_gap"])
def test_an_openai_stream_ends_at_its_deadline(gap: str, slow: SlowServer) -> None:
    slow.routes["/v1/images/generations"] = Behaviour(200, {"Content-Type": "text/event-stream"}, SSE,
                                                     content_length=False, **{gap: 0.02 if gap == "header_gap"
                                                                             else 0.5})
    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError, match="deadline"):
        for _ in _openai_router(slow).stream("x", model="gpt-image-2.6-sunburst", partial_images=1):
            pass
    _quick(started)


async def test_an_async_openai_stream_ends_at_its_deadline(slow: SlowServer) -> None:
    slow.routes["/v1/images/generations"] = Behaviour(200, {"Content-Type": "text/event-stream"}, SSE,
                                                     content_length=False, body_gap=0.5)
    started = time.monotonic()
    with pytest.raises(ProviderTimeoutError, match="deadline"):
        async for _ in _openai_router(slow).astream("x", model="gpt-image-2.6-sunburst", partial_images=1):
            pass
    _quick(started)
