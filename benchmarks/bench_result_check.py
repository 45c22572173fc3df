"""Result check: what checking every output image against its request costs, next to decoding it.

:func:`tryon.result_checks.check_result` runs after every provider call: the count, a structural
completeness check of each image (:mod:`tryon.media.integrity`: PNG chunk walk with CRCs,
JPEG segments and end marker, WebP RIFF chunks) and its format and size against the request.
Measured on photo-like images (noise, so they do not compress away) against a full Pillow decode
(``Image.open(...).load()``) of the same bytes, the cheapest way to know an image is whole by
decoding it. Median of repeated runs in this process.
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable

from benchmarks.common import Result

SIZES = ((1024, 1024), (1536, 1024), (3840, 2160))
FORMATS = ("png", "jpeg", "webp")
TARGET = 0.1  # check time / full decode time


def _photo(width: int, height: int, fmt: str) -> bytes:
    from PIL import Image

    noise = Image.effect_noise((width, height), 40)
    gradient = Image.linear_gradient("L").resize((width, height))
    img = Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.5)))
    buf = io.BytesIO()
    img.save(buf, {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}[fmt], **({"quality": 90} if fmt != "png" else {}))
    return buf.getvalue()


def _median(fn: Callable[[], object], repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(quick: bool = False) -> list[Result]:
    from PIL import Image

    from tryon.capabilities import Capabilities
    from tryon.request import GenerateRequest
    from tryon.result_checks import check_result
    from tryon.results import GeneratedImage, Generation
    from tryon.sizes import SizeRule, Sizes

    caps = Capabilities(sizes=Sizes.any(SizeRule(max_long_edge=4096)), output_formats=set(FORMATS))
    repeat = 5 if quick else 21
    rows = []
    sizes = SIZES[:2] if quick else SIZES
    for width, height in sizes:
        for fmt in FORMATS:
            data = _photo(width, height, fmt)
            image = GeneratedImage.from_bytes(data)
            result = Generation([image], model="bench", provider="bench")
            request = GenerateRequest(prompt="x", size=f"{width}x{height}", output_format=fmt)

            def decode(data: bytes = data) -> None:
                with Image.open(io.BytesIO(data)) as im:
                    im.load()

            checked = _median(lambda result=result, request=request: check_result(result, request, caps), repeat)
            decoded = _median(decode, repeat)
            ratio = checked / decoded
            mib = len(data) / 2**20
            rows.append(Result(
                f"result check, {width}x{height} {fmt.upper()} ({mib:.1f} MiB): check / full decode",
                f"{ratio:.3f}x ({checked * 1e3:.2f} ms vs {decoded * 1e3:.1f} ms)", f"<= {TARGET}x",
                ratio <= TARGET, f"{checked * 1e3 / mib:.2f} ms per MiB checked; median of {repeat}",
                {"check_s": checked, "decode_s": decoded, "bytes": len(data)}))
    return rows
