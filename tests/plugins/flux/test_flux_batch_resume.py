"""A FLUX batch resumes without paying again: its manifest records hold BFL's credits (3.0, 1.5, ...)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

from tryon_flux import generators

import tryon
from tryon.batch import ManifestIndex, run_batch
from tryon.testing.bfl_emulator import BFLEmulator


def test_a_finished_flux_job_is_not_requested_again(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("".join(json.dumps({"prompt": f"a fox {i}", "model": "flux-2-pro", "name": f"fox{i}",
                                        "options": {"size": "1024x1536"}}) + "\n" for i in range(2)))
    with BFLEmulator(pending_polls=0) as emu:
        router = tryon.Router(plugins=False)
        for gen in generators(api_key="k", base_url=emu.url, poll_interval=0.001, max_poll_interval=0.01):
            router.register(gen)
        first = run_batch(jobs, tmp_path / "out", router=router)
        assert first.succeeded == 2 and len(emu.submits) == 2
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a manifest line read as invalid would warn (and re-run the job)
            index = ManifestIndex.read(tmp_path / "out")
            again = run_batch(jobs, tmp_path / "out", router=router)
        assert not index.bad_lines and (again.skipped, again.succeeded) == (2, 0)
        assert len(emu.submits) == 2  # nothing paid twice
    usages = [json.loads(line)["usage"] for line in (tmp_path / "out" / "manifest.jsonl").read_text().splitlines()
              if json.loads(line).get("status") == "ok"]
    assert usages and all(u["credits"] == 4.5 for u in usages)  # 3 credits + 1.5 for the second megapixel
