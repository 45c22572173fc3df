"""Per-call overhead: one generate request through tryon vs the raw ``openai`` SDK.

Both sides send the same request to the same emulator (latency 0) and end with the image
bytes (the raw side base64-decodes them). Calls are interleaved in pairs (which side goes
first is random) and the medians are compared. Two requests: the default model's standard
request (``gpt-image-2.6-sunburst``, 1024x1024) and the smallest one the service accepts
(``gpt-image-2``, 1024x640: its 655,360-pixel minimum; 256x256 is refused since that minimum is
declared), where a fixed cost weighs most. The pairs run in five rounds; the spread of the per-round ratios
shows the noise of the machine. A third row times the router alone against an in-process stub
(no HTTP): validation, routing and result metadata.
"""

from __future__ import annotations

import base64
import random
import timeit
from typing import Any

from benchmarks.common import Result, emulator, gpt_router, median, openai_client, timed

TARGET = 1.05
ROUNDS = 5
PROMPT = "A leather handbag, studio lighting"
REQUESTS = {
    "default request (gpt-image-2.6-sunburst, 1024x1024 JPEG)":
        {"model": "gpt-image-2.6-sunburst", "size": "1024x1024", "quality": "low", "output_format": "jpeg"},
    "smallest request (gpt-image-2, 1024x640 JPEG)":
        {"model": "gpt-image-2", "size": "1024x640", "quality": "low", "output_format": "jpeg"},
}


def _compare(router: Any, client: Any, request: dict[str, Any], pairs: int,
             warmup: int) -> tuple[float, float, list[float]]:
    """Median seconds per call (tryon, raw) and the ratio of each of ``ROUNDS`` rounds."""
    model = request["model"]
    options = {k: v for k, v in request.items() if k != "model"}

    def framework() -> None:
        assert router.generate(PROMPT, model=model, **options).images[0].data

    def raw() -> None:
        response = client.images.generate(model=model, prompt=PROMPT, **options)
        assert base64.b64decode(response.data[0].b64_json)

    for _ in range(warmup):
        framework()
        raw()
    order = random.Random(6)
    ours: list[float] = []
    theirs: list[float] = []
    rounds: list[float] = []
    for _ in range(ROUNDS):
        mine: list[float] = []
        other: list[float] = []
        for _ in range(pairs // ROUNDS):
            if order.random() < 0.5:
                mine.append(timed(framework))
                other.append(timed(raw))
            else:
                other.append(timed(raw))
                mine.append(timed(framework))
        rounds.append(median(mine) / median(other))
        ours += mine
        theirs += other
    return median(ours), median(theirs), rounds


def _router_alone(router: Any, request: dict[str, Any], number: int) -> float:
    """Seconds per ``router.generate`` when the generator answers instantly (a canned result)."""
    import tryon
    from tryon.capabilities import Operation

    model = request["model"]
    options = {k: v for k, v in request.items() if k != "model"}
    gen, prepared, _ = router.prepare(Operation.GENERATE, PROMPT, model, **options)
    canned = gen.generate(prepared)

    class Canned:
        model_id, provider, capabilities = gen.model_id, gen.provider, gen.capabilities

        def generate(self, request: Any) -> Any:
            return canned

        def edit(self, request: Any) -> Any:
            return canned

    stub = tryon.Router(plugins=False)
    stub.register(Canned())
    return timeit.timeit(lambda: stub.generate(PROMPT, model=model, **options), number=number) / number


def run(quick: bool = False) -> list[Result]:
    pairs, warmup = (100, 10) if quick else (500, 30)
    results = []
    with emulator(latency=0.0) as url:
        router = gpt_router(url)
        client = openai_client(url)
        for label, request in REQUESTS.items():
            ours, theirs, rounds = _compare(router, client, request, pairs, warmup)
            ratio = ours / theirs
            results.append(Result(
                f"per-call overhead, {label}", f"{ratio:.3f}x", f"<= {TARGET:.2f}x", ratio <= TARGET,
                f"median {ours * 1000:.2f} ms vs {theirs * 1000:.2f} ms raw SDK "
                f"({(ours - theirs) * 1000:+.2f} ms per call); {pairs} pairs in random order, latency 0; "
                f"ratio per round of {pairs // ROUNDS}: {min(rounds):.3f}-{max(rounds):.3f}",
                {"pairs": pairs, "tryon_ms": ours * 1000, "raw_ms": theirs * 1000, "rounds": rounds}))
        alone = _router_alone(router, REQUESTS["smallest request (gpt-image-2, 1024x640 JPEG)"],
                              2000 if quick else 10000)
    results.append(Result(
        "router alone (validation, routing, result metadata; no HTTP)", f"{alone * 1e6:.0f} µs per call",
        "—", None, "router.generate against a generator that returns a canned result"))
    return results
