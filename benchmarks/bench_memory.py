"""Peak memory of one n=10 request at 1536x1024, next to the size of the decoded images.

Measured in a fresh process (the emulator runs in another one): ``tracemalloc`` peak and the
growth of the peak resident set (``ru_maxrss``) during the request, after a warm-up call
has loaded every module. tryon keeps the encoded bytes; it never decodes an output image.
"""

from __future__ import annotations

import json

from benchmarks.common import Result, emulator, run_python

N, WIDTH, HEIGHT = 10, 1536, 1024
DECODED = N * WIDTH * HEIGHT * 4
CHILD = """
import json, resource, sys, tracemalloc
from benchmarks.common import gpt_router
router = gpt_router(sys.argv[1])
options = dict(model="gpt-image-1.5", size="{size}", quality="low")
router.generate("warm-up", n=1, **options)
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
gen = router.generate("A leather handbag, studio lighting", n={n}, **options)
_, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"peak": peak, "rss_growth": (rss_after - rss_before) * 1024,
                  "encoded": sum(len(i.data) for i in gen.images), "images": len(gen.images)}}))
"""


def run(quick: bool = False) -> list[Result]:
    with emulator() as url:
        code = "import sys; sys.argv.append(%r)\n" % url + CHILD.format(size=f"{WIDTH}x{HEIGHT}", n=N)
        data = json.loads(run_python(code).strip().splitlines()[-1])
    assert data["images"] == N
    mb = 1024 * 1024
    ratio = data["peak"] / DECODED
    return [Result(
        f"peak memory, n={N} at {WIDTH}x{HEIGHT}", f"{data['peak'] / mb:.1f} MiB = {ratio:.2f} x decoded",
        f"< 1 x decoded ({DECODED / mb:.1f} MiB)", ratio < 1.0,
        f"tracemalloc peak during the call; encoded images {data['encoded'] / mb:.2f} MiB "
        f"(peak = {data['peak'] / max(1, data['encoded']):.1f} x encoded: JSON body, base64 text, bytes); "
        f"peak RSS grew {data['rss_growth'] / mb:.1f} MiB",
        data)]
