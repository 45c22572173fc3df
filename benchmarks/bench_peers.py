"""Side by side: tryon, the raw ``openai`` SDK and the peers (litellm, any-llm-sdk when installed).

The table of the performance issue, reproduced in one run: every row's variants run interleaved
(each round calls every variant in a shuffled order), against one emulator process per latency.
A row gives each variant's median over the raw SDK's, with the spread of the per-round ratios,
and tryon's ratio to each peer. Peers come from the ``bench`` extra and are skipped when not
installed. The edit row has two tryon variants: the mask checked once for the same bytes (what a
batch or a repeated edit gets from the content-hash cache) and checked cold (cache cleared before
every call). Memory and import time are measured in fresh processes.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import random
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from benchmarks.common import (
    API_KEY,
    Result,
    child_env,
    emulator,
    gpt_router,
    median,
    openai_client,
    run_python,
    timed,
)
from benchmarks.peers import installed, peer_async_generate, peer_edit, peer_generate

PROMPT = "A leather handbag, studio lighting"
GENERATE = {"size": "1024x1024", "quality": "low", "output_format": "jpeg"}
SMALL = {"size": "1024x640", "quality": "low", "output_format": "jpeg"}
EDIT_TARGET = 1.03
ASYNC_TARGET = 1.05
MIB = 1024 * 1024


def _interleave(variants: dict[str, Callable[[], Any]], rounds: int, per_round: int,
                seed: int = 15) -> tuple[dict[str, list[list[float]]], dict[str, str]]:
    """Seconds per call of each variant, per round; a variant that raises is dropped (and why is kept)."""
    rng = random.Random(seed)
    live = dict(variants)
    failed: dict[str, str] = {}
    for name, fn in list(live.items()):  # warm-up: imports, connections
        try:
            fn()
        except Exception as exc:
            failed[name] = f"{type(exc).__name__}: {str(exc)[:120]}"
            del live[name]
    times: dict[str, list[list[float]]] = {name: [[] for _ in range(rounds)] for name in live}
    for r in range(rounds):
        for _ in range(per_round):
            order = list(live)
            rng.shuffle(order)
            for name in order:
                times[name][r].append(timed(live[name]))
    return times, failed


def _ratio(times: dict[str, list[list[float]]], name: str, base: str) -> tuple[float, float, float]:
    """Overall median ratio and the lowest and highest per-round ratio."""
    overall = median([t for rnd in times[name] for t in rnd]) / median([t for rnd in times[base] for t in rnd])
    rounds = [median(a) / median(b) for a, b in zip(times[name], times[base], strict=True) if a and b]
    return overall, min(rounds), max(rounds)


def _fmt(ratio: tuple[float, float, float]) -> str:
    return f"{ratio[0]:.3f}x ({ratio[1]:.2f}-{ratio[2]:.2f})"


def _row(work: str, times: dict[str, list[list[float]]], failed: dict[str, str], tryon: str, raw: str,
         peers: list[str], target: float | None, extra: str = "", others: tuple[str, ...] = ()) -> Result:
    ours = _ratio(times, tryon, raw)
    notes = [f"raw SDK median {median([t for r in times[raw] for t in r]) * 1000:.1f} ms"]
    for other in others:
        if other in times:
            notes.append(f"{other} / raw SDK {_fmt(_ratio(times, other, raw))}")
    for peer in peers:
        if peer in times:
            notes.append(f"{peer} / raw SDK {_fmt(_ratio(times, peer, raw))}; "
                         f"tryon / {peer} {_fmt(_ratio(times, tryon, peer))}")
        elif peer in failed:
            notes.append(f"{peer}: fails ({failed[peer]})")
    rounds = len(times[raw])
    notes.append(f"{rounds} rounds of {len(times[raw][0])} interleaved calls; spread = per-round ratios")
    if extra:
        notes.append(extra)
    passed = None if target is None else ours[0] <= target
    return Result(f"peers: {work}", f"tryon / raw SDK {_fmt(ours)}", f"<= {target:.2f}x" if target else "—",
                  passed, "; ".join(notes), {"times": times, "failed": failed})


# --------------------------------------------------------------------------- rows


def _generate_row(url: str, latency: float, rounds: int, per_round: int, peers: list[str]) -> Result:
    router, client = gpt_router(url), openai_client(url)
    model = "gpt-image-2.6-sunburst"

    def raw() -> list[bytes]:
        response = client.images.generate(model=model, prompt=PROMPT, **GENERATE)
        return [base64.b64decode(d.b64_json) for d in response.data]

    variants: dict[str, Callable[[], Any]] = {
        "tryon": lambda: router.generate(PROMPT, model=model, **GENERATE).images[0].data, "raw": raw}
    for peer in peers:
        variants[peer] = peer_generate(peer, url, model, PROMPT, **GENERATE)
    times, failed = _interleave(variants, rounds, per_round)
    label = "fast local server" if latency == 0 else f"{latency} s server latency"
    return _row(f"generate 1024x1024, {label}", times, failed, "tryon", "raw", peers, None)


def _edit_inputs() -> tuple[list[bytes], bytes]:
    from PIL import Image, ImageDraw

    images = []
    for seed in range(3):
        noise = Image.effect_noise((1024, 1024), 18 + seed)
        gradient = Image.linear_gradient("L").resize((1024, 1024))
        picture = Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.8)))
        buffer = io.BytesIO()
        picture.save(buffer, "PNG")
        images.append(buffer.getvalue())
    mask = Image.new("RGBA", (1024, 1024), (255, 255, 255, 255))
    ImageDraw.Draw(mask).ellipse((200, 300, 800, 900), fill=(0, 0, 0, 0))
    buffer = io.BytesIO()
    mask.save(buffer, "PNG")
    return images, buffer.getvalue()


def _edit_row(url: str, rounds: int, per_round: int, peers: list[str]) -> Result:
    from tryon.media.masks import MASK_CACHE

    router, client = gpt_router(url), openai_client(url)
    images, mask = _edit_inputs()
    model = "gpt-image-2.6-sunburst"
    options = {"size": "1024x1024", "quality": "low"}

    def ours() -> bytes:
        return router.edit(images, PROMPT, model=model, mask=mask, **options).images[0].data

    def cold() -> bytes:
        MASK_CACHE.clear()
        return ours()

    def raw() -> list[bytes]:
        files = [(f"image-{i}.png", data, "image/png") for i, data in enumerate(images)]
        response = client.images.edit(model=model, image=files, mask=("mask.png", mask, "image/png"), prompt=PROMPT,
                                      **options)
        return [base64.b64decode(d.b64_json) for d in response.data]

    variants: dict[str, Callable[[], Any]] = {"tryon": ours, "tryon, mask checked cold": cold, "raw": raw}
    for peer in peers:
        variants[peer] = peer_edit(peer, url, model, PROMPT, images, mask, **options)
    times, failed = _interleave(variants, rounds, per_round)
    sizes = ", ".join(f"{len(i) / MIB:.2f}" for i in images)
    return _row("edit, 3 PNG inputs + mask (1024x1024)", times, failed, "tryon", "raw", peers, EDIT_TARGET,
                f"inputs {sizes} MiB, mask {len(mask) / 1024:.0f} KiB; latency 0",
                others=("tryon, mask checked cold",))


def _fanout_rows(url: str, rounds: int, per_round: int, peers: list[str]) -> list[Result]:
    import openai

    router, client = gpt_router(url), openai_client(url)
    model = "gpt-image-2"
    pool = ThreadPoolExecutor(max_workers=4)

    def raw_call(_: Any) -> list[bytes]:
        return [base64.b64decode(d.b64_json)
                for d in client.images.generate(model=model, prompt=PROMPT, n=10, **SMALL).data]

    def threads(call: Callable[[Any], list[bytes]]) -> Callable[[], int]:
        return lambda: sum(len(images) for images in pool.map(call, range(4)))

    variants: dict[str, Callable[[], Any]] = {
        "tryon": lambda: len(router.generate(PROMPT, model=model, n=40, **SMALL).images), "raw": threads(raw_call)}
    one_call: dict[str, str] = {}
    for peer in peers:
        call = peer_generate(peer, url, model, PROMPT, n=10, **SMALL)
        variants[peer] = threads(lambda _, call=call: call())
        try:
            peer_generate(peer, url, model, PROMPT, n=40, **SMALL)()
            one_call[peer] = "n=40 in one call works"
        except Exception as exc:
            one_call[peer] = f"n=40 in one call fails ({type(exc).__name__}): peer measured as 4 threads of n=10"
    times, failed = _interleave(variants, rounds, per_round)
    rows = [_row("n=40 at 10 per call, 0.5 s latency (raw and peers: 4 threads of n=10)", times, failed, "tryon",
                 "raw", peers, None, "; ".join(f"{p}: {w}" for p, w in one_call.items()))]

    async def raw_async() -> int:
        async with openai.AsyncOpenAI(base_url=url, api_key=API_KEY, max_retries=0, timeout=60) as aclient:
            answers = await asyncio.gather(*(aclient.images.generate(model=model, prompt=PROMPT, n=10, **SMALL)
                                             for _ in range(4)))
        return sum(len(a.data) for a in answers)

    async def ours_async() -> int:
        return len((await router.agenerate(PROMPT, model=model, n=40, **SMALL)).images)

    avariants: dict[str, Callable[[], Any]] = {"tryon": lambda: asyncio.run(ours_async()),
                                               "raw": lambda: asyncio.run(raw_async())}
    for peer in peers:
        coro = peer_async_generate(peer, url, model, PROMPT, n=10, **SMALL)

        async def gathered(coro: Any = coro) -> int:
            return sum(len(images) for images in await asyncio.gather(*(coro() for _ in range(4))))
        avariants[peer] = lambda gathered=gathered: asyncio.run(gathered())
    atimes, afailed = _interleave(avariants, rounds, per_round)
    pool.shutdown()
    rows.append(_row("asyncio.run(agenerate(n=40)), 0.5 s latency (raw: 4 gathered calls, new client per loop)",
                     atimes, afailed, "tryon", "raw", peers, ASYNC_TARGET))
    return rows


MEMORY_CHILD = """
import base64, json, tracemalloc
from benchmarks.common import gpt_router, openai_client, API_KEY
from benchmarks.peers import peer_generate
kind, url, n = {kind!r}, {url!r}, {n}
options = dict(size="1536x1024", quality="low")
if kind == "raw":
    client = openai_client(url)
    def call(prompt, n):
        return [base64.b64decode(d.b64_json)
                for d in client.images.generate(model="gpt-image-2.6-sunburst", prompt=prompt, n=n, **options).data]
