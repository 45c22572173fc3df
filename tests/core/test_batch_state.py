"""Batch state: the output folder's lock, validated and confined manifests, no image paid twice after a crash."""

from __future__ import annotations

import json
import os
import socket
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

import tryon
from tryon.batch import FolderLockedError, ManifestIndex, ManifestWarning, OutputLock, run_batch
from tryon.batch import runner as batch_runner
from tryon.testing.fake import FakeGenerator


def fake_router(gen: FakeGenerator) -> tryon.Router:
    router = tryon.Router(plugins=False)
    router.register(gen)
    return router


def jobs_file(path: Path, count: int = 2, **extra: Any) -> Path:
    path.write_text("".join(json.dumps({"prompt": f"p{i}", "model": "fake-1", "name": f"j{i}", **extra}) + "\n"
                            for i in range(count)))
    return path


# --------------------------------------------------------------------------- the lock


def test_a_second_run_on_a_held_folder_is_refused_naming_the_holder(tmp_path: Path) -> None:
    gen = FakeGenerator("fake-1")
    with OutputLock(tmp_path / "out"), \
            pytest.raises(FolderLockedError, match=rf"pid {os.getpid()} on {socket.gethostname()}"):
        run_batch(jobs_file(tmp_path / "jobs.jsonl"), tmp_path / "out", router=fake_router(gen))
    assert gen.requests == []
    assert run_batch(tmp_path / "jobs.jsonl", tmp_path / "out", router=fake_router(gen)).succeeded == 2
    assert not list((tmp_path / "out").glob(".tryon-batch*.lock"))  # released


def _write_lock(directory: Path, name: str, holder: dict[str, Any], age: float = 0.0) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(json.dumps(holder))
    if age:
        os.utime(path, (time.time() - age, time.time() - age))
    return path


@pytest.mark.parametrize(("holder", "age", "stale"), [
    ({"pid": 2**22 + 12345, "host": socket.gethostname(), "started": "x"}, 0.0, True),   # crashed here
    ({"pid": os.getpid(), "host": socket.gethostname(), "started": "x"}, 0.0, False),   # alive here
    ({"pid": 1, "host": "elsewhere", "started": "x"}, 0.0, False),                      # fresh elsewhere
    ({"pid": 1, "host": "elsewhere", "started": "x"}, 3600.0, True),                    # no heartbeat for 1h
    ({}, 3600.0, True),                                                                 # torn lock file
])
def test_stale_locks_are_recognised_by_pid_host_and_time(tmp_path: Path, holder: dict[str, Any], age: float,
                                                         stale: bool) -> None:
    _write_lock(tmp_path, ".tryon-batch.lock", holder, age)
    lock = OutputLock(tmp_path)
    if stale:
        with lock:
            assert lock.taken_over == holder
    else:
        with pytest.raises(FolderLockedError, match="another tryon batch run holds"):
            lock.acquire()


def test_shards_share_a_folder_but_not_with_an_unsharded_run(tmp_path: Path) -> None:
    with OutputLock(tmp_path, shard="1/2"), OutputLock(tmp_path, shard="2/2"):
        with pytest.raises(FolderLockedError):
            OutputLock(tmp_path).acquire()
        with pytest.raises(FolderLockedError):
            OutputLock(tmp_path, shard="1/3").acquire()
    with OutputLock(tmp_path), pytest.raises(FolderLockedError):
        OutputLock(tmp_path, shard="1/2").acquire()


def test_the_cli_refuses_a_held_folder_with_exit_2(tmp_path: Path, openai_emulator: Any) -> None:
    from click.testing import CliRunner

    from tryon.cli.app import build_cli

    (tmp_path / "jobs.jsonl").write_text('{"prompt": "x"}\n')
    with OutputLock(tmp_path / "out"):
        result = CliRunner().invoke(build_cli(plugins=False), ["batch", str(tmp_path / "jobs.jsonl"), "-o",
                                                               str(tmp_path / "out"), "--json"])
    assert result.exit_code == 2 and "another tryon batch run holds" in result.stderr
    assert json.loads(result.stdout)["error"]["type"] == "FolderLockedError"
    assert openai_emulator.requests == []


# --------------------------------------------------------------------------- the manifest


BAD_LINES = [
    {"id": "j", "status": "ok", "files": ["j0.png"], "finished": 5},
    {"id": "j", "status": "ok", "files": "j0.png"},
    {"id": "j", "status": "done", "files": []},
    {"id": 7, "status": "ok"},
    {"status": "ok"},
    {"id": "j", "status": "ok", "files": ["../outside.png"]},
    {"id": "j", "status": "ok", "files": ["/etc/passwd"]},
    {"id": "j", "status": "ok", "files": ["a\\..\\b.png"]},
    {"id": "j", "status": "ok", "files": [""]},
    {"id": "j", "status": "ok", "files": [3]},
    {"id": "j", "status": "ok", "attempts": "2"},
    {"id": "j", "status": "ok", "usage": {"total_tokens": "many"}},
    {"id": "j", "status": "ok", "usage": {"credits": -1}},
    {"id": "j", "status": "ok", "usage": {"credits": True}},
    {"id": "j", "status": "ok", "cost_usd": "free"},
    [1, 2],
]


