"""Per-call overhead: one generate request through tryon vs the raw ``openai`` SDK.

Both sides send the same request to the same emulator (latency 0) and end with the image
bytes (the raw side base64-decodes them). Calls are interleaved — the order of each pair
alternates — and the medians are compared. Two requests: the default model's standard
request (``gpt-image-1.5``, 1024x1024) and the smallest one (``gpt-image-2``, 256x256), where
a fixed cost weighs most. A third row times the router alone against an in-process stub
(no HTTP): validation, routing and result metadata.
"""

from __future__ import annotations

import base64
import timeit
from typing import Any

from benchmarks.common import Result, emulator, gpt_router, median, openai_client, timed

TARGET = 1.05
PROMPT = "A leather handbag, studio lighting"
REQUESTS = {
    "default request (gpt-image-1.5, 1024x1024 JPEG)":
        {"model": "gpt-image-1.5", "size": "1024x1024", "quality": "low", "output_format": "jpeg"},
    "smallest request (gpt-image-2, 256x256 JPEG)":
        {"model": "gpt-image-2", "size": "256x256", "quality": "low", "output_format": "jpeg"},
}


def _compare(router: Any, client: Any, request: dict[str, Any], pairs: int, warmup: int) -> tuple[float, float]:
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
    ours: list[float] = []
    theirs: list[float] = []
    for i in range(pairs):
        if i % 2 == 0:
            ours.append(timed(framework))
            theirs.append(timed(raw))
        else:
            theirs.append(timed(raw))
            ours.append(timed(framework))
    return median(ours), median(theirs)


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
    pairs, warmup = (60, 10) if quick else (300, 30)
    results = []
    with emulator(latency=0.0) as url:
        router = gpt_router(url)
        client = openai_client(url)
        for label, request in REQUESTS.items():
            ours, theirs = _compare(router, client, request, pairs, warmup)
            ratio = ours / theirs
            results.append(Result(
                f"per-call overhead, {label}", f"{ratio:.3f}x", f"<= {TARGET:.2f}x", ratio <= TARGET,
                f"median {ours * 1000:.2f} ms vs {theirs * 1000:.2f} ms raw SDK "
                f"({(ours - theirs) * 1000:+.2f} ms per call); {pairs} interleaved pairs, latency 0",
                {"pairs": pairs, "tryon_ms": ours * 1000, "raw_ms": theirs * 1000}))
        alone = _router_alone(router, REQUESTS["smallest request (gpt-image-2, 256x256 JPEG)"],
                              2000 if quick else 10000)
    results.append(Result(
        "router alone (validation, routing, result metadata; no HTTP)", f"{alone * 1e6:.0f} µs per call",
        "—", None, "router.generate against a generator that returns a canned result"))
    return results
