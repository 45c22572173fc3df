"""Run a JSONL file of jobs: concurrent, rate-limited, saved as it goes, resumable.

Workers are threads calling the router's sync API. Image generation is network-bound (a
call takes seconds to minutes), so a few dozen threads cost nothing next to the calls; every
plugin works the same way whether or not it has a native async client; the durable writes
(image files and the manifest, each ``fsync``\\ ed) are blocking anyway; and Ctrl-C can
simply stop handing out jobs while the calls already paid for finish and are saved.

Every image is saved atomically as soon as its job finishes and a manifest line records the
outcome, so re-running the same command resumes: jobs recorded ``ok`` whose files exist are
skipped; failed, missing and interrupted jobs run again, asking only for images still
missing when an earlier attempt kept some.
"""

from __future__ import annotations

import math
import queue
import random
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from tryon.batch.jobs import Job, JobFileError, Shard, load_jobs
from tryon.batch.manifest import Manifest, ManifestIndex, Record, manifest_name, now_iso
from tryon.batch.progress import ProgressReporter
from tryon.batch.ratelimit import RateLimiter
from tryon.batch.summary import BatchInterrupted, BatchSummary, JobFailure
from tryon.capabilities import Operation
from tryon.errors import (
    InvalidOptionError,
    ModelRetiredError,
    NoModelAvailableError,
    PartialResultError,
    Problem,
    ProviderError,
    RateLimitError,
    TryOnError,
    UnsupportedOptionError,
    ValidationError,
)
from tryon.results import Generation, Usage
from tryon.secrets import redact

if TYPE_CHECKING:
    from tryon.router import Router

__all__ = ["DEFAULT_RETRIES", "run_batch"]

DEFAULT_RETRIES = 3
_MAX_BACKOFF = 60.0


@attrs.define
class _Plan:
    job: Job
    kept: list[str]


def run_batch(jobs_path: str | Path, output_dir: str | Path, *, router: Router | None = None,
              concurrency: int = 8, max_per_minute: float | None = None, shard: str | Shard | None = None,
              retries: int = DEFAULT_RETRIES, progress: ProgressReporter | None = None,
              strict: bool | None = None, limiter: RateLimiter | None = None) -> BatchSummary:
    """Run every job of *jobs_path* (JSONL), saving images into *output_dir*.

    Invalid lines or requests a model cannot honour raise :class:`~tryon.batch.JobFileError`
    before anything is sent. ``max_per_minute`` caps the calls started per minute (a job
    fanned out into k calls counts k); a rate-limit answer pauses every worker for its
    ``Retry-After``. Retryable failures are retried ``retries`` times with backoff. ``shard``
    (``"I/N"``) runs the jobs whose id hashes to I-1 modulo N. ``strict=False`` adapts what
    a model cannot honour (recorded per job). ``limiter`` shares one :class:`RateLimiter`
    between several runs (``max_per_minute`` is then ignored). Ctrl-C stops starting jobs
    and lets running ones finish (a second Ctrl-C stops waiting), then raises
    :class:`~tryon.batch.BatchInterrupted` carrying the summary.
    """
    if not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidOptionError([Problem("concurrency", concurrency, "concurrency must be at least 1")])
    if not isinstance(retries, int) or retries < 0:
        raise InvalidOptionError([Problem("retries", retries, "retries must be 0 or more")])
    if isinstance(shard, str):
        shard = Shard.parse(shard)
    if router is None:
        router = batch_router()
    jobs = load_jobs(jobs_path)
    if shard is not None:
        jobs = shard.select(jobs)
    output = Path(output_dir)
    limiter = limiter or RateLimiter(max_per_minute)
    index = ManifestIndex.read(output)
    plans, skipped = _plan(jobs, index, output)
    _preflight(router, [p.job for p in plans], jobs_path, strict)
    run = _Run(router, output, Manifest(output, manifest_name(str(shard) if shard else None)), limiter,
               progress, retries, strict)
    return run.execute(plans, total=len(jobs), skipped=skipped, concurrency=concurrency,
                       shard=str(shard) if shard else None)


def batch_router(**settings: Mapping[str, Any]) -> Router:
    """A router for batch runs: provider SDK/HTTP retries off, so that every rate-limit answer
    reaches the batch's shared limiter (which then pauses every worker) and its own retries.

    *settings* are per-provider settings as for :class:`~tryon.Router` (``openai={"api_key": ...}``).
    """
    from tryon.errors import ValidationError
    from tryon.router import Router

    router = Router(settings=settings)
    for provider in sorted({m.provider for m in router.models()}):
        sample = next(m.model for m in router.models(provider=provider))
        configure = getattr(router.get(sample), "configure", None)
        try:
            if configure is not None:
                configure(max_retries=0)  # only to learn whether the plugin takes the setting
        except (ValidationError, TypeError):
            continue
        router.configure(provider, max_retries=0)
    return router


