"""Run a JSONL file of jobs: concurrent, rate-limited, saved as it goes, resumable.

Workers are threads calling the router's sync API. Image generation is network-bound (a
call takes seconds to minutes), so a few dozen threads cost nothing next to the calls; every
plugin works the same way whether or not it has a native async client; the durable writes
(image files and the manifest, each ``fsync``\\ ed) are blocking anyway; and Ctrl-C can
simply stop handing out jobs while the calls already paid for finish and are saved.

Before anything is sent, :mod:`tryon.batch.preflight` checks every job locally (options, every
local image and mask, API keys, the output folder, prices under a budget) and the run takes the
output folder's lock (:mod:`tryon.batch.lock`). Before each image is written, a manifest line
names the file it will have (the intent), so a crash at any moment after the answer arrived
never makes a resumed run pay for that image again: the file is adopted. A final line records
the outcome, so re-running the same command resumes: jobs recorded ``ok`` whose files exist are
skipped; failed, missing and interrupted jobs run again, asking only for images still missing.
Under a budget (``max_cost``) each call reserves its estimate before it starts and settles with
the actual cost; when the next call would cross the budget no more work starts.
"""

from __future__ import annotations

import contextlib
import contextvars
import queue
import random
import threading
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from tryon import events, observe
from tryon.batch.jobs import Job, JobDefaults, Shard, load_jobs
from tryon.batch.lock import OutputLock
from tryon.batch.manifest import Manifest, ManifestIndex, Record, manifest_name, now_iso, safe_relative
from tryon.batch.preflight import BatchPlan, JobPlan, job_models, preflight
from tryon.batch.preflight import _request_args as _request_args
from tryon.batch.progress import ProgressReporter, progress_subscriber
from tryon.batch.ratelimit import RateLimiter
from tryon.batch.summary import BatchInterrupted, BatchSummary, BudgetReport, JobFailure
from tryon.budget import Budget, Reservation, check_max_cost
from tryon.capabilities import Operation
from tryon.errors import (
    InvalidOptionError,
    NoModelAvailableError,
    PartialResultError,
    Problem,
    ProviderError,
    RateLimitError,
    TryOnError,
)
from tryon.http import max_retry_after
from tryon.results import Generation, Usage
from tryon.secrets import redact

if TYPE_CHECKING:
    from tryon.router import Router

__all__ = ["DEFAULT_RETRIES", "ManifestWarning", "plan_batch", "run_batch"]

DEFAULT_RETRIES = 3
_MAX_BACKOFF = 60.0


class ManifestWarning(UserWarning):
    """A manifest line was skipped (torn by a crash, or not a valid record)."""


@attrs.define
class _Plan:
    job: Job
    kept: list[str]


def plan_batch(jobs_path: str | Path, output_dir: str | Path, *, router: Router | None = None,
               shard: str | Shard | None = None, strict: bool | None = None,
               defaults: JobDefaults | None = None, max_cost: float | None = None,
               allow_unpriced: bool = False, max_per_minute: float | None = None) -> BatchPlan:
    """What :func:`run_batch` would do, checked and estimated, sending nothing (``tryon batch --dry-run``).

    Raises :class:`~tryon.batch.JobFileError` listing every problem the pre-flight finds.
    """
    plan, _, _ = _prepare(jobs_path, output_dir, router, shard, strict, defaults, max_cost, allow_unpriced,
                          max_per_minute)
    return plan


def _prepare(jobs_path: str | Path, output_dir: str | Path, router: Router | None, shard: str | Shard | None,
             strict: bool | None, defaults: JobDefaults | None, max_cost: float | None, allow_unpriced: bool,
             max_per_minute: float | None) -> tuple[BatchPlan, list[_Plan], Shard | None]:
    if isinstance(shard, str):
        shard = Shard.parse(shard)
    max_cost = check_max_cost(max_cost)
    if router is None:
        router = batch_router()
    jobs = load_jobs(jobs_path, defaults)
    if shard is not None:
        jobs = shard.select(jobs)
    output = Path(output_dir)
    index = ManifestIndex.read(output)
    for bad in index.bad_lines:
        warnings.warn(f"manifest {bad} (skipped)", ManifestWarning, stacklevel=3)
    plans, skipped = _plan(jobs, index, output)
    checked = preflight(router, [(p.job, p.kept) for p in plans], jobs_path, output, strict=strict,
                        max_cost=max_cost, allow_unpriced=allow_unpriced, total=len(jobs), done=skipped,
                        max_per_minute=max_per_minute)
    return checked, plans, shard


