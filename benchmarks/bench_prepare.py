"""Input preparation (the image pipeline): 16 large JPEGs (4000x3000) for an edit.

``tryon.media.prepare_images`` passes an image the model accepts, within its limits, through
byte for byte. The comparison is what a pipeline that always normalises would do: load the
same files, decode each and re-encode it (``tryon.media.prepare.encode_image``, JPEG q90).
Each variant runs in a fresh process; memory is the growth of the peak resident set
(Pillow's pixel buffers are not visible to ``tracemalloc``).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from benchmarks.common import Result, run_python

COUNT, WIDTH, HEIGHT = 16, 4000, 3000
TARGET = 0.1  # pass-through time / decode+re-encode time
MEMORY_TARGET = 1.1  # pass-through peak growth / bytes of the files: no copy of the data
CHILD = """
import json, time
from benchmarks.common import rss_mark, rss_peak_growth
from tryon.media import load_images, open_image, prepare_images
from tryon.media.prepare import encode_image
from tryon_openai.models import INPUTS
paths = {paths!r}
mark = rss_mark()
started = time.perf_counter()
if {reencode}:
    images = load_images(paths)
    out = []
    for image in images:
        with open_image(image) as pil:
            pil.load()
            out.append(encode_image(pil, "image/jpeg"))
else:
    out, _ = prepare_images(paths, INPUTS)
elapsed = time.perf_counter() - started
print(json.dumps({{"seconds": elapsed, "rss_growth": rss_peak_growth(mark), "count": len(out)}}))
"""


def _photo(path: Path) -> int:
    from PIL import Image

    noise = Image.effect_noise((WIDTH, HEIGHT), 24)
    gradient = Image.linear_gradient("L").resize((WIDTH, HEIGHT))
    Image.merge("RGB", (noise, gradient, Image.blend(noise, gradient, 0.5))).save(path, "JPEG", quality=90)
    return path.stat().st_size


def _child(paths: list[str], reencode: bool) -> dict[str, float]:
    out = run_python(CHILD.format(paths=paths, reencode=reencode))
    data: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return data


def run(quick: bool = False) -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        first = Path(tmp) / "photo-00.jpg"
        size = _photo(first)
        paths = [str(first)]
        for i in range(1, COUNT):
            copy = Path(tmp) / f"photo-{i:02d}.jpg"
            copy.write_bytes(first.read_bytes())
            paths.append(str(copy))
        runs = {name: _child(paths, reencode)
                for name, reencode in (("pass-through", False), ("decode + re-encode", True))}
    mib = 1024 * 1024
    ours, theirs = runs["pass-through"], runs["decode + re-encode"]
    ratio = ours["seconds"] / theirs["seconds"]
    return [
        Result(f"prepare {COUNT} JPEGs {WIDTH}x{HEIGHT}: pass-through / decode+re-encode (time)",
               f"{ratio:.3f}x ({ours['seconds']:.2f}s vs {theirs['seconds']:.2f}s)", f"<= {TARGET}x",
               ratio <= TARGET, f"each file {size / mib:.1f} MiB; run in fresh processes", runs),
        Result(f"prepare {COUNT} JPEGs {WIDTH}x{HEIGHT}: peak memory growth, pass-through",
               f"{ours['rss_growth'] / mib:.0f} MiB = {ours['rss_growth'] / (COUNT * size):.2f} x the files",
               f"<= {MEMORY_TARGET} x the files ({COUNT * size / mib:.0f} MiB)",
               ours["rss_growth"] <= MEMORY_TARGET * COUNT * size,
               f"decode + re-encode: {theirs['rss_growth'] / mib:.0f} MiB (each decoded image is "
               f"{WIDTH}x{HEIGHT}x3 = {WIDTH * HEIGHT * 3 / mib:.0f} MiB)", runs),
    ]
