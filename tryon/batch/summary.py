"""What a batch run did: :class:`BatchSummary`, its failures, and the Ctrl-C exception."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from tryon.results import Usage

__all__ = ["BatchInterrupted", "BatchSummary", "BudgetReport", "JobFailure"]


@attrs.frozen
class JobFailure:
    """A job that failed in this run."""

    line: int
    id: str
    name: str | None
    error: str
    files: tuple[str, ...] = ()

    def __str__(self) -> str:
        label = f"line {self.line}" + (f" ({self.name})" if self.name else f" (id {self.id})")
        kept = f" [{len(self.files)} image(s) kept]" if self.files else ""
        return f"{label}: {self.error}{kept}"


@attrs.frozen(kw_only=True)
class BudgetReport:
    """How a run's budget (``max_cost``) was used: settled cost, what was left, jobs it kept from starting."""

    max_cost: float
    spent: float
    left: float
    stopped: bool = False
    not_started: tuple[str, ...] = ()
    unpriced_calls: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"max_cost": self.max_cost, "spent": round(self.spent, 6), "left": round(self.left, 6),
                "stopped": self.stopped, "not_started": list(self.not_started),
                "unpriced_calls": self.unpriced_calls}

    def __str__(self) -> str:
        text = f"budget ${self.max_cost:.4f}: ${self.spent:.4f} spent, ${self.left:.4f} left"
        if self.stopped:
            shown = ", ".join(self.not_started[:5]) + (" ..." if len(self.not_started) > 5 else "")
            text += f"; stopped before the next job would cross it: {len(self.not_started)} job(s) not started"
            text += f" ({shown})" if shown else ""
        if self.unpriced_calls:
            text += f"; {self.unpriced_calls} call(s) to unpriced models not counted"
        return text


@attrs.frozen(kw_only=True)
class BatchSummary:
    """What a batch run did. ``exit_code``: 0 all done, 1 some failed, 130 interrupted."""

    total: int
    skipped: int
    succeeded: int
    failed: int
    pending: int
    images: int
    usage: Usage | None
    cost_usd: float | None
    elapsed_s: float
    output_dir: Path
    manifest: Path | None
    """The manifest written, ``None`` when nothing was recorded (no job finished or started)."""
    shard: str | None = None
    interrupted: bool = False
    failures: tuple[JobFailure, ...] = ()
    budget: BudgetReport | None = None

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 1 if self.failed or self.pending else 0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description."""
        return {
            "total": self.total, "skipped": self.skipped, "succeeded": self.succeeded,
            "failed": self.failed, "pending": self.pending, "images": self.images,
            "usage": self.usage.to_dict() if self.usage else None, "cost_usd": self.cost_usd,
            "elapsed_s": round(self.elapsed_s, 3), "output_dir": str(self.output_dir),
            "manifest": str(self.manifest) if self.manifest else None, "shard": self.shard,
            "interrupted": self.interrupted, "failures": [attrs.asdict(f) for f in self.failures],
            "budget": self.budget.to_dict() if self.budget else None, "exit_code": self.exit_code,
        }

    def __str__(self) -> str:
        done = self.skipped + self.succeeded
        text = (f"{self.total} job(s): {done} done ({self.succeeded} now, {self.skipped} earlier), "
                f"{self.failed} failed, {self.pending} not run; {self.images} image(s) saved")
        if self.cost_usd is not None:
            text += f"; cost ${self.cost_usd:.4f}"
        text += f"; {self.elapsed_s:.1f}s"
        return text + (" (interrupted)" if self.interrupted else "")


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a batch; ``summary`` says what was done (everything finished is saved)."""

    def __init__(self, summary: BatchSummary) -> None:
        super().__init__("batch interrupted")
        self.summary = summary
