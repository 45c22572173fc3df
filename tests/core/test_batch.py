"""Batch runs: saved as they go, resumable after failures and kills, one shared rate limit."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner
from emulated_router import gpt_router

import tryon
from tryon.batch import (
    BatchInterrupted,
    Job,
    JobFileError,
    Manifest,
    ManifestIndex,
    Progress,
    RateLimiter,
    Record,
    Shard,
    load_jobs,
    run_batch,
)
from tryon.cli.app import build_cli
from tryon.testing.openai_emulator import OpenAIEmulator
from tryon.testing.synth import synth_image

MODEL = "gpt-image-2.6-sunburst"


@pytest.fixture
def emu() -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator() as emulator:
        yield emulator


def write_jobs(path: Path, jobs: Sequence[dict[str, Any] | str]) -> Path:
    path.write_text("".join((j if isinstance(j, str) else json.dumps(j)) + "\n" for j in jobs))
    return path


def simple_jobs(count: int, **options: Any) -> list[dict[str, Any]]:
    return [{"prompt": f"Product shot number {i}", "options": {"quality": "low", "output_format": "jpeg",
                                                               **options}} for i in range(count)]


def manifest_lines(directory: Path) -> list[dict[str, Any]]:
    lines = []
    for path in sorted(directory.glob("manifest*.jsonl")):
        lines += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return lines


def outcome_lines(directory: Path) -> list[dict[str, Any]]:
    """The manifest lines that record outcomes (not the intent lines written before each image is saved)."""
    return [line for line in manifest_lines(directory) if not (line.get("error") or "").startswith("in progress")]


def prompts(requests: Sequence[Any]) -> list[str]:
    return [r.params["prompt"] for r in requests]


# --------------------------------------------------------------------------- jobs file


def test_jobs_are_parsed_with_stable_ids_and_paths_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "person.png").write_bytes(synth_image(64, 64, "png", transparent=False, seed_text="p"))
    path = write_jobs(tmp_path / "jobs.jsonl", [
        '{"prompt": "A hat",   "options": {"n": 2}}',
        "",
        {"prompt": "Red hat", "images": "in/person.png", "model": ["gpt-image-2", MODEL], "name": "hat",
         "id": 7},
    ])
    first, second = load_jobs(path)
    assert (first.line, first.n, first.model, first.is_edit) == (1, 2, None, False)
    same = load_jobs(write_jobs(tmp_path / "again.jsonl", ['{"options":{"n":2},"prompt":"A hat"}']))
    assert first.id == same[0].id  # the default id ignores spacing and key order
    assert (second.line, second.id, second.name, second.model) == (3, "7", "hat", ("gpt-image-2", MODEL))
    assert second.images == (str(tmp_path / "in" / "person.png"),)
    assert [first.file_stem(0), first.file_stem(1)] == [f"a-hat-{first.id[:8]}-0", f"a-hat-{first.id[:8]}-1"]
    assert second.file_stem(0) == "hat"


def test_every_bad_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", [
        {"prompt": "ok"},
        '{"prompt": "broken",',
        {"prompt": "x", "size": "1024x1024"},
        {"prompt": ""},
        {"prompt": "y", "images": ["missing.png"]},
        {"prompt": "ok"},
        {"prompt": "z", "options": {"n": 0}, "name": "../up"},
    ])
    with pytest.raises(JobFileError) as info:
        load_jobs(path)
    assert isinstance(info.value, ValueError)
    text = str(info.value)
    assert "line 2: not valid JSON" in text
    assert "line 3: unknown field 'size'" in text and 'inside "options"' in text
    assert 'line 4: "prompt" is required' in text
    assert "line 5: image 'missing.png' not found" in text
    assert "line 6: same id" in text and "as line 1" in text
    assert "line 7: options.n=0" in text and "line 7: \"name\" '../up'" in text
    assert [line for line, _ in info.value.problems] == [2, 3, 4, 5, 6, 7, 7]


def test_shards_are_disjoint_and_cover_every_job(tmp_path: Path) -> None:
    jobs = load_jobs(write_jobs(tmp_path / "jobs.jsonl", simple_jobs(60)))
    shards = [{job.id for job in Shard.parse(f"{i}/3").select(jobs)} for i in (1, 2, 3)]
    assert all(shards)
    assert not (shards[0] & shards[1]) and not (shards[0] & shards[2]) and not (shards[1] & shards[2])
    assert set().union(*shards) == {job.id for job in jobs}
    # membership depends on the job, not on its position: reordering the file changes nothing
    assert {j.id for j in Shard.parse("2/3").select(reversed(jobs))} == shards[1]
    for bad in ("0/3", "4/3", "3", "a/b", "1/0"):
        with pytest.raises(tryon.InvalidOptionError, match="not I/N"):
            Shard.parse(bad)


# --------------------------------------------------------------------------- manifest


def test_manifest_reading_tolerates_a_torn_last_line(tmp_path: Path) -> None:
    with Manifest(tmp_path) as manifest:
        manifest.append(Record(id="a", status="ok", files=["a.png"], finished="2026-01-01T00:00:01"))
    with (tmp_path / "manifest.jsonl").open("a") as handle:
        handle.write('{"id": "b", "status": "o')  # the process died mid-line
    index = ManifestIndex.read(tmp_path)
    assert index.torn_lines == 1 and index.get("a") is not None and index.get("b") is None
    with Manifest(tmp_path) as manifest:  # appending after the torn line starts a fresh line
        manifest.append(Record(id="b", status="failed", error="boom", finished="2026-01-01T00:00:02"))
    index = ManifestIndex.read(tmp_path)
    record = index.get("b")
    assert record is not None and record.error == "boom" and index.torn_lines == 1


# --------------------------------------------------------------------------- runs


def test_a_batch_saves_every_job_and_records_it(emu: OpenAIEmulator, tmp_path: Path) -> None:
    (tmp_path / "person.png").write_bytes(synth_image(1024, 1024, "png", transparent=False, seed_text="p"))
    path = write_jobs(tmp_path / "jobs.jsonl", [
        *simple_jobs(3),
        {"prompt": "Three shoes", "options": {"n": 3, "quality": "low"}, "name": "shoes"},
        {"prompt": "Add a red hat", "images": ["person.png"], "options": {"quality": "low"}, "name": "hat"},
        {"prompt": "Falls back", "model": ["gpt-image-2", MODEL], "options": {"size": "1536x864"}},
    ])
    out = tmp_path / "out"
    summary = run_batch(path, out, router=gpt_router(emu), concurrency=4)

    assert (summary.total, summary.succeeded, summary.failed, summary.images) == (6, 6, 0, 8)
    assert summary.exit_code == 0 and summary.cost_usd is not None and summary.cost_usd > 0
    lines = outcome_lines(out)
    assert len(lines) == 6 and {line["status"] for line in lines} == {"ok"}
    for line in lines:
        assert line["files"] and all((out / f).is_file() for f in line["files"])
        assert line["usage"]["output_tokens"] > 0 and line["started"] <= line["finished"]
    by_name = {line["name"]: line for line in lines}
    assert by_name["shoes"]["files"] == ["shoes-0.png", "shoes-1.png", "shoes-2.png"]
    assert by_name["hat"]["files"] == ["hat.png"]
    assert len(emu.requests_to("/images/edits")) == 1
    assert {line["model"] for line in lines} == {MODEL, "gpt-image-2"}

    again = run_batch(path, out, router=gpt_router(emu))
    assert (again.skipped, again.succeeded, again.images) == (6, 0, 0)
    assert len(emu.requests) == 6  # nothing was requested again


def test_resume_runs_only_the_failed_job(emu: OpenAIEmulator, tmp_path: Path) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", simple_jobs(4))
    out = tmp_path / "out"
    emu.fail_next(500)
    first = run_batch(path, out, router=gpt_router(emu, max_retries=0), concurrency=1, retries=0)
    assert (first.succeeded, first.failed, first.exit_code) == (3, 1, 1)
    (failure,) = first.failures
    assert "HTTP 500" in failure.error and failure.line == 1
    assert manifest_lines(out)[0]["status"] == "failed"

    before = len(emu.requests)
    second = run_batch(path, out, router=gpt_router(emu, max_retries=0))
    assert (second.skipped, second.succeeded, second.failed, second.exit_code) == (3, 1, 0, 0)
    assert prompts(emu.requests[before:]) == ["Product shot number 0"]
    assert ManifestIndex.read(out).get(failure.id).ok  # type: ignore[union-attr]


def test_a_job_missing_its_files_runs_again(emu: OpenAIEmulator, tmp_path: Path) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", simple_jobs(2))
    out = tmp_path / "out"
    run_batch(path, out, router=gpt_router(emu))
    deleted = manifest_lines(out)[0]
    (out / deleted["files"][0]).unlink()
    summary = run_batch(path, out, router=gpt_router(emu))
    assert (summary.skipped, summary.succeeded) == (1, 1)
    assert all((out / f).is_file() for line in manifest_lines(out)[-1:] for f in line["files"])


def test_a_resumed_job_fills_the_names_of_its_missing_files(emu: OpenAIEmulator, tmp_path: Path) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", [{"prompt": "bags", "name": "handbag", "options": {"n": 4}}])
    out = tmp_path / "out"
    run_batch(path, out, router=gpt_router(emu))
    (out / "handbag-2.png").unlink()
    run_batch(path, out, router=gpt_router(emu))
    assert sorted(p.name for p in out.glob("handbag*.png")) == [f"handbag-{i}.png" for i in range(4)]
    assert sorted(manifest_lines(out)[-1]["files"]) == [f"handbag-{i}.png" for i in range(4)]


def test_partial_results_are_kept_and_resume_asks_only_for_the_rest(emu: OpenAIEmulator,
                                                                    tmp_path: Path) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", [{"prompt": "Thirty shirts", "name": "shirt",
                                                 "options": {"n": 30, "quality": "low"}}])
    out = tmp_path / "out"
    emu.fail_next(500)
    first = run_batch(path, out, router=gpt_router(emu, max_retries=0), retries=0)
    assert (first.failed, first.images) == (1, 20)
    line = manifest_lines(out)[-1]
    assert line["status"] == "failed" and len(line["files"]) == 20
    assert all((out / f).is_file() for f in line["files"])

    emu.reset()
    second = run_batch(path, out, router=gpt_router(emu, max_retries=0))
    assert [r.params["n"] for r in emu.requests] == [10]  # only the missing ten
    assert (second.succeeded, second.images) == (1, 10)
    final = manifest_lines(out)[-1]
    assert final["status"] == "ok" and len(final["files"]) == 30
    assert sorted(final["files"]) == sorted(f"shirt-{i}.png" for i in range(30))


def test_retryable_failures_are_retried_within_the_run(emu: OpenAIEmulator, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tryon.batch.runner._backoff", lambda attempt: 0.01)
    path = write_jobs(tmp_path / "jobs.jsonl", simple_jobs(1))
    emu.fail_next(503, times=2)
    summary = run_batch(path, tmp_path / "out", router=gpt_router(emu, max_retries=0), retries=2)
    assert (summary.succeeded, summary.failed) == (1, 0)
    assert len(emu.requests) == 3 and manifest_lines(tmp_path / "out")[0]["attempts"] == 3


def test_a_rate_limit_pauses_every_worker(emu: OpenAIEmulator, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", simple_jobs(12))
    emu.set_latency(0.2)
    emu.fail_next(429, retry_after=1)
    # the batch's own router (router=None): the SDK's retries must not swallow the 429
    monkeypatch.setenv("OPENAI_BASE_URL", emu.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    summary = run_batch(path, tmp_path / "out", concurrency=4)
    assert (summary.succeeded, summary.failed) == (12, 0)

    arrivals = sorted(r.timestamp for r in emu.requests)
    refused = arrivals[0]  # the first request in got the 429, 0.2 s later
    quiet = [t - refused for t in arrivals if refused + 0.3 < t < refused + 1.15]
    assert not quiet, f"requests reached the emulator during the cool-down: {quiet}"
    assert len(emu.requests) == 13


class _RecordingLimiter(RateLimiter):
    """The batch's limiter, recording when it let each call start (its own clock)."""

    def __init__(self, max_calls: float) -> None:
        super().__init__(max_calls)
        self.grants: list[float] = []
        self._grants_lock = threading.Lock()

    def try_acquire(self, cost: float = 1.0) -> float:
        wait = super().try_acquire(cost)
        if wait <= 0:
            with self._grants_lock:
                self.grants.append(time.monotonic())
        return wait