def run_batch(jobs_path: str | Path, output_dir: str | Path, *, router: Router | None = None,
              concurrency: int = 8, max_per_minute: float | None = None, shard: str | Shard | None = None,
              retries: int = DEFAULT_RETRIES, progress: ProgressReporter | None = None,
              strict: bool | None = None, limiter: RateLimiter | None = None,
              defaults: JobDefaults | None = None, max_cost: float | None = None, allow_unpriced: bool = False,
              sidecar: bool = False) -> BatchSummary:
    """Run every job of *jobs_path* (JSONL, a JSON array or CSV), saving images into *output_dir*.

    Every problem a local check can find (invalid lines, options a model cannot honour, an
    unreadable or unfit image or mask, a missing API key, an unwritable folder, an unpriced
    model under a budget) raises :class:`~tryon.batch.JobFileError` before anything is sent;
    another live run on the same folder raises :class:`~tryon.batch.FolderLockedError`.
    ``max_per_minute`` caps the calls started per minute (a job fanned out into k calls counts
    k); a rate-limit answer pauses every worker for its ``Retry-After``. Retryable failures are
    retried ``retries`` times with backoff. ``shard`` (``"I/N"``) runs the jobs whose id hashes
    to I-1 modulo N. ``strict=False`` adapts what a model cannot honour (recorded per job).
    ``limiter`` shares one :class:`RateLimiter` between several runs (``max_per_minute`` is then
    ignored). ``defaults`` fill what jobs leave out (model, options). ``max_cost`` (US dollars)
    is a budget for the run: each call reserves its estimate before it starts, and when the
    next would cross the budget no more work starts (the summary's ``budget`` says what was
    left); ``allow_unpriced`` lets models without price data run under it. ``sidecar`` writes a
    JSON sidecar beside each image. Ctrl-C stops starting jobs and lets running ones finish (a
    second Ctrl-C stops waiting), then raises :class:`~tryon.batch.BatchInterrupted`.
    """
    if not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidOptionError([Problem("concurrency", concurrency, "concurrency must be at least 1")])
    if not isinstance(retries, int) or retries < 0:
        raise InvalidOptionError([Problem("retries", retries, "retries must be 0 or more")])
    if router is None:
        router = batch_router()
    checked, plans, selected = _prepare(jobs_path, output_dir, router, shard, strict, defaults, max_cost,
                                        allow_unpriced, max_per_minute)
    output = Path(output_dir)
    shard_text = str(selected) if selected else None
    budget = Budget(max_cost, allow_unpriced=allow_unpriced) if max_cost is not None else None
    batch_id = observe.new_id("batch")
    # the progress display follows the run's events (tryon.events), as any other subscriber can
    following = (events.subscribed(progress_subscriber(progress, batch_id)) if progress is not None
                 else contextlib.nullcontext())
    with following, OutputLock(output, shard=shard_text) as lock:
        if lock.taken_over is not None:
            observe.batch_event(events.BatchMessage(batch_id=batch_id, text=(
                f"took over a stale lock of an earlier run (pid {lock.taken_over.get('pid', '?')} on "
                f"{lock.taken_over.get('host', '?')}, started {lock.taken_over.get('started', '?')})")))
        run = _Run(router, output, Manifest(output, manifest_name(shard_text)), limiter or RateLimiter(max_per_minute),
                   progress, retries, strict, budget=budget, plans={p.job.id: p for p in checked.jobs},
                   sidecar=sidecar, lock=lock, batch_id=batch_id)
        return run.execute(plans, total=checked.total, skipped=checked.done, concurrency=concurrency,
                           shard=shard_text)


def batch_router(*, allow_private_urls: bool | None = None, **settings: Mapping[str, Any]) -> Router:
    """A router for batch runs: provider SDK/HTTP retries off, so that every rate-limit answer
    reaches the batch's shared limiter (which then pauses every worker) and its own retries.

    *settings* are per-provider settings as for :class:`~tryon.Router` (``openai={"api_key": ...}``);
    ``allow_private_urls=True`` lets jobs use image URLs on loopback/private networks.
    """
    from tryon.errors import ValidationError
    from tryon.router import Router

    router = Router(settings=settings, allow_private_urls=allow_private_urls)
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
        existing = [f for f in record.files if safe_relative(f) is not None and _inside(output, f)]
        if record.ok and existing and len(existing) == len(record.files) and len(existing) >= job.n:
            skipped += 1
        else:
            plans.append(_Plan(job, existing[: job.n]))
    return plans, skipped


