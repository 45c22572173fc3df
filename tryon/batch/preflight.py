"""Batch pre-flight: everything that can be checked locally, for every job, before anything is sent.

For each job still to run, every model of its preference list is tried the way a real run
would try it (``Router.prepare(fetch=False)``: options checked, every local image and mask
loaded and fitted to the model's limits exactly as ``tryon edit --dry-run`` does; http(s) URLs
are not fetched); every model that can take the job must have its API key; the output folder
must be writable; under a budget every model must have price data (unless unpriced models are
allowed). Any problem raises :class:`~tryon.batch.JobFileError` listing all of them, before a
single request. What passes becomes a :class:`BatchPlan`: per job the model that would serve,
its calls and its estimated cost, which ``tryon batch --dry-run`` prints and budgets reserve.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from tryon.batch.jobs import Job, JobFileError
from tryon.capabilities import Operation
from tryon.errors import (
    InvalidInputError,
    MissingCredentialsError,
    ModelRetiredError,
    UnsupportedOptionError,
    ValidationError,
)

if TYPE_CHECKING:
    from tryon.router import Router

__all__ = ["BatchPlan", "JobPlan", "check_output_dir", "preflight"]


@attrs.frozen
class JobPlan:
    """What one job will ask for: the model that would serve it, its images, calls and estimated cost.

    ``reserve_usd`` is what a budget holds for the job: the highest estimate among the models of
    its preference list that can take it (a fallback may serve), ``None`` when one is unpriced.
    """

    job: Job
    kept: tuple[str, ...]
    model: str
    images: int
    calls: int
    estimate_usd: float | None
    reserve_usd: float | None
    unpriced: tuple[str, ...] = ()

    def reserve_for(self, images: int) -> float | None:
        """The amount to hold for *images* of this job (proportional to the planned estimate)."""
        if self.reserve_usd is None:
            return None
        return self.reserve_usd * images / max(1, self.images)


@attrs.frozen
class BatchPlan:
    """Every job still to run, checked, with its estimate (what ``tryon batch --dry-run`` reports)."""

    jobs: tuple[JobPlan, ...]
    total: int
    done: int
    max_per_minute: float | None = None

    @property
    def images(self) -> int:
        return sum(p.images for p in self.jobs)

    @property
    def calls(self) -> int:
        return sum(p.calls for p in self.jobs)

    @property
    def unpriced(self) -> tuple[JobPlan, ...]:
        return tuple(p for p in self.jobs if p.estimate_usd is None)

    @property
    def estimate_usd(self) -> float:
        """The estimated cost of the priced jobs (see :attr:`unpriced` for the others)."""
        return sum(p.estimate_usd for p in self.jobs if p.estimate_usd is not None)

    def per_model(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for plan in self.jobs:
            row = out.setdefault(plan.model, {"jobs": 0, "images": 0, "calls": 0, "usd": 0.0, "unpriced_jobs": 0})
            row["jobs"] += 1
            row["images"] += plan.images
            row["calls"] += plan.calls
            if plan.estimate_usd is None:
                row["unpriced_jobs"] += 1
            else:
                row["usd"] += plan.estimate_usd
        for row in out.values():
            if row["unpriced_jobs"] == row["jobs"]:
                row["usd"] = None
        return dict(sorted(out.items()))

    @property
    def minimum_seconds(self) -> float | None:
        """The time the rate limit alone implies for the calls (``None`` without a rate limit)."""
        if not self.max_per_minute:
            return None
        return self.calls / self.max_per_minute * 60.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": True, "sent": False, "jobs": self.total, "done_earlier": self.done,
            "to_run": len(self.jobs), "images": self.images, "calls": self.calls,
            "estimate_usd": round(self.estimate_usd, 6), "per_model": self.per_model(),
            "unpriced_jobs": [_label(p.job) for p in self.unpriced],
            "max_per_minute": self.max_per_minute, "minimum_seconds": self.minimum_seconds,
        }


def _label(job: Job) -> str:
    return f"line {job.line}" + (f" ({job.name})" if job.name else "")


def check_output_dir(output: Path) -> str | None:
    """Why *output* cannot receive images (``None``: it can). Creates nothing that is not removed again."""
    if output.exists() and not output.is_dir():
        return f"the output folder {str(output)!r} exists and is not a folder"
    existing = output
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if output.is_dir():
        try:
            with tempfile.TemporaryFile(dir=output, prefix=".tryon-write-check-"):
                pass
        except OSError as exc:
            return f"cannot write into the output folder {str(output)!r}: {exc.strerror or exc}"
        return None
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        return f"cannot create the output folder {str(output)!r}: {str(existing)!r} is not writable"
    return None


def _request_args(job: Job, n: int | None = None) -> tuple[Operation, dict[str, Any]]:
    options = dict(job.options)
    if n is not None and (n != 1 or "n" in options):
        options["n"] = n
    if job.is_try_on:
        from tryon.vto.garments import Garment

        options["person"] = job.person
        options["garments"] = [Garment(image, category) for image, category in job.garments or ()]
        if job.mask is not None:
            options["mask"] = job.mask
        if job.prompt.strip():
            options["prompt"] = job.prompt
        return Operation.TRY_ON, options
    if job.is_edit and job.mask is not None:
        options["mask"] = job.mask
    return (Operation.EDIT if job.is_edit else Operation.GENERATE), options


def job_models(job: Job) -> list[str]:
    from tryon import DEFAULT_MODEL

    return list(job.model) if isinstance(job.model, tuple) else [job.model or DEFAULT_MODEL]


def _indent(exc: BaseException) -> str:
    return str(exc).replace("\n", "\n    ")


def _plan_job(router: Router, job: Job, kept: Sequence[str], strict: bool | None,
              keyless: dict[str, tuple[str, list[str]]]) -> JobPlan | str:
    """The job's plan, or why no model of it can serve it."""
    names = job_models(job)
    try:
        for name in names:  # every name of a preference list must exist, not only the first that fits
            router.resolve_name(name)
    except ValidationError as exc:
        return str(exc)
    remaining = max(0, job.n - len(kept))
    op, options = _request_args(job, remaining or job.n)
    fits: list[tuple[Any, Any]] = []
    refusal: ValidationError | None = None
    for name in names:
        try:
            prompt = options.pop("prompt", None) if op is Operation.TRY_ON else job.prompt
            gen, request, _ = router.prepare(op, prompt, name, images=list(job.images or ()) or None,
                                             strict=strict, fetch=False, **options)
        except (UnsupportedOptionError, InvalidInputError, ModelRetiredError) as exc:
            refusal = refusal or exc  # another model of the list may serve it
            continue
        except ValidationError as exc:
            return _indent(exc)
        try:
            router.check_credentials(gen)
        except MissingCredentialsError as exc:
            wanted = " or ".join(exc.env_vars) if exc.env_vars else "its API key"
            keyless.setdefault(gen.provider, (f"no API key for {exc.provider}: set {wanted}", []))[1].append(
                _label(job))
        fits.append((gen, request))
    if not fits:
        assert refusal is not None
        return _indent(refusal)
    gen, request = fits[0]
    estimates = [router.estimate_request(g, r) for g, r in fits]
    usd = [e.usd for e in estimates]
    unpriced = tuple(g.model_id for (g, _), e in zip(fits, estimates, strict=True) if e.usd is None)
    per_call = gen.capabilities.max_images_per_call
    return JobPlan(job=job, kept=tuple(kept), model=gen.model_id, images=remaining,
                   calls=math.ceil(remaining / per_call) if remaining else 0,
                   estimate_usd=usd[0], reserve_usd=None if None in usd else max(u for u in usd if u is not None),
                   unpriced=unpriced)