def test_max_per_minute_caps_the_request_rate(emu: OpenAIEmulator, tmp_path: Path) -> None:
    # The cap is checked where it is enforced (the limiter's grants), not by when requests reach
    # the server, which a loaded machine can bunch together; load only ever widens the gaps.
    path = write_jobs(tmp_path / "jobs.jsonl", simple_jobs(10))
    limiter = _RecordingLimiter(600)  # 10 a second
    summary = run_batch(path, tmp_path / "out", router=gpt_router(emu), concurrency=5, limiter=limiter)
    assert summary.succeeded == 10
    assert len(limiter.grants) == len(emu.requests) == 10  # every request started on a grant
    grants = sorted(limiter.grants)
    gaps = [b - a for a, b in itertools.pairwise(grants)]
    assert min(gaps) >= 0.1 - 1e-3, f"two calls started {min(gaps):.3f}s apart under a 10/s cap"
    assert grants[-1] - grants[0] >= 0.9 - 1e-2  # nine gaps of 0.1 s


def test_a_fanned_out_job_counts_each_call_against_the_rate() -> None:
    clock = [0.0]
    limiter = RateLimiter(60, per=60.0, clock=lambda: clock[0])  # one call a second
    assert limiter.try_acquire(3) == 0  # a job of three calls starts...
    assert limiter.try_acquire() == pytest.approx(3.0)  # ...and the next waits for its debt
    clock[0] = 3.0
    assert limiter.try_acquire() == 0
    limiter.cool_down(5)
    clock[0] = 4.0
    assert limiter.try_acquire() == pytest.approx(4.0) and limiter.cooling_for() == pytest.approx(4.0)


