"""The async API: native for plugins with ``agenerate``/``aedit``, threads otherwise; cancellable."""

from __future__ import annotations

import asyncio
import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from emulated_router import gpt_router

import tryon
from tryon.request import EditRequest, GenerateRequest
from tryon.testing.openai_emulator import OpenAIEmulator
from tryon.testing.synth import synth_image

MODEL = "gpt-image-2.6-sunburst"
LATENCY = 0.5


@pytest.fixture
def emu() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as emulator:
        yield emulator


class SyncOnly:
    """A generator without ``agenerate``/``aedit`` (wraps a real one); records its threads."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.provider = inner.provider
        self.capabilities = inner.capabilities
        self.threads: list[str] = []

    def generate(self, request: GenerateRequest) -> tryon.Generation:
        self.threads.append(threading.current_thread().name)
        result: tryon.Generation = self.inner.generate(request)
        return result

    def edit(self, request: EditRequest) -> tryon.Generation:
        self.threads.append(threading.current_thread().name)
        result: tryon.Generation = self.inner.edit(request)
        return result


def _clients(emu: OpenAIEmulator) -> set[str]:
    return {(r.header("user-agent") or "").split("/")[0] for r in emu.requests}


def _person_and_mask(tmp_path: Path) -> tuple[Path, Path]:
    from PIL import Image, ImageDraw

    person = tmp_path / "person.png"
    person.write_bytes(synth_image(1024, 1024, "png", transparent=False, seed_text="person"))
    mask = Image.new("L", (1024, 1024), 255)  # white = keep
    ImageDraw.Draw(mask).rectangle([256, 256, 767, 767], fill=0)  # black = edit
    buffer = io.BytesIO()
    mask.save(buffer, "PNG")
    (tmp_path / "mask.png").write_bytes(buffer.getvalue())
    return person, tmp_path / "mask.png"


async def test_agenerate_uses_the_native_async_client(emu: OpenAIEmulator) -> None:
    router = gpt_router(emu)
    gen = await router.agenerate("A red shoe", model=MODEL, quality="low", n=2)
    assert len(gen.images) == 2 and gen.images[0].size == (1024, 1024)
    assert _clients(emu) == {"AsyncOpenAI"}
    assert gen.images[0].info["prompt"] == "A red shoe"


async def test_aedit_uses_the_native_async_client(emu: OpenAIEmulator, tmp_path: Path) -> None:
    person, mask = _person_and_mask(tmp_path)
    router = gpt_router(emu)
    gen = await router.aedit(str(person), "Make the hat red", model=MODEL, mask=str(mask), quality="low")
    assert len(gen.images) == 1
    (request,) = emu.requests_to("/images/edits")
    assert "mask" in request.files and "image" in request.files
    assert _clients(emu) == {"AsyncOpenAI"}


async def test_module_level_agenerate_and_aedit(openai_emulator: OpenAIEmulator, tmp_path: Path) -> None:
    person, _ = _person_and_mask(tmp_path)
    gen = await tryon.agenerate("A blue hat", model=MODEL, quality="low")
    edited = await tryon.aedit(str(person), "Add a scarf", model=MODEL, quality="low")
    assert len(gen.images) == len(edited.images) == 1
    assert [r.path for r in openai_emulator.requests] == ["/v1/images/generations", "/v1/images/edits"]
    assert _clients(openai_emulator) == {"AsyncOpenAI"}


async def test_generator_without_agenerate_runs_in_threads(emu: OpenAIEmulator, tmp_path: Path) -> None:
    wrappers: list[SyncOnly] = []

    def wrap(gen: Any) -> SyncOnly:
        wrappers.append(SyncOnly(gen))
        return wrappers[-1]

    router = gpt_router(emu, wrap=wrap)
    person, _ = _person_and_mask(tmp_path)
    gen = await router.agenerate("A red shoe", model=MODEL, quality="low", n=12)
    edited = await router.aedit(str(person), "Add a scarf", model=MODEL, quality="low")
    assert len(gen.images) == 12 and len(edited.images) == 1
    assert _clients(emu) == {"OpenAI"}  # the sync SDK client served every call
    threads = next(w for w in wrappers if w.model_id == MODEL).threads
    assert len(threads) == 3 and threading.main_thread().name not in threads


def test_each_event_loop_gets_working_connections(emu: OpenAIEmulator) -> None:
    # An async client's pooled connections belong to the loop that opened them: a second
    # asyncio.run() with the same router must not reuse them ("Event loop is closed").
    router = gpt_router(emu)
    for _ in range(3):
        gen = asyncio.run(router.agenerate("A red shoe", model=MODEL, quality="low", n=12))
        assert len(gen.images) == 12
    assert len(emu.requests) == 6


@pytest.mark.parametrize("path", ["native", "threads"])
async def test_fanned_out_calls_run_concurrently(emu: OpenAIEmulator, path: str) -> None:
    # Proven where it happens, not by the wall clock (which a loaded machine stretches): each call is
    # held LATENCY seconds by the server, so calls made one after another arrive at least LATENCY
    # apart; concurrent calls all arrive while the first is still being held.
    router = gpt_router(emu, wrap=SyncOnly if path == "threads" else None)
    emu.set_latency(2 * LATENCY)
    await router.agenerate("warm-up", model=MODEL, quality="low", output_format="jpeg")  # connect once
    gen = await router.agenerate("A red shoe", model=MODEL, n=30, quality="low", output_format="jpeg")
    assert len(gen.images) == 30
    arrivals = sorted(r.timestamp for r in emu.requests[1:])
    assert len(arrivals) == 3
    spread = arrivals[-1] - arrivals[0]
    assert spread < 2 * LATENCY, f"the 3 calls arrived over {spread:.2f}s: one waited for another"


def _established_client_sockets(port: int) -> int:
    """Sockets of this host connected *to* 127.0.0.1:port that are still ESTABLISHED."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[3] == "01":
                count += 1
    return count


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux socket tables")
async def test_cancelling_closes_the_outstanding_calls(emu: OpenAIEmulator) -> None:
    router = gpt_router(emu, max_retries=2)  # SDK retries on: a cancelled call must not be retried
    emu.set_latency(2.0)
    task = asyncio.create_task(router.agenerate("A red shoe", model=MODEL, n=30, quality="low"))
    for _ in range(100):
        await asyncio.sleep(0.02)
        if len(emu.requests) == 3 and _established_client_sockets(emu.port) == 3:
            break
    assert len(emu.requests) == 3 and _established_client_sockets(emu.port) == 3

    started = time.perf_counter()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.perf_counter() - started < 0.5
    await asyncio.sleep(0.1)
    assert _established_client_sockets(emu.port) == 0  # the SDK closed its connections
    await asyncio.sleep(0.5)
    assert len(emu.requests) == 3  # and started no further request


async def test_cancelling_the_threads_path_returns_promptly(emu: OpenAIEmulator) -> None:
    router = gpt_router(emu, wrap=SyncOnly)
    emu.set_latency(1.0)
    task = asyncio.create_task(router.agenerate("A red shoe", model=MODEL, n=30, quality="low"))
    for _ in range(100):
        await asyncio.sleep(0.02)
        if len(emu.requests) == 3:
            break
    started = time.perf_counter()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.perf_counter() - started < 0.5  # the threads cannot be stopped, but nobody waits for them
    assert len(emu.requests) == 3
    emu.stop()  # answer the abandoned calls now rather than after the latency