def _inside(output: Path, name: str) -> bool:
    """Whether *name* is an existing regular file inside *output* (symlinks out of it do not count)."""
    path = output / name
    try:
        return path.is_file() and path.resolve().is_relative_to(output.resolve())
    except OSError:
        return False


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

    def attempt_cost(self, costs_before: int, files_before: int, asked: int) -> float | None:
        """The actual cost of the last attempt (``None``: images arrived without a reported cost, so the
        reserved estimate stands; 0 when nothing arrived)."""
        images = len(self.files) - files_before
        if not images:
            return 0.0
        costs = self.costs[costs_before:]
        return sum(costs) if costs else None

    def record(self, *, in_progress: bool = False, planned: Sequence[str] = ()) -> Record:
        usage = Usage.total(self.usages)
        error = None if self.error is None else _describe(self.error)
        files = [*self.files, *planned]
        if in_progress:  # on record mid-job, so that a killed run keeps (and resumes after) these images
            error = (f"in progress: {len(self.files)} of {self.job.n} image(s) saved, {len(planned)} being saved "
                     "when this line was written")
        return Record(id=self.job.id, status="failed" if in_progress or self.error else "ok", files=files,
                      line=self.job.line, name=self.job.name, model=self.model,
                      usage=usage.to_dict() if usage else None,
                      cost_usd=sum(self.costs) if self.costs else None,
                      error=error, warnings=tuple(self.warnings), skipped=tuple(self.skipped), started=self.started,
                      finished=now_iso(), attempts=self.attempts)