async def test_the_rate_limiter_is_shared_by_asyncio_tasks() -> None:
    limiter = RateLimiter(20, per=1.0)  # one start every 50 ms
    started: list[float] = []

    async def task() -> None:
        await limiter.aacquire()
        started.append(time.monotonic())

    await asyncio.gather(*(task() for _ in range(6)))
    gaps = [b - a for a, b in itertools.pairwise(started)]
    assert min(gaps) >= 0.04


def test_shards_run_disjoint_subsets_and_together_finish_the_file(emu: OpenAIEmulator,
                                                                  tmp_path: Path) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", simple_jobs(9))
    out = tmp_path / "out"
    runs = [run_batch(path, out, router=gpt_router(emu), shard=f"{i}/3") for i in (1, 2, 3)]
    assert sum(r.total for r in runs) == 9 and all(r.failed == 0 for r in runs)
    assert sorted(p.name for p in out.glob("manifest*.jsonl")) == [
        f"manifest.shard-{i}-of-3.jsonl" for i in (1, 2, 3)]
    requested = prompts(emu.requests)
    assert len(requested) == len(set(requested)) == 9
    everything = run_batch(path, out, router=gpt_router(emu))  # no shard: all done already
    assert (everything.skipped, everything.succeeded) == (9, 0) and len(emu.requests) == 9


