"""Batch pre-flight and dry runs: every local problem of every job listed before anything is sent."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tryon.batch import JobFileError, plan_batch, run_batch
from tryon.cli.app import build_cli
from tryon.testing.synth import synth_image


def write_jobs(path: Path, jobs: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(j) + "\n" for j in jobs))
    return path


def invoke(*args: str) -> Any:
    return CliRunner().invoke(build_cli(plugins=False), ["batch", *args])


def _noise_png(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=0)
    return buffer.getvalue()


def _white_png(width: int, height: int) -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def _mixed_jobs(tmp_path: Path) -> tuple[Path, list[str]]:
    """30 jobs: 24 valid ones and the issue's six mistakes, each with what its error must say."""
    person = synth_image(1024, 1024, "png", transparent=False, seed_text="person")
    (tmp_path / "person.png").write_bytes(person)
    (tmp_path / "notes.txt").write_text("this is not an image\n")
    (tmp_path / "cut.png").write_bytes(person[: len(person) // 2])
    (tmp_path / "wide-mask.png").write_bytes(synth_image(1024, 512, "png", transparent=True, seed_text="m"))
    (tmp_path / "white-mask.png").write_bytes(_white_png(1024, 1024))
    (tmp_path / "huge.png").write_bytes(_noise_png(1800, 1500))  # about 8 MB: over Gemini's 7 MB
    assert (tmp_path / "huge.png").stat().st_size > 7 * 1024 * 1024
    good = [{"prompt": f"Product shot {i}", "options": {"quality": "low"}} for i in range(24)]
    bad = [
        {"prompt": "Edit a text file", "images": ["notes.txt"], "name": "text-file"},
        {"prompt": "Edit a cut image", "images": ["cut.png"], "name": "truncated"},
        {"prompt": "Wrong mask", "images": ["person.png"], "mask": "wide-mask.png", "name": "wide-mask"},
        {"prompt": "White mask", "images": ["person.png"], "mask": "white-mask.png", "name": "white-mask"},
        {"prompt": "Too big for Gemini", "images": ["huge.png"], "model": "gemini-3-pro-image",
         "name": "huge"},
        {"prompt": "Needs a Gemini key", "model": "gemini-3-pro-image", "name": "keyless"},
    ]
    jobs = good[:10] + bad[:3] + good[10:20] + bad[3:] + good[20:]
    assert len(jobs) == 30
    return write_jobs(tmp_path / "jobs.jsonl", jobs), ["line 11", "line 12", "line 13", "line 24", "line 25",
                                                       "GEMINI_API_KEY"]


def test_the_issues_mix_of_mistakes_is_refused_whole_before_any_request(
        openai_emulator: Any, gemini_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY")
    path, expected = _mixed_jobs(tmp_path)
    result = invoke(str(path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    text = result.stderr
    assert "6 problems" in text and "nothing was sent" in text
    for needle in expected:
        assert needle in text
    assert "not a recognised image" in text or "notes.txt" in text
    assert "cut.png" in text and "wide-mask.png" in text and "white-mask.png" in text and "huge.png" in text
    assert "needed by line 26 (keyless)" in text
    assert openai_emulator.requests == [] and gemini_emulator.requests == []
    assert not (tmp_path / "out" / "manifest.jsonl").exists()


def test_a_missing_key_of_any_model_of_a_preference_list_is_a_problem(openai_emulator: Any, tmp_path: Path) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", [{"prompt": "x", "model": ["gpt-image-2.6-sunburst", "flux-2-pro"]}])
    result = invoke(str(path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "BFL_API_KEY" in result.stderr
    assert openai_emulator.requests == []


def test_an_unwritable_output_folder_is_a_problem_before_any_request(openai_emulator: Any, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        (tmp_path / "a-file").write_text("x")  # root writes anywhere: a file where a parent folder should be
        target = tmp_path / "a-file" / "out"
    else:
        locked = tmp_path / "ro"
        locked.mkdir()
        locked.chmod(0o500)
        target = locked / "out"
    path = write_jobs(tmp_path / "jobs.jsonl", [{"prompt": "x"}])
    result = invoke(str(path), "-o", str(target))
    assert result.exit_code == 2, result.output
    assert "output folder" in result.stderr
    assert openai_emulator.requests == []


def test_a_fill_job_without_a_mask_is_refused_as_data(bfl_emulator: Any, tmp_path: Path) -> None:
    (tmp_path / "p.png").write_bytes(synth_image(512, 512, "png", transparent=False, seed_text="p"))
    path = write_jobs(tmp_path / "jobs.jsonl", [{"prompt": "x", "images": ["p.png"], "model": "flux-pro-1.0-fill"}])
    result = invoke(str(path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "needs a mask" in result.stderr
    assert bfl_emulator.requests == []


def test_dry_run_reports_jobs_images_calls_cost_per_model_unpriced_jobs_and_time(
        openai_emulator: Any, bfl_emulator: Any, tmp_path: Path) -> None:
    (tmp_path / "p.png").write_bytes(synth_image(512, 512, "png", transparent=False, seed_text="p"))
    (tmp_path / "m.png").write_bytes(synth_image(512, 512, "png", transparent=True, seed_text="m"))
    jobs = [{"prompt": f"p{i}", "options": {"quality": "low", "n": 3}} for i in range(4)]
    # FLUX Erase has no published price (Fill has one since 2026-12-01)
    jobs.append({"prompt": "fill", "images": ["p.png"], "mask": "m.png", "model": "flux-erase-v1", "name": "f"})
    path = write_jobs(tmp_path / "jobs.jsonl", jobs)
    result = invoke(str(path), "-o", str(tmp_path / "out"), "--dry-run", "--max-per-minute", "6", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["sent"] is False and data["jobs"] == 5 and data["images"] == 13
    sunburst = data["per_model"]["gpt-image-2.6-sunburst"]
    assert sunburst["images"] == 12 and sunburst["usd"] > 0
    assert data["per_model"]["flux-erase-v1"]["usd"] is None
    assert data["unpriced_jobs"] == ["line 5 (f)"]
    assert data["minimum_seconds"] == pytest.approx(data["calls"] / 6 * 60)
    text = invoke(str(path), "-o", str(tmp_path / "out"), "--dry-run").stdout
    assert "1 job(s) have no price data: line 5 (f)" in text and "no rate limit set" in text
    assert openai_emulator.requests == [] and bfl_emulator.requests == []
    assert not (tmp_path / "out").exists()


def test_plan_batch_counts_what_an_earlier_run_did(openai_emulator: Any, tmp_path: Path) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", [{"prompt": f"p{i}", "options": {"quality": "low"}} for i in range(3)])
    run_batch(path, tmp_path / "out")
    plan = plan_batch(path, tmp_path / "out")
    assert (plan.total, plan.done, len(plan.jobs), plan.images) == (3, 3, 0, 0)


def test_csv_and_json_array_job_files(openai_emulator: Any, tmp_path: Path) -> None:
    (tmp_path / "jobs.csv").write_text("prompt,name,quality,n\nA red bag,bag,low,2\n\n\"A hat, blue\",hat,low,1\n")
    jobs = plan_batch(tmp_path / "jobs.csv", tmp_path / "out").jobs
    assert [(p.job.name, p.job.n, dict(p.job.options)) for p in jobs] == [
        ("bag", 2, {"quality": "low", "n": 2}), ("hat", 1, {"quality": "low", "n": 1})]
    assert [p.job.line for p in jobs] == [2, 4]
    (tmp_path / "jobs.json").write_text('[\n {"prompt": "one"},\n {"prompt": "two", "name": "t"}\n]\n')
    assert [p.job.line for p in plan_batch(tmp_path / "jobs.json", tmp_path / "out").jobs] == [2, 3]
    (tmp_path / "bad.json").write_text('[\n {"prompt": "one"},\n {"prompt": 5}\n]\n')
    with pytest.raises(JobFileError, match="line 3"):
        plan_batch(tmp_path / "bad.json", tmp_path / "out")
    (tmp_path / "bad.csv").write_text("name,size\nx,1024x1024\n")
    with pytest.raises(JobFileError, match='"prompt" column'):
        plan_batch(tmp_path / "bad.csv", tmp_path / "out")


def test_batch_wide_defaults_fill_what_jobs_leave_out(openai_emulator: Any, tmp_path: Path) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", [{"prompt": "a"}, {"prompt": "b", "options": {"quality": "high"}}])
    result = invoke(str(path), "-o", str(tmp_path / "out"), "-m", "gpt-image-2", "--option", "quality=low",
                    "--option", "size=1024x1536", "--sidecar")
    assert result.exit_code == 0, result.output
    params = sorted((r.params["prompt"], r.params["model"], r.params["quality"], r.params["size"])
                    for r in openai_emulator.requests)
    assert params == [("a", "gpt-image-2", "low", "1024x1536"), ("b", "gpt-image-2", "high", "1024x1536")]
    assert len(list((tmp_path / "out").glob("*.png.json"))) == 2


def test_job_ids_take_the_batch_wide_defaults_into_account(tmp_path: Path) -> None:
    from tryon.batch import JobDefaults, load_jobs

    path = write_jobs(tmp_path / "jobs.jsonl", [{"prompt": "a"}, {"prompt": "b", "id": "mine"},
                                                {"prompt": "c", "options": {"quality": "high"}}])
    plain = load_jobs(path)
    low = load_jobs(path, JobDefaults(options={"quality": "low"}))
    high = load_jobs(path, JobDefaults(options={"quality": "high"}))
    other_model = load_jobs(path, JobDefaults(model="gpt-image-2"))
    assert len({plain[0].id, low[0].id, high[0].id, other_model[0].id}) == 4  # what it asks for differs
    assert plain[1].id == low[1].id == "mine"  # an explicit id is the user's: kept
    assert plain[2].id == high[2].id  # its own option wins: it asks for the same, so it is the same job
    assert low[2].id == plain[2].id and low[2].options["quality"] == "high"
    # the same as writing the defaults into the line
    written = load_jobs(write_jobs(tmp_path / "w.jsonl", [{"prompt": "a", "options": {"quality": "low"}}]))
    assert written[0].id == low[0].id
    again = load_jobs(write_jobs(tmp_path / "m.jsonl", [{"prompt": "a", "model": "gpt-image-2"}]))
    assert again[0].id == other_model[0].id


def test_a_rerun_with_other_options_is_not_taken_as_done(openai_emulator: Any, tmp_path: Path) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", [{"prompt": "a"}])
    out = str(tmp_path / "out")
    assert invoke(str(path), "-o", out, "--option", "quality=low").exit_code == 0
    assert invoke(str(path), "-o", out, "--option", "quality=low").exit_code == 0  # done: skipped
    assert len(openai_emulator.requests) == 1
    result = invoke(str(path), "-o", out, "--option", "quality=high")
    assert result.exit_code == 0, result.output
    assert [r.params["quality"] for r in openai_emulator.requests] == ["low", "high"]
    assert len(list((tmp_path / "out").glob("*.png"))) == 2


def test_provider_settings_for_a_batch(openai_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL")
    path = write_jobs(tmp_path / "jobs.jsonl", [{"prompt": "a"}])
    result = invoke(str(path), "-o", str(tmp_path / "out"), "--setting", f"openai.base_url={openai_emulator.base_url}")
    assert result.exit_code == 0, result.output
    assert len(openai_emulator.requests) == 1
    bad = invoke(str(path), "-o", str(tmp_path / "out2"), "--setting", "opnai.base_url=x")
    assert bad.exit_code == 2 and "known providers" in bad.stderr