elif kind == "tryon":
    router = gpt_router(url)
    def call(prompt, n):
        return [image.data for image in router.generate(prompt, model="gpt-image-2.6-sunburst", n=n, **options).images]
else:
    def call(prompt, n):
        return peer_generate(kind, url, "gpt-image-2.6-sunburst", prompt, n=n, **options)()
call("warm-up", 1)
tracemalloc.start()
images = call("A leather handbag, studio lighting", n)
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(json.dumps({{"peak": peak, "encoded": sum(len(i) for i in images), "images": len(images)}}))
"""


def _memory_row(peers: list[str]) -> Result:
    n = 10
    found: dict[str, dict[str, int]] = {}
    with emulator(photo_like=True) as url:
        for kind in ["tryon", "raw", *peers]:
            out = run_python(MEMORY_CHILD.format(kind=kind, url=url, n=n))
            found[kind] = json.loads(out.strip().splitlines()[-1])
    per = {k: v["peak"] / max(1, v["encoded"]) for k, v in found.items()}
    notes = [f"raw SDK {found['raw']['peak'] / MIB:.1f} MiB = {per['raw']:.2f}x the encoded images "
             f"({found['raw']['encoded'] / MIB:.1f} MiB)", f"tryon {per['tryon']:.2f}x the encoded images"]
    for peer in peers:
        notes.append(f"{peer} / raw SDK {found[peer]['peak'] / found['raw']['peak']:.2f}x "
                     f"({per[peer]:.2f}x the encoded images)")
    notes.append("tracemalloc peak in fresh processes")
    ratio = found["tryon"]["peak"] / found["raw"]["peak"]
    return Result(f"peers: peak memory, n={n} photo-like 1536x1024", f"tryon / raw SDK {ratio:.2f}x", "—", None,
                  "; ".join(notes), found)


def _import_row(peers: list[str], repeats: int) -> Result:
    modules = {"tryon": "tryon", "openai": "openai", **{p: {"litellm": "litellm", "any-llm": "any_llm"}[p]
                                                        for p in peers}}
    env = child_env(LITELLM_LOCAL_MODEL_COST_MAP="True")
    times: dict[str, list[float]] = {name: [] for name in modules}
    for _ in range(repeats + 1):
        for name, module in modules.items():
            times[name].append(timed(lambda module=module: subprocess.run(
                [sys.executable, "-c", f"import {module}"], env=env, check=True, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)))
    bare = {name: median(t[1:]) for name, t in times.items()}
    notes = [f"{name} {bare[name] * 1000:.0f} ms = {bare[name] / bare['openai']:.2f}x import openai"
             for name in modules if name != "openai"]
    return Result("peers: import, fresh process", f"tryon {bare['tryon'] / bare['openai']:.2f}x `import openai`",
                  "—", None, "; ".join(notes) + f"; median of {repeats}", bare)


def run(quick: bool = False) -> list[Result]:
    peers = installed()
    rounds, per = (3, 3) if quick else (5, 8)
    slow_per = 2 if quick else 4
    results = []
    with emulator(latency=0.0) as url:
        results.append(_generate_row(url, 0.0, rounds, per, peers))
        results.append(_edit_row(url, rounds, per, peers))
    with emulator(latency=0.2) as url:
        results.append(_generate_row(url, 0.2, rounds, slow_per, peers))
    with emulator(latency=0.5) as url:
        results.extend(_fanout_rows(url, rounds, slow_per, peers))
    results.append(_memory_row(peers))
    results.append(_import_row(peers, 3 if quick else 7))
    if not peers:
        results.append(Result("peers", "none installed", "—", None,
                              "pip install -e '.[bench]' adds litellm, any-llm-sdk"))
    return results
