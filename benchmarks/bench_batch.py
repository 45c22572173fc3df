"""Batch: 200 jobs at concurrency 16 against an emulator answering after 0.5 s.

Ideal: 200 / 16 x 0.5 s = 6.25 s (13 rounds of 16 make it 6.5 s at best). ``run_batch``
includes everything a real run does: reading and checking the jobs file, the manifest (one
fsync'd line per job), atomic fsync'd image files. The raw-SDK row is a hand-written thread
pool that only writes the images.
"""

from __future__ import annotations

import base64
import json
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

        def framework() -> None:
            nonlocal summary
            summary = run_batch(jobs_file, folder / "tryon", router=router, concurrency=CONCURRENCY)

        def raw_job(i: int) -> None:
            response = client.images.generate(model=SMALL["model"], prompt=f"Catalog item {i}", **options)
            (folder / "raw" / f"{i}.jpg").write_bytes(base64.b64decode(response.data[0].b64_json))

        def raw() -> None:
            (folder / "raw").mkdir()
            with ThreadPoolExecutor(CONCURRENCY) as pool:
                list(pool.map(raw_job, range(jobs)))

        ours = timed(framework)
        theirs = timed(raw)
    assert summary is not None and summary.succeeded == jobs, summary
    return [Result(
        f"batch: {jobs} jobs, concurrency {CONCURRENCY}, L={LATENCY}s",
        f"{ours:.2f}s = {ours / ideal:.2f} x ideal",
        f"<= {TARGET} x ideal ({ideal:.2f}s)", ours <= TARGET * ideal,
        f"raw SDK thread pool writing the images: {theirs:.2f}s ({theirs / ideal:.2f} x ideal)",
        {"seconds": ours, "raw_seconds": theirs, "ideal": ideal})]
