"""Issue 11 for FLUX: the key never travels to a polling URL on another host (however it is
spelt), every HTTP call of a task ends within the task's deadline, and ``n`` is fanned out
with bounded concurrency."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from slow_server import Behaviour, SlowServer
from tryon_flux import generators
from tryon_flux.hosts import polling_problem

import tryon
from tryon.errors import InvalidResponseError, ProviderTimeoutError
from tryon.testing.bfl_emulator import BFLEmulator
from tryon.testing.server import EmulatorServer, Response

KEY = "bfl_test-key-0123456789abcdef"
FAST = {"poll_interval": 0.001, "max_poll_interval": 0.005, "timeout": 10, "max_retries": 0}


def make_router(base_url: str, **settings: Any) -> tryon.Router:
    router = tryon.Router(plugins=False)
    for gen in generators(**{"api_key": KEY, "base_url": base_url, **FAST, **settings}):
        router.register(gen)
    return router


@pytest.fixture
def emu() -> Iterator[BFLEmulator]:
    with BFLEmulator() as emulator:
        yield emulator


# {E} = the emulator's port, {O} = another local server's port
POLLING_ORIGINS = [
    "http://127.0.0.1:{O}",
    "http://localhost:{E}",
    "http://127.0.0.1:{E}\\@127.0.0.1:{O}",
    "http://127.0.0.1:{O}\\@127.0.0.1:{E}",
    "http://user@127.0.0.1:{E}",
    "http://127.0.0.1:{E}@127.0.0.1:{O}",
    "http://2130706433:{E}",
    "http://[::ffff:127.0.0.1]:{E}",
    "https://127.0.0.1:{E}",
    "http://127.0.0.1:{E}\t",
    "http://127.0.0.1.:{O}",
    "ftp://127.0.0.1:{E}",
]


@pytest.mark.parametrize("origin", POLLING_ORIGINS)
def test_the_key_goes_to_no_other_host(origin: str, emu: BFLEmulator) -> None:
    with EmulatorServer(require_key=False) as other:
        other.route("GET", "/v1/get_result", lambda req: Response.json({"status": "Ready"}))
        emu.polling_origin = origin.replace("{E}", str(emu.port)).replace("{O}", str(other.port))
        with pytest.raises(InvalidResponseError):
            make_router(emu.url).generate("x", model="flux-2-pro")
        assert other.requests == [] and emu.polls == []


BFL_POLLING = [
    "https://api.eu1.bfl.ai\\@evil.example/v1/get_result",
    "https://evil.example\\@api.eu1.bfl.ai/v1/get_result",
    "https://api.eu1.bfl.ai@evil.example/v1/get_result",
    "https://evil.example@api.eu1.bfl.ai/v1/get_result",
    "https://api.bfl.ai.evil.example/v1/get_result",
    "https://evilbfl.ai/v1/get_result",
    "http://api.eu1.bfl.ai/v1/get_result",
    "https://api.eu1.bfl.ai%2f@evil.example/",
    "https://api.eu1.bfl.ai\u3002evil.example/",
    "https://api.eu1.bfl.ai:443:80/",
]


@pytest.mark.parametrize("url", BFL_POLLING)
def test_polling_urls_that_only_look_like_bfl_are_refused(url: str) -> None:
    assert polling_problem(url, "https://api.bfl.ai") is not None


def test_real_bfl_polling_hosts_are_accepted() -> None:
    for url in ("https://api.eu1.bfl.ai/v1/get_result?id=1", "https://API.US1.BFL.AI/v1/get_result?id=1",
                "https://api.bfl.ai:443/v1/get_result"):
        assert polling_problem(url, "https://api.bfl.ai") is None


# --------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize("behaviour", [
    Behaviour(200, {"Content-Type": "application/json"}, b'{"id": "t", "polling_url": ""}' + b" " * 40,
              body_gap=0.5),
    Behaviour(200, {"Content-Type": "application/json"}, b"{}", header_gap=0.5),
], ids=["dribbled-body", "slow-headers"])
def test_a_slow_submit_ends_within_the_task_deadline(behaviour: Behaviour) -> None:
    with SlowServer() as slow:
        slow.routes["/v1/flux-2-pro"] = behaviour
        started = time.monotonic()
        with pytest.raises(ProviderTimeoutError, match="deadline"):
            make_router(slow.base_url, deadline=1.0, timeout=5).generate("x", model="flux-2-pro")
        assert time.monotonic() - started < 3.0


def test_a_day_long_retry_after_is_not_waited_for() -> None:
    with SlowServer() as slow:
        slow.routes["/v1/flux-2-pro"] = Behaviour(429, {"Retry-After": "86400"}, b'{"detail": "slow down"}')
        started = time.monotonic()
        with pytest.raises(tryon.RateLimitError, match="asked to wait 86400s") as err:
            make_router(slow.base_url, max_retries=3).generate("x", model="flux-2-pro")
        assert err.value.retryable and time.monotonic() - started < 2.0
        assert slow.hits["/v1/flux-2-pro"] == 1


# --------------------------------------------------------------------------- bounded fan-out


def test_n_60_on_flux_runs_at_most_the_declared_number_of_tasks_at_once(
        emu: BFLEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from tryon_flux.client import BFLClient

    lock = threading.Lock()
    state = {"now": 0, "peak": 0}
    real_run = BFLClient.run

    def counting_run(self: BFLClient, body: Any) -> Any:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        try:
            time.sleep(0.005)
            return real_run(self, body)
        finally:
            with lock:
                state["now"] -= 1

    monkeypatch.setattr(BFLClient, "run", counting_run)
    router = tryon.Router(plugins=False, max_n=60)
    for gen in generators(api_key=KEY, base_url=emu.url, **FAST):
        router.register(gen)
    limit = router.info("flux-2-pro").capabilities.max_concurrent_calls
    result = router.generate("x", model="flux-2-pro", n=60, size="512x512")
    assert len(result.images) == 60 and len(emu.submits) == 60
    assert 1 < state["peak"] <= limit