def _plan(jobs: Sequence[Job], index: ManifestIndex, output: Path) -> tuple[list[_Plan], int]:
    """The jobs still to run, each with the files an earlier attempt kept; and how many are done."""
    plans: list[_Plan] = []
    skipped = 0
    for job in jobs:
        record = index.get(job.id)
        if record is None:
            plans.append(_Plan(job, []))
            continue
        existing = [f for f in record.files if (output / f).is_file()]
        if record.ok and len(existing) == len(record.files):
            skipped += 1
        else:
            plans.append(_Plan(job, existing[: job.n]))
    return plans, skipped


def _request_args(job: Job, n: int | None = None) -> tuple[Operation, dict[str, Any]]:
    options = dict(job.options)
    if n is not None and (n != 1 or "n" in options):
        options["n"] = n
    if job.is_edit and job.mask is not None:
        options["mask"] = job.mask
    return (Operation.EDIT if job.is_edit else Operation.GENERATE), options


def _preflight(router: Router, jobs: Sequence[Job], path: str | Path, strict: bool | None) -> None:
    """Check every job against its model(s) before anything is sent (no network, no file reads)."""
    problems = [(job.line, text) for job in jobs if (text := _check_job(router, job, strict)) is not None]
    if problems:
        raise JobFileError(path, problems)


def _check_job(router: Router, job: Job, strict: bool | None) -> str | None:
    """Why no model of *job* can serve it, or ``None`` when one can."""
    from tryon import DEFAULT_MODEL

    op, options = _request_args(job)
    names = list(job.model) if isinstance(job.model, tuple) else [job.model or DEFAULT_MODEL]
    try:
        for name in names:  # every name of a preference list must exist, not only the first that fits
            router.resolve_name(name)
    except ValidationError as exc:
        return str(exc)
    unsupported: UnsupportedOptionError | ModelRetiredError | None = None
    options = dict(options)
    allow_retired = options.pop("allow_retired", None)
    for name in names:
        try:
            request = router.build_request(op, job.prompt, options, images=job.images)
            router.check(request, name, strict=strict, allow_retired=allow_retired)
            return None
        except (UnsupportedOptionError, ModelRetiredError) as exc:
            unsupported = unsupported or exc  # another model of the list may serve it
        except ValidationError as exc:
            return str(exc).replace("\n", "\n    ")
    return str(unsupported).replace("\n", "\n    ")


def _find(exc: BaseException, kind: type[BaseException]) -> BaseException | None:
    """*exc* or an error it carries (fan-out errors, preference-list skips) of type *kind*."""
    if isinstance(exc, kind):
        return exc
    inner: list[BaseException] = []
    if isinstance(exc, PartialResultError):
        inner = list(exc.errors)
    elif isinstance(exc, NoModelAvailableError):
        inner = [s.error for s in exc.skipped if getattr(s, "error", None) is not None]
    return next((e for e in inner if isinstance(e, kind)), None)


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, PartialResultError):
        return bool(exc.errors) and all(_retryable(e) for e in exc.errors)
    if isinstance(exc, NoModelAvailableError):
        return any(_retryable(s.error) for s in exc.skipped if getattr(s, "error", None) is not None)
    return isinstance(exc, ProviderError) and exc.retryable


def _backoff(attempt: int) -> float:
    """Exponential backoff with jitter: about 1, 2, 4, ... seconds, at most a minute."""
    return min(_MAX_BACKOFF, 2.0 ** (attempt - 1)) * random.uniform(0.5, 1.0)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TryOnError):
        return str(exc)
    return redact(f"{type(exc).__name__}: {exc}")