# --------------------------------------------------------------------------- the command line


def invoke(*args: str) -> Any:
    return CliRunner().invoke(build_cli(plugins=False), ["batch", *args])


def test_cli_runs_a_batch_and_shows_progress_on_stderr(openai_emulator: OpenAIEmulator,
                                                       tmp_path: Path) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", simple_jobs(3))
    result = invoke(str(path), "-o", str(tmp_path / "out"), "--concurrency", "2")
    assert result.exit_code == 0, result.output
    assert "batch: 3 job(s)" in result.stderr and "3/3 done, 0 failed, 0 left" in result.stderr
    assert "3 job(s): 3 done (3 now, 0 earlier), 0 failed" in result.stdout
    assert len(openai_emulator.requests) == 3

    again = invoke(str(path), "-o", str(tmp_path / "out"), "--json")
    assert again.exit_code == 0
    data = json.loads(again.stdout)
    assert (data["skipped"], data["succeeded"], data["exit_code"]) == (3, 0, 0)


def test_cli_exits_1_when_a_job_failed(openai_emulator: OpenAIEmulator, tmp_path: Path) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", simple_jobs(2))
    openai_emulator.moderate_next()  # a content-policy refusal: not retried
    result = invoke(str(path), "-o", str(tmp_path / "out"), "--concurrency", "1")
    assert result.exit_code == 1, result.output
    assert "failed: line 1" in result.stdout and "content policy" in result.stdout
    assert "failed: line 1" in result.stderr  # reported as it happens, too
    assert "run the same command again to resume" in result.stdout


