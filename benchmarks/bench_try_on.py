"""Try-on by composition: ``router.try_on`` on GPT-Image vs the raw ``openai`` SDK sending the same edit.

Both sides send the same three images (a 1024x1536 person and two garments, PNG, 30-60 KB
each) and the same prompt (the one tryon's default template renders; the raw side is given it
as text) to the same emulator (latency 0) and end with the image bytes. Pairs run interleaved in
random order, five rounds; medians are compared. What tryon adds over the raw edit: building and
checking the try-on request and its categories, rendering the template, checking the composed
edit against the model's edit limits, preparing three inputs (structure checks, no decode) and the
result check.
"""

from __future__ import annotations

import base64
import io
import random
from typing import Any

from benchmarks.common import Result, emulator, gpt_router, median, openai_client, timed

TARGET = 1.05
ROUNDS = 5
MODEL = "gpt-image-2.6-sunburst"
OPTIONS = {"size": "1024x1024", "quality": "low", "output_format": "jpeg"}


def _png(size: tuple[int, int], color: tuple[int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    for x in range(0, size[0], 32):  # some structure, so the PNG is not trivially small
        draw.line((x, 0, size[0] - x, size[1]), fill=(x % 255, 80, 160), width=3)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def run(quick: bool = False) -> list[Result]:
    import tryon
    from tryon.request import TryOnRequest
    from tryon.vto.composition import render

    pairs, warmup = (60, 6) if quick else (300, 20)
    person, top, bottom = _png((1024, 1536), (180, 120, 90)), _png((768, 768), (20, 60, 200)), \
        _png((768, 1024), (10, 10, 90))
    garments = [tryon.Garment(top, "top"), tryon.Garment(bottom, "trousers")]
    with emulator(latency=0.0) as url:
        router = gpt_router(url)
        client = openai_client(url)
        declared = router.info(MODEL).capabilities.try_on
        assert declared is not None
        prompt = render(TryOnRequest(person=person, garments=garments), declared)

        def framework() -> None:
            assert router.try_on(person, garments, model=MODEL, **OPTIONS).images[0].data

        def raw() -> None:
            files: list[Any] = [("person.png", person, "image/png"), ("top.png", top, "image/png"),
                                ("bottom.png", bottom, "image/png")]
            response = client.images.edit(model=MODEL, image=files, prompt=prompt, **OPTIONS)
            assert base64.b64decode(response.data[0].b64_json)

        for _ in range(warmup):
            framework()
            raw()
        order = random.Random(14)
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
    a, b = median(ours), median(theirs)
    ratio = a / b
    return [Result(
        "try-on by composition (gpt-image-2.6-sunburst, person + 2 garments) vs the same raw SDK edit", f"{ratio:.3f}x",
        f"<= {TARGET:.2f}x", ratio <= TARGET,
        f"median {a * 1000:.2f} ms vs {b * 1000:.2f} ms raw SDK ({(a - b) * 1000:+.2f} ms per call); {pairs} pairs "
        f"in random order, latency 0; ratio per round of {pairs // ROUNDS}: {min(rounds):.3f}-{max(rounds):.3f}",
        {"pairs": pairs, "tryon_ms": a * 1000, "raw_ms": b * 1000, "rounds": rounds})]