def preflight(router: Router, plans: Sequence[tuple[Job, Sequence[str]]], path: str | Path, output: Path, *,
              strict: bool | None = None, max_cost: float | None = None, allow_unpriced: bool = False,
              total: int | None = None, done: int = 0, max_per_minute: float | None = None) -> BatchPlan:
    """Check every job of *plans* (each with the files an earlier run kept); raise
    :class:`~tryon.batch.JobFileError` listing every problem, or return the :class:`BatchPlan`."""
    problems: list[tuple[int, str]] = []
    problem = check_output_dir(output)
    if problem is not None:
        problems.append((0, problem))
    keyless: dict[str, tuple[str, list[str]]] = {}
    planned: list[JobPlan] = []
    for job, kept in plans:
        result = _plan_job(router, job, kept, strict, keyless)
        if isinstance(result, str):
            problems.append((job.line, result))
        else:
            planned.append(result)
    for _provider, (message, jobs) in sorted(keyless.items()):
        problems.append((0, f"{message} (needed by {_some(jobs)})"))
    if max_cost is not None and not allow_unpriced:
        unpriced: Mapping[str, list[str]] = {}
        for plan in planned:
            for model in plan.unpriced:
                unpriced.setdefault(model, []).append(_label(plan.job))  # type: ignore[attr-defined]
        for model, jobs in sorted(unpriced.items()):
            problems.append((0, f"{model} has no price data, so its cost cannot be held to --max-cost "
                                f"(needed by {_some(jobs)}); pass --allow-unpriced (allow_unpriced=True) to run "
                                "it anyway, or choose a priced model"))
    if problems:
        raise JobFileError(path, sorted(problems, key=lambda p: p[0]))
    return BatchPlan(tuple(planned), total if total is not None else len(plans), done, max_per_minute)


def _some(labels: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")