@pytest.mark.parametrize(("lines", "args", "expected"), [
    (['{"prompt": "ok"}', '{"prompt": "ok 2"}', '{"prompt": nope}'], (), "jobs.jsonl line 3: not valid JSON"),
    (['{"prompt": "x", "options": {"background": "transparent", "output_format": "jpeg"}}'], (),
     "line 1: gpt-image-2.6-sunburst cannot combine background='transparent' with output_format='jpeg'"),
    (['{"prompt": "x", "model": "gpt-imag-1.5"}'], (), "line 1: unknown model 'gpt-imag-1.5'; did you mean"),
    (['{"prompt": "ok"}'], ("--shard", "4/3"), "not I/N"),
])
def test_cli_exits_2_on_invalid_input_before_sending_anything(
        openai_emulator: OpenAIEmulator, tmp_path: Path, lines: list[str], args: tuple[str, ...],
        expected: str) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", lines)
    result = invoke(str(path), "-o", str(tmp_path / "out"), *args)
    assert result.exit_code == 2, result.output
    assert expected in result.stderr
    assert "Traceback" not in result.output
    assert openai_emulator.requests == []


def test_lenient_adapts_instead_of_refusing(openai_emulator: OpenAIEmulator, tmp_path: Path) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", ['{"prompt": "x", "options": {"size": "1000x1000"}}'])
    result = invoke(str(path), "-o", str(tmp_path / "out"), "--lenient")
    assert result.exit_code == 0, result.output
    assert openai_emulator.last_request.params["size"] == "1024x1024"
    (line,) = outcome_lines(tmp_path / "out")
    assert any("1000x1000" in warning for warning in line["warnings"])


def test_progress_redraws_one_line_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress(stream, tty=True)
    progress.start(4, done=1)
    progress.advance(True)
    progress.message("failed: line 3: boom")
    progress.advance(False)
    progress.finish()
    text = stream.getvalue()
    assert "\r\x1b[K" in text and "failed: line 3: boom\n" in text
    assert text.rstrip().endswith("elapsed 0s") and "2/4 done · 1 failed · 1 left" in text


# --------------------------------------------------------------------------- interruption


def _cli_process(jobs: Path, out: Path, emu: OpenAIEmulator, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "OPENAI_BASE_URL": emu.base_url, "OPENAI_API_KEY": "test-key",
           "TRYON_PLUGINS": "openai"}
    return subprocess.Popen([sys.executable, "-m", "tryon.cli", "batch", str(jobs), "-o", str(out), *extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def _ok_lines(out: Path) -> list[dict[str, Any]]:
    return [line for line in manifest_lines(out) if line["status"] == "ok"] if out.exists() else []


def test_a_killed_run_resumes_without_requesting_finished_jobs(emu: OpenAIEmulator, tmp_path: Path) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", simple_jobs(12))
    out = tmp_path / "out"
    emu.set_latency(0.3)
    process = _cli_process(path, out, emu, "--concurrency", "2")
    try:
        _wait_for(lambda: len(_ok_lines(out)) >= 3)
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate()
    assert process.returncode == -signal.SIGKILL
    finished = {line["id"] for line in _ok_lines(out)}
    done_prompts = {j.prompt for j in load_jobs(path) if j.id in finished}
    assert 3 <= len(finished) < 12

    emu.reset()
    rerun = _cli_process(path, out, emu, "--concurrency", "4")
    _, stderr = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, stderr
    assert not done_prompts & set(prompts(emu.requests))  # finished jobs were not requested again
    # jobs in flight at the kill (at most the 2 workers) whose image was already written are adopted
    # on resume, not requested again; every other unfinished job is requested exactly once
    assert 12 - len(finished) - 2 <= len(emu.requests) <= 12 - len(finished)
    index = ManifestIndex.read(out)
    for job in load_jobs(path):
        record = index.get(job.id)
        assert record is not None and record.ok and all((out / f).is_file() for f in record.files)


def test_a_killed_run_keeps_the_finished_calls_of_a_fanned_out_job(emu: OpenAIEmulator, tmp_path: Path) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", [{"prompt": "twenty bags", "model": "gpt-image-2.6-sunburst",
                                                  "options": {"n": 20}, "name": "bags"}])
    out = tmp_path / "out"
    emu.slow_next(30)  # one of the job's two calls of 10 hangs; the other comes back at once
    process = _cli_process(path, out, emu)
    try:
        _wait_for(lambda: len(list(out.glob("bags*.png"))) == 10)
        _wait_for(lambda: any("in progress" in (line.get("error") or "") for line in manifest_lines(out)))
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate()
    kept = sorted(p.name for p in out.glob("bags*.png"))
    assert len(kept) == 10  # paid for, saved, and on record before the job ended

    emu.reset()
    rerun = _cli_process(path, out, emu)
    _, stderr = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, stderr
    assert [r.params.get("n") for r in emu.requests] == [10]  # only the images still missing
    assert len(list(out.glob("bags*.png"))) == 20 and set(kept) <= {p.name for p in out.glob("bags*.png")}