@pytest.mark.parametrize("line", BAD_LINES, ids=[str(i) for i in range(len(BAD_LINES))])
def test_invalid_manifest_lines_are_skipped_with_a_reason(tmp_path: Path, line: Any) -> None:
    (tmp_path / "manifest.jsonl").write_text(json.dumps(line) + "\n" + '{"id": "k", "status": "ok"}\n')
    index = ManifestIndex.read(tmp_path)
    assert index.get("j") is None and index.get("k") is not None
    assert len(index.bad_lines) == 1 and index.bad_lines[0].line == 1


def test_usage_in_credits_is_a_valid_record(tmp_path: Path) -> None:
    # FLUX bills fractional credits (1.5) and FASHN reports credits as numbers (1.0): a record
    # holding them must be read back, or a resumed batch would pay for the job again
    lines = [{"id": "j", "status": "ok", "usage": {"credits": 1.5}}, {"id": "k", "status": "ok",
                                                                         "usage": {"credits": 1.0, "total_tokens": 3}}]
    (tmp_path / "manifest.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    index = ManifestIndex.read(tmp_path)
    assert index.get("j") is not None and index.get("k") is not None and not index.bad_lines


def test_a_bad_manifest_line_warns_and_the_job_runs_again(tmp_path: Path) -> None:
    gen = FakeGenerator("fake-1")
    path = jobs_file(tmp_path / "jobs.jsonl", 1)
    run_batch(path, tmp_path / "out", router=fake_router(gen))
    manifest = tmp_path / "out" / "manifest.jsonl"
    lines = [json.loads(x) for x in manifest.read_text().splitlines()]
    for line in lines:
        line["finished"] = 12345
    manifest.write_text("".join(json.dumps(x) + "\n" for x in lines))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = run_batch(path, tmp_path / "out", router=fake_router(gen))
    assert any(issubclass(w.category, ManifestWarning) and "'finished' must be str" in str(w.message)
               for w in caught)
    assert summary.succeeded == 1 and len(gen.requests) == 2


def test_files_outside_the_output_folder_never_count_as_done(tmp_path: Path) -> None:
    gen = FakeGenerator("fake-1")
    path = jobs_file(tmp_path / "jobs.jsonl", 1)
    out = tmp_path / "out"
    run_batch(path, out, router=fake_router(gen))
    [image] = [p for p in out.iterdir() if p.suffix == ".png"]
    outside = tmp_path / "elsewhere.png"
    image.rename(outside)
    image.symlink_to(outside)  # a file entry that leads out of the folder
    summary = run_batch(path, out, router=fake_router(gen))
    assert summary.succeeded == 1 and len(gen.requests) == 2


def test_an_ok_record_with_empty_files_is_run_again(tmp_path: Path) -> None:
    gen = FakeGenerator("fake-1")
    path = jobs_file(tmp_path / "jobs.jsonl", 1)
    out = tmp_path / "out"
    out.mkdir()
    job_id = tryon.batch.load_jobs(path)[0].id
    (out / "manifest.jsonl").write_text(json.dumps({"id": job_id, "status": "ok", "files": []}) + "\n")
    assert run_batch(path, out, router=fake_router(gen)).succeeded == 1 and len(gen.requests) == 1


# --------------------------------------------------------------------------- crashes


@pytest.mark.parametrize("n", [1, 3])
def test_an_image_written_before_its_outcome_line_is_adopted_not_paid_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    gen = FakeGenerator("fake-1")
    path = jobs_file(tmp_path / "jobs.jsonl", 2, options={"n": n})
    out = tmp_path / "out"
    with monkeypatch.context() as patch:  # the process dies after saving the images, before the outcome lines
        patch.setattr(batch_runner._Run, "_finish", lambda self, state: None)
        run_batch(path, out, router=fake_router(gen))
    saved = sorted(p.name for p in out.iterdir() if p.suffix == ".png")
    assert len(saved) == 2 * n and len(gen.requests) == 2
    summary = run_batch(path, out, router=fake_router(gen))
    assert summary.succeeded == 2 and len(gen.requests) == 2  # nothing asked again
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".png") == saved  # no orphan, no -1 copy


def test_a_crash_before_the_image_is_written_only_regenerates_that_image(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    gen = FakeGenerator("fake-1")
    path = jobs_file(tmp_path / "jobs.jsonl", 1)
    out = tmp_path / "out"
    from tryon.results import GeneratedImage

    def die(self: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError("disk gone")

    with monkeypatch.context() as patch:
        patch.setattr(GeneratedImage, "save", die)
        summary = run_batch(path, out, router=fake_router(gen), retries=0)
    assert summary.failed == 1 or summary.succeeded == 0
    summary = run_batch(path, out, router=fake_router(gen))
    assert summary.succeeded == 1 and [p.name for p in out.iterdir() if p.suffix == ".png"] == ["j0.png"]


def test_after_a_double_ctrl_c_before_any_record_the_summary_names_no_manifest(tmp_path: Path) -> None:
    from tryon.batch import BatchSummary

    summary = BatchSummary(total=1, skipped=0, succeeded=0, failed=0, pending=1, images=0, usage=None,
                           cost_usd=None, elapsed_s=0.0, output_dir=tmp_path, manifest=None, interrupted=True)
    assert summary.to_dict()["manifest"] is None