@attrs.define
class _JobState:
    """One job's progress through its attempts in this run."""

    job: Job
    files: list[str]
    started: str = attrs.field(factory=now_iso)
    attempts: int = 0
    usages: list[Usage] = attrs.field(factory=list)
    costs: list[float] = attrs.field(factory=list)
    model: str | None = None
    error: BaseException | None = None
    warnings: dict[str, None] = attrs.field(factory=dict)
    skipped: dict[str, None] = attrs.field(factory=dict)

    def add(self, part: Generation, saved: list[str]) -> None:
        """One provider call's images, saved: their files, usage and cost."""
        self.files.extend(saved)
        self.note(part)
        if part.usage is not None:
            self.usages.append(part.usage)
        if part.cost_usd is not None:
            self.costs.append(part.cost_usd)

    def note(self, result: Generation) -> None:
        """What the (merged) result says beyond its images: the model that served, warnings."""
        self.model = result.model
        self.warnings.update(dict.fromkeys(w.message for w in result.warnings))
        self.skipped.update(dict.fromkeys(str(s) for s in result.skipped))

    def record(self, *, in_progress: bool = False) -> Record:
        usage = Usage.total(self.usages)
        error = None if self.error is None else _describe(self.error)
        if in_progress:  # on record mid-job, so that a killed run keeps (and resumes after) these images
            error = f"in progress: {len(self.files)} of {self.job.n} image(s) saved when this line was written"
        return Record(id=self.job.id, status="failed" if in_progress or self.error else "ok", files=self.files,
                      line=self.job.line, name=self.job.name, model=self.model,
                      usage=usage.to_dict() if usage else None,
                      cost_usd=sum(self.costs) if self.costs else None,
                      error=error, warnings=tuple(self.warnings), skipped=tuple(self.skipped), started=self.started,
                      finished=now_iso(), attempts=self.attempts)


