"""Class 4 of issue 11: bounded work.

A huge ``n`` is refused before anything is allocated or sent (per model via
``Capabilities.max_n``, overall via ``Router(max_n=...)``); a fanned-out request runs at most
``Capabilities.max_concurrent_calls`` calls at once, in as many threads or tasks.
"""

from __future__ import annotations

import asyncio
import threading
import time
import tracemalloc
from typing import Any

import attrs
import pytest

import tryon
from tryon.capabilities import Capabilities
from tryon.errors import InvalidOptionError, UnsupportedOptionError
from tryon.router import DEFAULT_MAX_N
from tryon.testing.fake import FAKE_CAPABILITIES, FakeGenerator

HUGE = [10**9, 10**18, 2**63, 10**6, 20000, 101]
MODELS = ["gpt-image-2.6-sunburst", "flux-2-pro", "gemini-3-pro-image", "flux-kontext-pro"]
NOWHERE = "http://127.0.0.1:9"  # nothing listens there: a request that was sent would fail differently


def _offline_router(**kwargs: Any) -> tryon.Router:
    return tryon.Router(settings={
        "openai": {"api_key": "sk-test-0123456789abcdef", "base_url": NOWHERE + "/v1", "max_retries": 0},
        "bfl": {"api_key": "bfl_test-0123456789abcdef", "base_url": NOWHERE, "max_retries": 0},
        "gemini": {"api_key": "AIza" + "x" * 30, "base_url": NOWHERE, "max_retries": 0},
    }, **kwargs)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("n", HUGE)
@pytest.mark.parametrize("strict", [True, False])
def test_a_huge_n_is_refused_before_any_allocation(model: str, n: int, strict: bool) -> None:
    router = _offline_router()
    tracemalloc.start()
    try:
        with pytest.raises(InvalidOptionError, match=rf"n={n} is more than the {DEFAULT_MAX_N} images"):
            router.generate("a cat", model=model, n=n, strict=strict)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000


@pytest.mark.parametrize("n", HUGE[:3])
def test_estimates_refuse_a_huge_n_too(n: int) -> None:
    with pytest.raises(InvalidOptionError, match="more than"):
        _offline_router().estimate("a cat", model="gpt-image-2.6-sunburst", n=n)


def test_the_overall_cap_is_a_router_setting() -> None:
    gen = FakeGenerator()
    router = tryon.Router(plugins=False, max_n=3)
    router.register(gen)
    assert len(router.generate("x", model=gen.model_id, n=3).images) == 3
    with pytest.raises(InvalidOptionError, match="Router\\(max_n"):
        router.generate("x", model=gen.model_id, n=4)
    for bad in (0, -1, True, 2.5, "10"):
        with pytest.raises(InvalidOptionError):
            tryon.Router(plugins=False, max_n=bad)  # type: ignore[arg-type]


def test_a_model_cap_is_declared_as_data_and_checked_first() -> None:
    caps = attrs.evolve(FAKE_CAPABILITIES, max_n=2)
    gen = FakeGenerator("capped-1", capabilities=caps)
    router = tryon.Router(plugins=False)
    router.register(gen)
    with pytest.raises(UnsupportedOptionError, match="at most 2 images"):
        router.generate("x", model="capped-1", n=3)
    assert gen.requests == []


@pytest.mark.parametrize("bad", [0, -1, True, 1.5])
def test_max_concurrent_calls_is_validated(bad: Any) -> None:
    with pytest.raises(ValueError, match="max_concurrent_calls"):
        Capabilities(max_concurrent_calls=bad)


# --------------------------------------------------------------------------- concurrency


class Counting(FakeGenerator):
    """Counts calls in flight and the threads alive while they run."""

    def __init__(self, limit: int, latency: float = 0.0) -> None:
        caps = attrs.evolve(FAKE_CAPABILITIES, max_images_per_call=1, max_concurrent_calls=limit)
        super().__init__(f"counting-{limit}", capabilities=caps)
        self._delay = latency
        self._lock = threading.Lock()
        self.inflight = self.peak = self.total = 0
        self.peak_threads = 0
        self._cached: Any = None

    def _enter(self) -> None:
        with self._lock:
            self.inflight += 1
            self.total += 1
            self.peak = max(self.peak, self.inflight)
            self.peak_threads = max(self.peak_threads, threading.active_count())

    def _leave(self) -> None:
        with self._lock:
            self.inflight -= 1

    def generate(self, request: Any) -> Any:
        self._enter()
        try:
            if self._delay:
                time.sleep(self._delay)
            if self._cached is None:  # the same small answer every time: the test is about threads
                self._cached = super().generate(request)
            return self._cached
        finally:
            self._leave()


@pytest.mark.parametrize(("limit", "n"), [(1, 5), (4, 60), (2, 17), (8, 33)])
def test_fan_out_runs_at_most_the_declared_number_of_calls(limit: int, n: int) -> None:
    gen = Counting(limit, latency=0.01)
    router = tryon.Router(plugins=False)
    router.register(gen)
    before = threading.active_count()
    gen_result = router.generate("x", model=gen.model_id, n=n, size="64x64")
    assert len(gen_result.images) == n and gen.total == n
    assert gen.peak <= limit and gen.peak_threads <= before + limit


def test_n_20000_does_not_start_hundreds_of_threads() -> None:
    gen = Counting(4)
    router = tryon.Router(plugins=False, max_n=20000)
    router.register(gen)
    before = threading.active_count()
    result = router.generate("x", model=gen.model_id, n=20000, size="64x64")
    assert len(result.images) == 20000 and gen.peak <= 4 and gen.peak_threads <= before + 4


@pytest.mark.parametrize(("limit", "n"), [(4, 60), (3, 10)])
async def test_async_fan_out_starts_only_as_many_tasks_as_workers(limit: int, n: int) -> None:
    gen = Counting(limit, latency=0.01)
    router = tryon.Router(plugins=False)
    router.register(gen)
    tasks_before = len(asyncio.all_tasks())
    peak_tasks = 0

    async def watch() -> None:
        nonlocal peak_tasks
        while True:
            peak_tasks = max(peak_tasks, len(asyncio.all_tasks()))
            await asyncio.sleep(0.002)

    watcher = asyncio.ensure_future(watch())
    try:
        result = await router.agenerate("x", model=gen.model_id, n=n, size="64x64")
    finally:
        watcher.cancel()
    assert len(result.images) == n and gen.peak <= limit
    assert peak_tasks <= tasks_before + 1 + limit + 1  # the watcher, the workers, to_thread's helper


def test_first_party_models_declare_their_concurrency() -> None:
    for info in tryon.Router().models():
        assert 1 <= info.capabilities.max_concurrent_calls <= 8, info.model
