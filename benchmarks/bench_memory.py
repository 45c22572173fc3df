"""Peak memory of one n=10 request at 1536x1024: tryon vs the raw SDK, and vs the decoded size.

Each side runs in a fresh process (the emulator in another one): the ``tracemalloc`` peak
and the growth of the peak resident set (VmHWM) during the request, measured after
a warm-up call has loaded every module. The raw side ends with the image bytes
(base64-decoded) like tryon. tryon never decodes an output image, so what it holds is the
encoded bytes. Two image kinds: the stock emulator's (flat shapes, tens of KiB) and
photo-like ones (megabytes, like real outputs), because the peak follows the encoded size.
"""

from __future__ import annotations

import json

from benchmarks.common import Result, emulator, run_python

N, WIDTH, HEIGHT = 10, 1536, 1024
DECODED = N * WIDTH * HEIGHT * 4
MIB = 1024 * 1024
TARGET = 1.05  # tryon's peak / the raw SDK's peak
CHILD = """
import base64, json, tracemalloc
from benchmarks.common import gpt_router, openai_client, rss_mark, rss_peak_growth
options = dict(model="gpt-image-1.5", size="{width}x{height}", quality="low")
if {raw}:
    client = openai_client({url!r})
    def call(prompt, n):
        response = client.images.generate(prompt=prompt, n=n, **options)
        return [base64.b64decode(d.b64_json) for d in response.data]
else:
    router = gpt_router({url!r})
    def call(prompt, n):
        return [image.data for image in router.generate(prompt, n=n, **options).images]
call("warm-up", 1)
mark = rss_mark()
tracemalloc.start()
images = call("A leather handbag, studio lighting", {n})
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(json.dumps({{"peak": peak, "rss_growth": rss_peak_growth(mark),
                  "encoded": sum(len(i) for i in images), "images": len(images)}}))
"""


def _measure(url: str, raw: bool) -> dict[str, int]:
    out = run_python(CHILD.format(url=url, width=WIDTH, height=HEIGHT, n=N, raw=raw))
    data: dict[str, int] = json.loads(out.strip().splitlines()[-1])
    assert data["images"] == N
    return data


def run(quick: bool = False) -> list[Result]:
    results = []
    for label, photo_like in (("photo-like images", True), ("emulator images", False)):
        with emulator(photo_like=photo_like) as url:
            ours, theirs = _measure(url, raw=False), _measure(url, raw=True)
        ratio = ours["peak"] / theirs["peak"]
        results.append(Result(
            f"peak memory, n={N} at {WIDTH}x{HEIGHT}, {label}: tryon / raw SDK", f"{ratio:.2f}x",
            f"<= {TARGET:.2f}x", ratio <= TARGET,
            f"tryon {ours['peak'] / MIB:.1f} MiB, raw SDK {theirs['peak'] / MIB:.1f} MiB (tracemalloc peak); "
            f"peak RSS grew {ours['rss_growth'] / MIB:.1f} vs {theirs['rss_growth'] / MIB:.1f} MiB",
            {"tryon": ours, "raw": theirs}))
        results.append(Result(
            f"peak memory, n={N} at {WIDTH}x{HEIGHT}, {label}: vs decoded size",
            f"{ours['peak'] / MIB:.1f} MiB = {ours['peak'] / DECODED:.2f} x decoded", "—", None,
            f"decoded = {N}x{WIDTH}x{HEIGHT}x4 = {DECODED / MIB:.0f} MiB; encoded images "
            f"{ours['encoded'] / MIB:.1f} MiB, peak = {ours['peak'] / max(1, ours['encoded']):.1f} x encoded",
            ours))
    return results
