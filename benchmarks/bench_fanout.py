"""Fan-out: n=40 on a model that makes 10 images per call, at emulator latency L.

Ideal: the four calls overlap completely, so the request takes about L. Measured through
``router.generate`` (threads) and ``router.agenerate`` (native async client), next to a
hand-written raw-SDK version (four calls in a thread pool) run in the same session.
"""

from __future__ import annotations

import asyncio
import base64
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from benchmarks.common import SMALL, Result, emulator, gpt_router, median, openai_client, timed

LATENCY = 0.5
N = 40
TARGET = 1.2  # x L
PROMPT = "A leather handbag, studio lighting"


def run(quick: bool = False) -> list[Result]:
    repeats = 3 if quick else 7
    options = {k: v for k, v in SMALL.items() if k != "model"}
    model = SMALL["model"]
    with emulator(latency=LATENCY) as url:
        router = gpt_router(url)
        client = openai_client(url)
        pool = ThreadPoolExecutor(max_workers=4)
        loop = asyncio.new_event_loop()  # one loop for every async run: its connections are reused

        def sync() -> None:
            assert len(router.generate(PROMPT, model=model, n=N, **options).images) == N

        def native_async() -> None:
            gen = loop.run_until_complete(router.agenerate(PROMPT, model=model, n=N, **options))
            assert len(gen.images) == N

        def raw_call(_: Any) -> list[bytes]:
            response = client.images.generate(model=model, prompt=PROMPT, n=10, **options)
            return [base64.b64decode(d.b64_json) for d in response.data]

        def raw() -> None:
            assert sum(len(images) for images in pool.map(raw_call, range(N // 10))) == N

        variants = {"tryon generate (threads)": sync, "tryon agenerate (async client)": native_async,
                    "raw SDK, 4 threads": raw}
        for fn in variants.values():
            fn()  # warm up: connections, imports
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(repeats):
            for name, fn in variants.items():
                times[name].append(timed(fn))
        pool.shutdown()
        loop.close()
    raw_median = median(times["raw SDK, 4 threads"])
    results = []
    for name in ("tryon generate (threads)", "tryon agenerate (async client)"):
        t = median(times[name])
        results.append(Result(
            f"fan-out n={N}, 10 per call, L={LATENCY}s: {name}", f"{t:.3f}s = {t / LATENCY:.2f} x L",
            f"<= {TARGET} x L", t <= TARGET * LATENCY,
            f"raw SDK with 4 threads: {raw_median:.3f}s ({raw_median / LATENCY:.2f} x L); "
            f"median of {repeats}",
            {"seconds": t, "raw_seconds": raw_median}))
    return results
