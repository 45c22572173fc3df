"""Batches of try-ons: JSONL/JSON/CSV jobs, pre-flight, dry run and resume, against the OpenAI emulator
(composition on GPT-Image through the real plugin)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from emulated_router import gpt_router
from try_on_images import jeans, person, shirt, torso_mask

from tryon.batch import JobFileError, ManifestIndex, load_jobs, plan_batch, run_batch
from tryon.testing.openai_emulator import OpenAIEmulator

MODEL = "gpt-image-2.6-sunburst"


@pytest.fixture
def emu() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as emulator:
        yield emulator


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "me.png").write_bytes(person())
    (tmp_path / "shirt.png").write_bytes(shirt())
    (tmp_path / "jeans.png").write_bytes(jeans())
    (tmp_path / "mask.png").write_bytes(torso_mask())
    return tmp_path


def write_jobs(path: Path, jobs: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(j) + "\n" for j in jobs))
    return path


def try_on_jobs() -> list[dict[str, Any]]:
    low = {"quality": "low", "size": "1024x1536"}
    return [
        {"person": "me.png", "garments": "shirt.png", "options": {"category": "top", **low}, "name": "shirt"},
        {"person": "me.png", "garments": [{"image": "shirt.png", "category": "top"},
                                          {"image": "jeans.png", "category": "trousers"}],
         "prompt": "Tuck the shirt in.", "options": low, "name": "outfit"},
        {"person": "me.png", "garments": ["shirt.png", "jeans.png"], "mask": "mask.png",
         "options": {"category": ["top", "bottom"], "n": 2, **low}},
        {"prompt": "A plain product shot", "options": low, "name": "product"},  # not a try-on: mixed in
    ]


def test_try_on_jobs_are_parsed_with_their_garments_and_categories(folder: Path) -> None:
    jobs = load_jobs(write_jobs(folder / "jobs.jsonl", try_on_jobs()))
    assert [j.is_try_on for j in jobs] == [True, True, True, False]
    assert jobs[0].garments == ((str(folder / "shirt.png"), "top"),) and jobs[0].person == str(folder / "me.png")
    assert [c for _, c in jobs[2].garments or ()] == ["top", "bottom"] and "category" not in jobs[2].options
    assert jobs[2].mask == str(folder / "mask.png") and jobs[2].prompt == ""
    assert jobs[2].stem.startswith("try-on-top-bottom-")


def test_csv_try_on_jobs(folder: Path) -> None:
    path = folder / "jobs.csv"
    path.write_text("person,garments,category,quality,name\n"
                    "me.png,shirt.png;jeans.png,top;trousers,low,look\n"
                    "me.png,shirt.png,outerwear,,jacket\n")
    jobs = load_jobs(path)
    assert [[c for _, c in j.garments or ()] for j in jobs] == [["top", "trousers"], ["outerwear"]]
    assert jobs[0].options == {"quality": "low"}


def test_bad_try_on_jobs_are_reported_with_their_lines(folder: Path) -> None:
    path = write_jobs(folder / "jobs.jsonl", [
        {"person": "me.png"},
        {"person": "missing.png", "garments": "shirt.png"},
        {"person": "me.png", "garments": [{"image": "shirt.png", "category": "topp"}]},
        {"person": "me.png", "garments": ["shirt.png"], "images": ["me.png"]},
        {"person": "me.png", "garments": ["shirt.png", "jeans.png"], "options": {"category": ["top"]}},
    ])
    with pytest.raises(JobFileError) as info:
        load_jobs(path)
    text = str(info.value)
    assert 'line 1: a try-on needs "garments"' in text
    assert "line 2: person 'missing.png' not found" in text
    assert "line 3: garment 1 category='topp' is not a tryon garment category; did you mean 'top'?" in text
    assert "line 4: a job is an edit" in text and "line 5: options.category lists 1 categories for 2" in text


def test_preflight_refuses_what_a_model_cannot_honour_before_sending(emu: OpenAIEmulator, folder: Path) -> None:
    path = write_jobs(folder / "jobs.jsonl", [
        *try_on_jobs(),
        {"person": "me.png", "garments": "shirt.png", "options": {"mode": "quality"}, "name": "fast"},
        {"person": "me.png", "garments": ["shirt.png"] * 16, "name": "many"},
    ])
    with pytest.raises(JobFileError) as info:
        run_batch(path, folder / "out", router=gpt_router(emu))
    text = str(info.value)
    assert "line 5: gpt-image-2.6-sunburst does not support mode='quality'" in text
    assert "line 6: gpt-image-2.6-sunburst takes at most 15 garments per try-on (got 16)" in text
    assert emu.requests == []


def test_a_dry_run_plans_and_prices_the_try_ons(emu: OpenAIEmulator, folder: Path) -> None:
    plan = plan_batch(write_jobs(folder / "jobs.jsonl", try_on_jobs()), folder / "out", router=gpt_router(emu))
    assert [p.images for p in plan.jobs] == [1, 1, 2, 1]
    assert all(p.estimate_usd is not None and p.estimate_usd > 0 for p in plan.jobs)
    assert emu.requests == []


def test_a_batch_of_try_ons_runs_and_resumes(emu: OpenAIEmulator, folder: Path) -> None:
    path = write_jobs(folder / "jobs.jsonl", try_on_jobs())
    out = folder / "out"
    emu.fail_next(500)  # the first call fails (no retries): its job is left for the resume
    first = run_batch(path, out, router=gpt_router(emu, max_retries=0), concurrency=1, retries=0)
    assert (first.total, first.succeeded, first.failed) == (4, 3, 1)
    edits = emu.requests_to("/images/edits")
    assert len(edits) == 3 and len(emu.requests) == 4  # the failed call, then two try-ons and the product shot
    (failure,) = first.failures
    before = len(emu.requests)
    second = run_batch(path, out, router=gpt_router(emu, max_retries=0))
    assert (second.skipped, second.succeeded, second.failed, second.exit_code) == (3, 1, 0, 0)
    assert len(emu.requests) == before + 1  # only the failed job was asked for again
    assert ManifestIndex.read(out).get(failure.id).ok  # type: ignore[union-attr]
    resent = emu.requests[-1]
    assert len(resent.files["image[]"]) == 2  # the person and the shirt of the first job
    assert (out / "shirt.png").is_file() and (out / "outfit.png").is_file()
    again = run_batch(path, out, router=gpt_router(emu))
    assert (again.skipped, again.succeeded) == (4, 0) and len(emu.requests) == before + 1
    outfit = next(e for e in emu.requests_to("/images/edits") if "Tuck the shirt in." in e.params["prompt"])
    assert [f.data for f in outfit.files["image[]"]] == [person(), shirt(), jeans()]
    masked = [e for e in emu.requests_to("/images/edits") if "mask" in e.files]
    assert len(masked) == 1 and masked[0].params["n"] == "2"  # a multipart form field