class _Run:
    """The state of one batch run, shared by its worker threads."""

    def __init__(self, router: Router, output: Path, manifest: Manifest, limiter: RateLimiter,
                 progress: ProgressReporter | None, retries: int, strict: bool | None, *,
                 budget: Budget | None = None, plans: Mapping[str, JobPlan] | None = None,
                 sidecar: bool = False, lock: OutputLock | None = None, batch_id: str | None = None) -> None:
        self.batch_id = batch_id or observe.new_id("batch")
        self.total = self.done_before = 0
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
        self.budget = budget
        self.plans = dict(plans or {})
        self.sidecar = sidecar
        self.lock = lock
        self.over_budget = threading.Event()
        self.not_started: list[str] = []
        self._cooling_said = 0.0

    # ------------------------------------------------------------------ orchestration

    def execute(self, plans: list[_Plan], *, total: int, skipped: int, concurrency: int,
                shard: str | None) -> BatchSummary:
        started = time.monotonic()
        self.output.mkdir(parents=True, exist_ok=True)
        for plan in plans:
            self.queue.put(plan)
        self.total, self.done_before = total, skipped
        token = observe.enter_batch(self.batch_id)  # worker threads start in a copy of this context
        observe.batch_event(events.BatchStarted(batch_id=self.batch_id, total=total, done=skipped,
                                                output_dir=str(self.output)))
        self.workers = min(concurrency, len(plans))
        if not self.workers:
            self.finished.set()
        for i in range(self.workers):
            threading.Thread(target=contextvars.copy_context().run, args=(self._worker,), name=f"tryon-batch-{i}",
                             daemon=True).start()
        interrupted = False
        try:
            _wait(self.finished, self._tick)
        except KeyboardInterrupt:
            interrupted = True
            self.stop.set()
            self._message(f"interrupted: starting no new jobs; waiting for {self.running} running job(s) to "
                          "finish and be saved (Ctrl-C again to stop waiting)")
            try:
                _wait(self.finished, self._tick)
            except KeyboardInterrupt:
                self._message("stopped waiting: jobs still running are not recorded and will run again")
        finally:
            self.manifest.close()
            summary = self._summary(total, skipped, time.monotonic() - started, shard, interrupted)
            observe.batch_event(events.BatchFinished(batch_id=self.batch_id, summary=summary,
                                                     interrupted=interrupted))  # the display's finish
            observe.leave_batch(token)
        if interrupted:
            raise BatchInterrupted(summary)
        return summary

    def _summary(self, total: int, skipped: int, elapsed: float, shard: str | None,
                 interrupted: bool) -> BatchSummary:
        budget = None
        if self.budget is not None:
            budget = BudgetReport(max_cost=self.budget.max_cost, spent=self.budget.spent, left=self.budget.remaining,
                                  stopped=self.over_budget.is_set(), not_started=tuple(self.not_started),
                                  unpriced_calls=self.budget.unpriced_calls)
        with self._lock:
            return BatchSummary(
                total=total, skipped=skipped, succeeded=self.succeeded, failed=self.failed,
                pending=total - skipped - self.succeeded - self.failed, images=self.images,
                usage=Usage.total(self.usages), cost_usd=sum(self.costs) if self.costs else None,
                elapsed_s=elapsed, output_dir=self.output,
                manifest=self.manifest.path if self.manifest.path.exists() else None, shard=shard,
                interrupted=interrupted, failures=tuple(sorted(self.failures, key=lambda f: f.line)),
                budget=budget)

    def _tick(self) -> None:
        """Called by the main thread while it waits: keep the lock fresh, say when a cool-down pauses work."""
        if self.lock is not None:
            self.lock.heartbeat()
        cooling = self.limiter.cooling_for()
        now = time.monotonic()
        if cooling >= 1.0 and now >= self._cooling_said:
            self._message(f"rate limited: every worker pauses for {cooling:.0f}s (the provider asked to wait)")
            self._cooling_said = now + cooling

    def _worker(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    plan = self.queue.get_nowait()
                except queue.Empty:
                    return
                if self.over_budget.is_set():
                    with self._lock:
                        self.not_started.append(_label(plan.job))
                    continue
                with self._lock:
                    self.running += 1
                try:
                    with observe.job_scope(self.batch_id, plan.job):
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
        names = job_models(job)
        plan = self.plans.get(job.id)
        model = plan.model if plan is not None else names[0]
        try:
            per_call = self.router.get(model).capabilities.max_images_per_call
        except (TryOnError, AttributeError):
            return 1
        return max(1, -(-n // per_call))

    def _reserve(self, job: Job, n: int) -> Reservation | bool | None:
        """Hold the estimate of *n* images of *job* against the budget: the reservation, ``True`` without a
        budget, ``None`` when it does not fit (no more work starts)."""
        if self.budget is None:
            return True
        plan = self.plans.get(job.id)
        amount = plan.reserve_for(n) if plan is not None else None
        reservation = self.budget.reserve(amount)
        if reservation is None and not self.over_budget.is_set():
            self.over_budget.set()
            need = "an unknown amount" if amount is None else f"${amount:.4f}"
            self._message(f"budget: {_label(job)} needs {need} but ${self.budget.remaining:.4f} of "
                          f"${self.budget.max_cost:.4f} is left; starting no more jobs")
        return reservation

    def _call(self, job: Job, n: int, on_part: Callable[[Generation], None]) -> Generation:
        op, options = _request_args(job, n)
        names = job_models(job)
        model: str | list[str] = names[0] if len(names) == 1 else names
        if op is Operation.TRY_ON:
            result: Generation = self.router.try_on(options.pop("person"), options.pop("garments"), model=model,
                                                    strict=self.strict, on_part=on_part, **options)
        elif op is Operation.EDIT:
            result = self.router.edit(list(job.images or ()), job.prompt, model=model,
                                                  strict=self.strict, on_part=on_part, **options)
        else:
            result = self.router.generate(job.prompt, model=model, strict=self.strict, on_part=on_part, **options)
        return result

    def _keeper(self, state: _JobState) -> Callable[[Generation], None]:
        """Saves each call's images the moment they arrive, and puts them on record if more are to come."""
        lock = threading.Lock()

        def keep(part: Generation) -> None:
            with lock:
                state.add(part, self._save(state, part))

        return keep

    def _run_job(self, plan: _Plan) -> None:
        state = _JobState(plan.job, list(plan.kept))
        while True:
            remaining = state.job.n - len(state.files)
            if remaining <= 0:
                self._finish(state)
                return
            reservation = self._reserve(state.job, remaining)
            if reservation is None:
                if state.attempts:  # over budget between retries: the last error stands
                    self._finish(state)
                else:
                    with self._lock:
                        self.not_started.append(_label(state.job))
                return  # never started: no record, so the next run runs it
            if not self.limiter.acquire(self._calls(state.job, remaining), cancel=self.stop):
                self._settle(reservation, 0.0)
                if state.attempts:  # stopped between retries: the last error stands
                    self._finish(state)
                return  # never started: no record, so the next run runs it
            state.attempts += 1
            result: Generation | None = None
            before = (len(state.costs), len(state.files))
            try:
                result = self._call(state.job, remaining, self._keeper(state))  # images saved as they arrive
                state.error = None
            except PartialResultError as exc:
                result, state.error = exc.generation, exc
            except Exception as exc:
                state.error = exc
            self._settle(reservation, state.attempt_cost(*before, remaining))
            if result is not None:
                state.note(result)
            if state.error is None:
                self._finish(state)
                return
            limited = _find(state.error, RateLimitError)
            if isinstance(limited, RateLimitError):
                wait = limited.retry_after if limited.retry_after is not None else _backoff(state.attempts)
                wait = min(wait, max_retry_after())  # a server asking for a day does not park the batch
                self.limiter.cool_down(wait)  # every worker waits, not only this one
            if state.attempts > self.retries or not _retryable(state.error) or self.stop.is_set():
                self._finish(state)
                return
            if result is not None:  # put the partial images on record before retrying
                self.manifest.append(state.record())
            backoff = None if limited is not None else _backoff(state.attempts)
            observe.retry(state.attempts + 1, _describe(state.error), source="batch",
                          wait_s=backoff if backoff is not None else self.limiter.cooling_for())
            if backoff is not None and self.stop.wait(backoff):
                self._finish(state)
                return

    def _settle(self, reservation: Reservation | bool, actual: float | None) -> None:
        if self.budget is not None and isinstance(reservation, Reservation):
            self.budget.settle(reservation, actual)

    def _targets(self, job: Job, result: Generation, kept: Sequence[str]) -> list[str]:
        """File names for *result*'s images: the job's free names (``name-0`` ... ``name-(n-1)``, so that a
        resumed job fills the gaps), each with the image's extension and not taken by any file."""
        taken = {Path(f).stem for f in kept}
        free = [i for i in range(job.n) if job.file_stem(i) not in taken]
        free += range(job.n, job.n + len(result.images))  # never short of names
        names: list[str] = []
        for index, image in zip(free, result.images, strict=False):
            stem = job.file_stem(index)
            for n in range(10_000):
                name = f"{stem}{image.extension}" if n == 0 else f"{stem}-{n}{image.extension}"
                if name not in names and not (self.output / name).exists():
                    break
            names.append(name)
        return names

    def _save(self, state: _JobState, result: Generation) -> list[str]:
        """Save *result*'s images. Their names go on record first (the intent), so that a crash after a
        file is written but before the job's outcome is recorded lets the next run adopt the file."""
        job = state.job
        names = self._targets(job, result, state.files)
        self.manifest.append(state.record(in_progress=True, planned=names))
        saved = []
        for name, image in zip(names, result.images, strict=False):
            path = image.save(self.output / name, sidecar=self.sidecar)
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
            done, failed = self.done_before + self.succeeded, self.failed
        observe.job_done(ok=record.ok, attempts=state.attempts, images=len(state.files),
                         cost_usd=sum(state.costs) if state.costs else None, error=record.error)
        if failure is not None:
            self._message(f"failed: {failure}")
        observe.batch_event(events.BatchProgress(batch_id=self.batch_id, ok=record.ok, done=done, failed=failed,
                                                 total=self.total, job_id=state.job.id))

    def _message(self, text: str) -> None:
        observe.batch_event(events.BatchMessage(batch_id=self.batch_id, text=text))


def _wait(finished: threading.Event, tick: Callable[[], None] | None = None) -> None:
    """Wait for the workers in short slices, so that Ctrl-C reaches the main thread promptly.

    (Not ``Thread.join``: on CPython before 3.13 a join interrupted by Ctrl-C can mark a thread
    that is still running as finished.) *tick* runs between slices.
    """
    while not finished.wait(0.1):
        if tick is not None:
            tick()


def _label(job: Job) -> str:
    return f"line {job.line}" + (f" ({job.name})" if job.name else "")