class _Run:
    """The state of one batch run, shared by its worker threads."""

    def __init__(self, router: Router, output: Path, manifest: Manifest, limiter: RateLimiter,
                 progress: ProgressReporter | None, retries: int, strict: bool | None) -> None:
        self.router = router
        self.output = output
        self.manifest = manifest
        self.limiter = limiter
        self.progress = progress
        self.retries = retries
        self.strict = strict
        self.stop = threading.Event()
        self.finished = threading.Event()
        self.workers = self.running = 0
        self.queue: queue.SimpleQueue[_Plan] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self.succeeded = self.failed = self.images = 0
        self.usages: list[Usage] = []
        self.costs: list[float] = []
        self.failures: list[JobFailure] = []

    # ------------------------------------------------------------------ orchestration

    def execute(self, plans: list[_Plan], *, total: int, skipped: int, concurrency: int,
                shard: str | None) -> BatchSummary:
        started = time.monotonic()
        self.output.mkdir(parents=True, exist_ok=True)
        for plan in plans:
            self.queue.put(plan)
        if self.progress is not None:
            self.progress.start(total, skipped)
        self.workers = min(concurrency, len(plans))
        if not self.workers:
            self.finished.set()
        for i in range(self.workers):
            threading.Thread(target=self._worker, name=f"tryon-batch-{i}", daemon=True).start()
        interrupted = False
        try:
            _wait(self.finished)
        except KeyboardInterrupt:
            interrupted = True
            self.stop.set()
            self._message(f"interrupted: starting no new jobs; waiting for {self.running} running job(s) to "
                          "finish and be saved (Ctrl-C again to stop waiting)")
            try:
                _wait(self.finished)
            except KeyboardInterrupt:
                self._message("stopped waiting: jobs still running are not recorded and will run again")
        finally:
            if self.progress is not None:
                self.progress.finish()
            self.manifest.close()
        summary = self._summary(total, skipped, time.monotonic() - started, shard, interrupted)
        if interrupted:
            raise BatchInterrupted(summary)
        return summary

    def _summary(self, total: int, skipped: int, elapsed: float, shard: str | None,
                 interrupted: bool) -> BatchSummary:
        with self._lock:
            return BatchSummary(
                total=total, skipped=skipped, succeeded=self.succeeded, failed=self.failed,
                pending=total - skipped - self.succeeded - self.failed, images=self.images,
                usage=Usage.total(self.usages), cost_usd=sum(self.costs) if self.costs else None,
                elapsed_s=elapsed, output_dir=self.output, manifest=self.manifest.path, shard=shard,
                interrupted=interrupted, failures=tuple(sorted(self.failures, key=lambda f: f.line)))

    def _worker(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    plan = self.queue.get_nowait()
                except queue.Empty:
                    return
                with self._lock:
                    self.running += 1
                try:
                    self._run_job(plan)
                except Exception as exc:  # a failure to save or record: report it, keep the batch going
                    self._message(f"line {plan.job.line}: could not record the job ({_describe(exc)})")
                finally:
                    with self._lock:
                        self.running -= 1
        finally:
            with self._lock:
                self.workers -= 1
                if not self.workers:
                    self.finished.set()

    # ------------------------------------------------------------------ one job

    def _calls(self, job: Job, n: int) -> int:
        """How many provider calls *n* images of *job* take (for the rate limit)."""
        from tryon import DEFAULT_MODEL

        model = job.model[0] if isinstance(job.model, tuple) else (job.model or DEFAULT_MODEL)
        try:
            per_call = self.router.get(model).capabilities.max_images_per_call
        except (TryOnError, AttributeError):
            return 1
        return max(1, math.ceil(n / per_call))

    def _call(self, job: Job, n: int, on_part: Callable[[Generation], None]) -> Generation:
        from tryon import DEFAULT_MODEL

        op, options = _request_args(job, n)
        model = list(job.model) if isinstance(job.model, tuple) else (job.model or DEFAULT_MODEL)
        if op is Operation.EDIT:
            result: Generation = self.router.edit(list(job.images or ()), job.prompt, model=model,
                                                  strict=self.strict, on_part=on_part, **options)
        else:
            result = self.router.generate(job.prompt, model=model, strict=self.strict, on_part=on_part, **options)
        return result

    def _keeper(self, state: _JobState) -> Callable[[Generation], None]:
        """Saves each call's images the moment they arrive, and puts them on record if more are to come."""
        lock = threading.Lock()

        def keep(part: Generation) -> None:
            with lock:
                state.add(part, self._save(state.job, part, state.files))
                if len(state.files) < state.job.n:
                    self.manifest.append(state.record(in_progress=True))

        return keep

    def _run_job(self, plan: _Plan) -> None:
        state = _JobState(plan.job, list(plan.kept))
        while True:
            remaining = state.job.n - len(state.files)
            if remaining <= 0:
                self._finish(state)
                return
            if not self.limiter.acquire(self._calls(state.job, remaining), cancel=self.stop):
                if state.attempts:  # stopped between retries: the last error stands
                    self._finish(state)
                return  # never started: no record, so the next run runs it
            state.attempts += 1
            result: Generation | None = None
            try:
                result = self._call(state.job, remaining, self._keeper(state))  # images saved as they arrive
                state.error = None
            except PartialResultError as exc:
                result, state.error = exc.generation, exc
            except Exception as exc:
                state.error = exc
            if result is not None:
                state.note(result)
            if state.error is None:
                self._finish(state)
                return
            limited = _find(state.error, RateLimitError)
            if isinstance(limited, RateLimitError):
                wait = limited.retry_after if limited.retry_after is not None else _backoff(state.attempts)
                self.limiter.cool_down(wait)  # every worker waits, not only this one
            if state.attempts > self.retries or not _retryable(state.error) or self.stop.is_set():
                self._finish(state)
                return
            if result is not None:  # put the partial images on record before retrying
                self.manifest.append(state.record())
            if limited is None and self.stop.wait(_backoff(state.attempts)):
                self._finish(state)
                return

    def _save(self, job: Job, result: Generation, kept: Sequence[str]) -> list[str]:
        """Save *result*'s images under the job's free names (``name-0`` ... ``name-(n-1)``), so that
        a resumed job fills the gaps left by missing files."""
        taken = {Path(f).stem for f in kept}
        free = [i for i in range(job.n) if job.file_stem(i) not in taken]
        free += range(job.n, job.n + len(result.images))  # never short of names
        saved = []
        for index, image in zip(free, result.images, strict=False):
            path = image.save(self.output, stem=job.file_stem(index))
            saved.append(path.relative_to(self.output).as_posix())
        with self._lock:
            self.images += len(saved)
        return saved

    def _finish(self, state: _JobState) -> None:
        """Record the job's outcome in the manifest, the totals and the progress display."""
        record = state.record()
        self.manifest.append(record)
        failure = None if record.ok else JobFailure(record.line or 0, record.id, record.name,
                                                    record.error or "", record.files)
        with self._lock:
            if failure is None:
                self.succeeded += 1
            else:
                self.failed += 1
                self.failures.append(failure)
            self.usages.extend(state.usages)
            self.costs.extend(state.costs)
        if failure is not None:
            self._message(f"failed: {failure}")
        if self.progress is not None:
            self.progress.advance(record.ok)

    def _message(self, text: str) -> None:
        if self.progress is not None:
            self.progress.message(text)


def _wait(finished: threading.Event) -> None:
    """Wait for the workers in short slices, so that Ctrl-C reaches the main thread promptly.

    (Not ``Thread.join``: on CPython before 3.13 a join interrupted by Ctrl-C can mark a thread
    that is still running as finished.)
    """
    while not finished.wait(0.1):
        pass