def test_ctrl_c_lets_running_jobs_finish_then_exits_130(emu: OpenAIEmulator, tmp_path: Path) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl", simple_jobs(6))
    out = tmp_path / "out"
    emu.set_latency(1.0)
    process = _cli_process(path, out, emu, "--concurrency", "2")
    _wait_for(lambda: len(emu.requests) == 2)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    assert "2 done (2 now, 0 earlier), 0 failed, 4 not run" in stdout and "(interrupted)" in stdout
    assert len(emu.requests) == 2  # no job started after Ctrl-C
    assert len(_ok_lines(out)) == 2  # the running ones were paid for: finished and saved


def test_run_batch_raises_batch_interrupted_with_the_summary(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from tryon.batch import runner

    def interrupted(finished: Any) -> None:
        raise KeyboardInterrupt

    calls = iter([interrupted, runner._wait])
    monkeypatch.setattr(runner, "_wait", lambda finished, tick=None: next(calls)(finished))
    from tryon.testing.fake import FakeGenerator

    router = tryon.Router(plugins=False)
    router.register(FakeGenerator("fake-1", latency=0.05))
    path = write_jobs(tmp_path / "jobs.jsonl", [{"prompt": f"p{i}", "model": "fake-1"} for i in range(20)])
    with pytest.raises(BatchInterrupted) as info:
        run_batch(path, tmp_path / "out", router=router, concurrency=2)
    summary = info.value.summary
    assert summary.interrupted and summary.exit_code == 130
    assert summary.succeeded == 2 and summary.pending == 18


def test_job_model_defaults_to_the_default_model() -> None:
    job = Job(id="x", line=1, prompt="p")
    assert job.model is None and job.n == 1 and job.stem == "p-x"


def test_the_manifest_says_why_models_of_a_preference_list_were_skipped(emu: OpenAIEmulator,
                                                                        tmp_path: Path) -> None:
    router = gpt_router(emu, max_retries=0)
    from tryon.testing.fake import FAKE_CAPABILITIES, FakeGenerator

    router.register(FakeGenerator("opaque-only", capabilities=attrs.evolve(FAKE_CAPABILITIES,
                                                                           transparent_background=False)))
    path = write_jobs(tmp_path / "jobs.jsonl", [{"prompt": "a bag", "model": ["opaque-only", "gpt-image-2.6-sunburst"],
                                                 "options": {"background": "transparent"}}])
    summary = run_batch(path, tmp_path / "out", router=router)
    assert summary.succeeded == 1
    [line] = outcome_lines(tmp_path / "out")
    assert line["model"] == "gpt-image-2.6-sunburst"
    assert line["skipped"] and line["skipped"][0].startswith("opaque-only: cannot honour the request")


def test_every_model_of_a_preference_list_is_checked_before_anything_is_sent(emu: OpenAIEmulator,
                                                                             tmp_path: Path) -> None:
    path = write_jobs(tmp_path / "jobs.jsonl",
                      [{"prompt": "a bag", "model": ["gpt-image-2.6-sunburst", "gpt-image-9"]}])
    with pytest.raises(JobFileError, match="gpt-image-9"):
        run_batch(path, tmp_path / "out", router=gpt_router(emu))
    assert emu.requests == []


def test_retired_models_in_a_batch_are_refused_in_pre_flight_or_fall_through(emu: OpenAIEmulator,
                                                                            tmp_path: Path) -> None:
    only_retired = write_jobs(tmp_path / "retired.jsonl", [{"prompt": "Old", "model": "gpt-image-1"}])
    with pytest.raises(JobFileError, match="shut down on"):
        run_batch(only_retired, tmp_path / "out1", router=gpt_router(emu))
    assert emu.requests == []
    listed = write_jobs(tmp_path / "listed.jsonl", [{"prompt": "Old or new", "model": ["gpt-image-1", MODEL]}])
    summary = run_batch(listed, tmp_path / "out2", router=gpt_router(emu))
    assert summary.succeeded == 1 and manifest_lines(tmp_path / "out2")[-1]["model"] == MODEL
    assert [r.params["model"] for r in emu.requests] == [MODEL]
