"""Batch runs: a JSONL file of jobs, run concurrently under one rate limit, resumable.

``run_batch("jobs.jsonl", "out/")`` (or ``tryon batch jobs.jsonl -o out/``) saves every image
as soon as its provider call returns and records each outcome in ``out/manifest.jsonl``; running it
again skips what is done. See ``docs/batch.md``.
"""

from __future__ import annotations

from tryon.batch.estimate import estimate_batch
from tryon.batch.jobs import Job, JobFileError, Shard, load_jobs
from tryon.batch.manifest import Manifest, ManifestIndex, Record
from tryon.batch.progress import Progress, ProgressReporter
from tryon.batch.ratelimit import RateLimiter
from tryon.batch.runner import batch_router, run_batch
from tryon.batch.summary import BatchInterrupted, BatchSummary, JobFailure

__all__ = [
    "BatchInterrupted",
    "BatchSummary",
    "Job",
    "JobFailure",
    "JobFileError",
    "Manifest",
    "ManifestIndex",
    "Progress",
    "ProgressReporter",
    "RateLimiter",
    "Record",
    "Shard",
    "batch_router",
    "estimate_batch",
    "load_jobs",
    "run_batch",
]
