"""The cost of a jobs file before anything is sent: one estimate per job, totalled.

Each job is priced on the first model of its preference list that can serve it (as a run would
pick it); jobs whose model has no known price are counted and named in the total, never taken
as free.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from tryon import pricing
from tryon.batch.jobs import Shard, load_jobs
from tryon.errors import UnsupportedOptionError
from tryon.results import Estimate

if TYPE_CHECKING:
    from tryon.router import Router

__all__ = ["estimate_batch"]


def estimate_batch(jobs_path: str | Path, *, router: Router | None = None,
                   shard: str | Shard | None = None) -> Estimate:
    """The estimate of every job of *jobs_path*: ``usd`` totals the priced jobs, ``unpriced`` and
    ``unpriced_items`` (``"<job stem>: <model>"``) say which have no price; ``parts`` holds one
    estimate per job."""
    from tryon import DEFAULT_MODEL
    from tryon.batch.runner import _request_args
    from tryon.router import Router

    router = router or Router()
    jobs = load_jobs(jobs_path)
    if shard is not None:
        jobs = (Shard.parse(shard) if isinstance(shard, str) else shard).select(jobs)
    parts: list[Estimate] = []
    for job in jobs:
        _, options = _request_args(job)
        names = list(job.model) if isinstance(job.model, tuple) else [job.model or DEFAULT_MODEL]
        error: UnsupportedOptionError | None = None
        for name in names:
            try:
                est = router.estimate(job.prompt, model=name, images=job.images, **options)
                break
            except UnsupportedOptionError as exc:
                error = error or exc
        else:
            assert error is not None
            raise error
        if est.usd is None:
            est = attrs.evolve(est, unpriced=1, unpriced_items=(f"{job.stem}: {est.model}",))
        parts.append(est)
    return pricing.total(parts, label=f"batch {Path(jobs_path).name}")
