"""Batch progress on stderr: done, failed, remaining, rate and ETA.

On a terminal one line is redrawn in place (at most ten times a second); otherwise (a log
file, CI) a plain line is printed at the start, every ``interval`` seconds and at the end.
Messages (a failed job, an interruption) are printed on their own line either way.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from tryon.events import Event

__all__ = ["Progress", "ProgressReporter", "format_duration", "progress_subscriber"]


class ProgressReporter(Protocol):
    """What the batch runner reports to (``tryon.batch.Progress`` or your own)."""

    def start(self, total: int, done: int = 0) -> None:
        """*total* jobs, of which *done* were finished by an earlier run."""

    def advance(self, ok: bool) -> None:
        """One job finished (``ok=False``: it failed)."""

    def message(self, text: str) -> None:
        """Show a line of text (e.g. why a job failed)."""

    def finish(self) -> None:
        """The run is over (print the final state)."""


def format_duration(seconds: float) -> str:
    """``75`` -> ``"1m15s"``; ``3700`` -> ``"1h01m"``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class Progress:
    """A progress display for :func:`tryon.batch.run_batch` (no third-party dependency)."""

    def __init__(self, stream: TextIO | None = None, *, interval: float = 5.0, width: int = 24,
                 tty: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = _isatty(self.stream) if tty is None else tty
        self.interval = interval
        self.width = width
        self._lock = threading.Lock()
        self.total = self.done = self.failed = self.before = 0
        self._started = self._last_draw = 0.0
        self._drawn = False
        self._last_counts: tuple[int, int] | None = None

    def start(self, total: int, done: int = 0) -> None:
        with self._lock:
            self.total, self.done, self.before, self.failed = total, done, done, 0
            self._started = time.monotonic()
            if not self.tty:
                extra = f" ({done} already done)" if done else ""
                self._write(f"batch: {total} job(s){extra}\n")
            self._draw(force=True)

    def advance(self, ok: bool) -> None:
        with self._lock:
            if ok:
                self.done += 1
            else:
                self.failed += 1
            self._draw()

    def message(self, text: str) -> None:
        with self._lock:
            if self.tty and self._drawn:
                self._write("\r\x1b[K")
            self._write(text.rstrip("\n") + "\n")
            self._drawn = False
            self._draw(force=True)

    def finish(self) -> None:
        with self._lock:
            self._draw(force=True, final=True)
            if self.tty and self._drawn:
                self._write("\n")
                self._drawn = False

    # ------------------------------------------------------------------ rendering

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.done - self.failed)

    def status(self) -> str:
        """``"120/200 done · 2 failed · 78 left · 3.1 jobs/s · ETA 25s"``."""
        elapsed = max(1e-9, time.monotonic() - self._started)
        finished_now = self.done - self.before + self.failed
        rate = finished_now / elapsed
        parts = [f"{self.done}/{self.total} done", f"{self.failed} failed", f"{self.remaining} left"]
        if finished_now:
            parts.append(f"{rate:.1f} jobs/s" if rate >= 0.1 else f"{rate * 60:.1f} jobs/min")
            if self.remaining:
                parts.append(f"ETA {format_duration(self.remaining / rate)}")
        parts.append(f"elapsed {format_duration(elapsed)}")
        return " · ".join(parts) if self.tty else ", ".join(parts)

    def _bar(self) -> str:
        filled = 0 if not self.total else (self.done + self.failed) * self.width // self.total
        return "[" + "#" * filled + "." * (self.width - filled) + "]"

    def _draw(self, *, force: bool = False, final: bool = False) -> None:
        now = time.monotonic()
        if self.tty:
            if force or now - self._last_draw >= 0.1:
                self._write(f"\r\x1b[Kbatch {self._bar()} {self.status()}")
                self._drawn = True
                self._last_draw = now
        elif final or now - self._last_draw >= self.interval:
            counts = (self.done, self.failed)
            if (final or self._last_draw) and not (final and counts == self._last_counts):
                self._write(f"batch: {self.status()}\n")  # the final line only when it says something new
                self._last_counts = counts
            self._last_draw = now

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stream must not stop the batch
            pass


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def progress_subscriber(progress: ProgressReporter, batch_id: str) -> Callable[[Event], None]:
    """An event callback (:func:`tryon.events.subscribe`) that drives *progress* from the events of
    the batch run *batch_id*: ``BatchStarted`` -> ``start``, ``BatchProgress`` -> ``advance``,
    ``BatchMessage`` -> ``message``, ``BatchFinished`` -> ``finish``. Any other subscriber sees the
    same events, so an application can draw its own progress (a web page, a metrics gauge)."""
    from tryon import events

    def forward(event: Event) -> None:
        if getattr(event, "batch_id", None) != batch_id:
            return
        if isinstance(event, events.BatchStarted):
            progress.start(event.total, event.done)
        elif isinstance(event, events.BatchProgress):
            progress.advance(event.ok)
        elif isinstance(event, events.BatchMessage):
            progress.message(event.text)
        elif isinstance(event, events.BatchFinished):
            progress.finish()

    return forward
