"""Batch runs: a file of jobs (JSONL, JSON array or CSV), run concurrently under one rate limit, resumable.

``run_batch("jobs.jsonl", "out/")`` (or ``tryon batch jobs.jsonl -o out/``) saves every image
as soon as its provider call returns and records each outcome in ``out/manifest.jsonl``; running it
again skips what is done. See ``docs/batch.md``.
"""

from __future__ import annotations

from tryon.batch.jobs import Job, JobDefaults, JobFileError, Shard, load_jobs
from tryon.batch.lock import FolderLockedError, OutputLock
from tryon.batch.manifest import Manifest, ManifestIndex, Record
from tryon.batch.preflight import BatchPlan, JobPlan
from tryon.batch.progress import Progress, ProgressReporter, progress_subscriber
from tryon.batch.ratelimit import RateLimiter
from tryon.batch.runner import ManifestWarning, batch_router, plan_batch, run_batch
from tryon.batch.summary import BatchInterrupted, BatchSummary, BudgetReport, JobFailure

__all__ = [
    "BatchInterrupted",
    "BatchPlan",
    "BatchSummary",
    "BudgetReport",
    "FolderLockedError",
    "Job",
    "JobDefaults",
    "JobFailure",
    "JobFileError",
    "JobPlan",
    "Manifest",
    "ManifestIndex",
    "ManifestWarning",
    "OutputLock",
    "Progress",
    "ProgressReporter",
    "RateLimiter",
    "Record",
    "Shard",
    "batch_router",
    "load_jobs",
    "plan_batch",
    "progress_subscriber",
    "run_batch",
]
