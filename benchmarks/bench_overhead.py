"""Per-call overhead: one generate request through tryon vs the raw ``openai`` SDK.

Both sides send the same request to the same emulator (latency 0, a 256x256 JPEG) and end
with the image bytes (the raw side base64-decodes them). Calls are interleaved — the order
of each pair alternates — and the medians are compared.
"""

from __future__ import annotations

import base64

from benchmarks.common import SMALL, Result, emulator, gpt_router, median, openai_client, timed

TARGET = 1.05
PROMPT = "A leather handbag, studio lighting"


def run(quick: bool = False) -> list[Result]:
    pairs, warmup = (60, 10) if quick else (200, 20)
    with emulator(latency=0.0) as url:
        router = gpt_router(url)
        client = openai_client(url)
        options = {k: v for k, v in SMALL.items() if k != "model"}

        def framework() -> None:
            gen = router.generate(PROMPT, model=SMALL["model"], **options)
            assert gen.images[0].data

        def raw() -> None:
            response = client.images.generate(model=SMALL["model"], prompt=PROMPT, **options)
            assert base64.b64decode(response.data[0].b64_json)

        for _ in range(warmup):
            framework()
            raw()
        ours: list[float] = []
        theirs: list[float] = []
        for i in range(pairs):
            first, second = (framework, raw) if i % 2 == 0 else (raw, framework)
            a, b = timed(first), timed(second)
            (ours if first is framework else theirs).append(a)
            (theirs if first is framework else ours).append(b)
    ratio = median(ours) / median(theirs)
    extra_ms = (median(ours) - median(theirs)) * 1000
    return [Result(
        "per-call overhead (tryon / raw SDK)", f"{ratio:.3f}x", f"<= {TARGET:.2f}x", ratio <= TARGET,
        f"median {median(ours) * 1000:.2f} ms vs {median(theirs) * 1000:.2f} ms raw "
        f"(+{extra_ms:.2f} ms per call); {pairs} interleaved pairs, latency 0, 256x256 JPEG",
        {"pairs": pairs, "tryon_ms": median(ours) * 1000, "raw_ms": median(theirs) * 1000},
    )]
