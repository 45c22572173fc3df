"""Peak memory of one n=10 request at 1536x1024: tryon vs the raw SDK, and vs the decoded size.

Each side runs in a fresh process (the emulator in another one): the ``tracemalloc`` peak
and the growth of the peak resident set (VmHWM) during the request, measured after
a warm-up call has loaded every module. The raw side ends with the image bytes
(base64-decoded) like tryon. tryon never decodes an output image, so what it holds is the
encoded bytes. Two image kinds: the stock emulator's (flat shapes, tens of KiB) and
photo-like ones (megabytes, like real outputs), because the peak follows the encoded size.
The REST providers (Gemini, FLUX) are measured per image against their photo-like emulators
(``python -m benchmarks.photo_emulator --provider gemini|bfl``); for Gemini the same child also
runs the answer parsed whole as JSON text (the path before ``tryon.json_blobs``).
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
options = dict(model="gpt-image-2.6-sunburst", size="{width}x{height}", quality="low")
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


REST_TARGET = 4.0  # peak / encoded image bytes: the raw OpenAI SDK's figure (issue 15)
REST_CHILD = """
import json, tracemalloc
from benchmarks.common import rss_mark, rss_peak_growth
import tryon
provider, url, lifted = {provider!r}, {url!r}, {lifted}
router = tryon.Router(plugins=False)
if provider == "gemini":
    import tryon_gemini
    from tryon_gemini import generator as module
    if not lifted:  # the path before tryon.json_blobs: the whole answer parsed as JSON text
        from tryon.http import json_object
        from tryon.json_blobs import Blobs
        module.json_object_with_blobs = lambda response, **kw: (json_object(response, **kw), Blobs())
    gens = tryon_gemini.generators(api_key="k", base_url=url, max_retries=0)
    options = dict(model="gemini-3-pro-image", aspect_ratio="3:2", image_size="2K")
else:
    import tryon_flux
    gens = tryon_flux.generators(api_key="k", base_url=url, poll_interval=0.001, max_poll_interval=0.005,
                                 max_retries=0)
    options = dict(model="flux-2-pro", size="1536x1024")
for gen in gens:
    router.register(gen)
def call(prompt):
    return [image.data for image in router.generate(prompt, **options).images]
call("warm-up")
mark = rss_mark()
tracemalloc.start()
images = call("A leather handbag, studio lighting")
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(json.dumps({{"peak": peak, "rss_growth": rss_peak_growth(mark), "encoded": sum(len(i) for i in images)}}))
"""


def _rest(provider: str, url: str, lifted: bool) -> dict[str, int]:
    out = run_python(REST_CHILD.format(provider=provider, url=url, lifted=lifted))
    data: dict[str, int] = json.loads(out.strip().splitlines()[-1])
    return data


def rest_rows() -> list[Result]:
    """Peak memory per image of the REST providers against their photo-like emulators."""
    results = []
    for provider, label in (("gemini", "Gemini (gemini-3-pro-image, 2K 3:2)"), ("bfl", "FLUX (flux-2-pro, 1536x1024)")):
        with emulator(photo_like=True, provider=provider) as url:
            ours = _rest(provider, url, lifted=True)
            before = _rest(provider, url, lifted=False) if provider == "gemini" else None
        ratio = ours["peak"] / max(1, ours["encoded"])
        detail = (f"one image of {ours['encoded'] / MIB:.1f} MiB: peak {ours['peak'] / MIB:.1f} MiB (tracemalloc); "
                  f"peak RSS grew {ours['rss_growth'] / MIB:.1f} MiB")
        if before is not None:
            detail += (f"; parsing the whole answer as JSON text (before): "
                       f"{before['peak'] / max(1, before['encoded']):.2f}x")
        else:
            detail += "; the image is downloaded as bytes from the delivery URL (no base64 in any answer)"
        results.append(Result(f"peak memory per image, {label}: vs encoded size", f"{ratio:.2f}x",
                              f"< {REST_TARGET:.1f}x", ratio < REST_TARGET, detail,
                              {"tryon": ours, "before": before}))
    return results


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
    return results + rest_rows()
