"""Batch: 200 jobs at concurrency 16 against an emulator answering after 0.5 s.

Ideal: 200 / 16 x 0.5 s = 6.25 s (13 rounds of 16 make it 6.5 s at best). ``run_batch``
includes everything a real run does: reading and checking the jobs file, the manifest (one
fsync'd line per job), atomic fsync'd image files. The raw-SDK row is a hand-written thread
pool that only writes the images. Each side runs three times (once with ``--quick``), each run
into a fresh folder; the medians are compared.
"""

from __future__ import annotations

import base64
import json
import statistics
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.common import SMALL, Result, emulator, gpt_router, openai_client, timed

LATENCY = 0.5
CONCURRENCY = 16
TARGET = 1.2  # x ideal


def run(quick: bool = False) -> list[Result]:
    jobs = 64 if quick else 200
    ideal = jobs / CONCURRENCY * LATENCY
    options = {k: v for k, v in SMALL.items() if k != "model"}
    with emulator(latency=LATENCY) as url, tempfile.TemporaryDirectory() as tmp:
        from tryon.batch import run_batch

        folder = Path(tmp)
        jobs_file = folder / "jobs.jsonl"
        jobs_file.write_text("".join(
            json.dumps({"prompt": f"Catalog item {i}", "model": SMALL["model"], "options": options}) + "\n"
            for i in range(jobs)))
        router = gpt_router(url)
        client = openai_client(url)
        summary = None
        rounds = 1 if quick else 3

        def framework(round_: int) -> None:
            nonlocal summary
            summary = run_batch(jobs_file, folder / f"tryon-{round_}", router=router, concurrency=CONCURRENCY)

        def raw_job(out: Path, i: int) -> None:
            response = client.images.generate(model=SMALL["model"], prompt=f"Catalog item {i}", **options)
            (out / f"{i}.jpg").write_bytes(base64.b64decode(response.data[0].b64_json))

        def raw(round_: int) -> None:
            out = folder / f"raw-{round_}"
            out.mkdir()
            with ThreadPoolExecutor(CONCURRENCY) as pool:
                list(pool.map(lambda i: raw_job(out, i), range(jobs)))

        ours = statistics.median(timed(lambda r=r: framework(r)) for r in range(rounds))
        theirs = statistics.median(timed(lambda r=r: raw(r)) for r in range(rounds))
    assert summary is not None and summary.succeeded == jobs, summary
    return [Result(
        f"batch: {jobs} jobs, concurrency {CONCURRENCY}, L={LATENCY}s",
        f"{ours:.2f}s = {ours / ideal:.2f} x ideal",
        f"<= {TARGET} x ideal ({ideal:.2f}s)", ours <= TARGET * ideal,
        f"raw SDK thread pool writing the images: {theirs:.2f}s ({theirs / ideal:.2f} x ideal)",
        {"seconds": ours, "raw_seconds": theirs, "ideal": ideal})]
