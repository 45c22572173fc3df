"""A batch of try-ons on the dedicated FASHN models: pre-flight refusals, credits in the plan, resume."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fashn_helpers import PERSON, SHIRT, make_router

from tryon.batch import JobFileError, plan_batch, run_batch
from tryon.testing.fashn_emulator import FashnEmulator


@pytest.fixture
def emu() -> Iterator[FashnEmulator]:
    with FashnEmulator(pending_polls=1) as emulator:
        yield emulator


def write_jobs(folder: Path, jobs: list[dict[str, Any]]) -> Path:
    (folder / "me.png").write_bytes(PERSON)
    (folder / "shirt.png").write_bytes(SHIRT)
    path = folder / "jobs.jsonl"
    path.write_text("".join(json.dumps(j) + "\n" for j in jobs))
    return path


JOBS = [
    {"person": "me.png", "garments": "shirt.png", "model": "fashn-tryon-v1.6",
     "options": {"category": "top", "mode": "speed"}, "name": "tee"},
    {"person": "me.png", "garments": [{"image": "shirt.png", "category": "skirt"}], "model": "fashn-tryon-v1.6",
     "options": {"n": 2}, "name": "skirt"},
    {"person": "me.png", "garments": "shirt.png", "model": "fashn-tryon-max",
     "options": {"category": "shoes"}, "prompt": "laces tied", "name": "shoes"},
]


def test_preflight_refuses_what_fashn_cannot_honour_and_sends_nothing(emu: FashnEmulator, tmp_path: Path) -> None:
    path = write_jobs(tmp_path, [*JOBS,
                                 {"person": "me.png", "garments": "shirt.png", "model": "fashn-tryon-v1.6",
                                  "options": {"category": "shoes"}},
                                 {"person": "me.png", "garments": "shirt.png", "model": "fashn-tryon-v1.6",
                                  "prompt": "tuck it in"}])
    with pytest.raises(JobFileError) as info:
        run_batch(path, tmp_path / "out", router=make_router(emu))
    text = str(info.value)
    assert "line 4" in text and "shoes" in text and "line 5" in text and "prompt" in text
    assert emu.requests == []


def test_the_plan_prices_the_jobs_in_fashn_credits(emu: FashnEmulator, tmp_path: Path) -> None:
    plan = plan_batch(write_jobs(tmp_path, JOBS), tmp_path / "out", router=make_router(emu))
    assert [p.estimate_usd for p in plan.jobs] == pytest.approx([0.075, 0.15, 0.375])
    assert emu.requests == []


def test_a_batch_of_fashn_try_ons_runs_and_resumes(emu: FashnEmulator, tmp_path: Path) -> None:
    path, out = write_jobs(tmp_path, JOBS), tmp_path / "out"
    emu.fail_prediction_next("PipelineError")
    first = run_batch(path, out, router=make_router(emu, max_retries=0), concurrency=1, retries=0)
    assert (first.total, first.succeeded, first.failed) == (3, 2, 1)
    runs = len(emu.runs)
    second = run_batch(path, out, router=make_router(emu, max_retries=0))
    assert (second.skipped, second.succeeded, second.failed) == (2, 1, 0)
    assert len(emu.runs) == runs + 1  # only the failed prediction was started again
    assert (out / "tee.png").is_file() and (out / "shoes.png").is_file()
    assert len(list(out.glob("skirt*.png"))) == 2
