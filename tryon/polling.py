"""Waiting for a provider's asynchronous job: the polling schedule and the loop, in one place.

A plugin whose provider answers a submit with a job id (BFL, FASHN, ...) polls with
:func:`poll_until`: it passes a *check* that performs one poll and returns the final answer,
``None`` while the job is still running, or raises the plugin's typed error when the job failed.
The loop waits between polls by :func:`poll_delays` (a first wait growing by a factor up to a
cap), never past the caller's deadline, and wakes up at once when the request is cancelled
(:func:`tryon.cancel.sleep`). When the deadline passes, *on_timeout* builds the error to raise
from a sentence naming the last status and the number of polls.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import attrs

from tryon import cancel, observe

__all__ = ["PollSchedule", "poll_delays", "poll_until"]

T = TypeVar("T")


def poll_delays(first: float, maximum: float, factor: float) -> Iterator[float]:
    """The waits between polls: *first*, growing by *factor*, capped at *maximum*."""
    delay = min(first, maximum)
    while True:
        yield delay
        delay = min(delay * factor, maximum)


@attrs.frozen
class PollSchedule:
    """How often to poll: ``first`` seconds after the first poll, growing by ``factor`` up to ``maximum``."""

    first: float
    maximum: float
    factor: float = 1.5

    def delays(self) -> Iterator[float]:
        return poll_delays(self.first, self.maximum, self.factor)


def poll_until(
    check: Callable[[], tuple[str, T | None]],
    *,
    schedule: PollSchedule,
    deadline: float,
    seconds: float,
    on_timeout: Callable[[str], Exception],
    what: str = "the job",
    provider: str | None = None,
) -> T:
    """Call *check* until it returns an answer, waiting by *schedule* in between.

    *check* performs one poll and returns ``(status, answer)``: ``answer`` is the final answer
    (returned), or ``None`` while the job runs (its ``status`` is reported on timeout); it raises
    when the job failed. *deadline* is a :func:`time.monotonic` instant; *seconds* is the
    deadline's length for the message *on_timeout* receives. With *provider*, each poll that
    answers is reported (:func:`tryon.observe.polled`: an event, and a span event when traced).
    """
    delays = schedule.delays()
    polls = 0
    started = time.monotonic()
    while True:
        status, answer = check()
        polls += 1
        if provider is not None:
            observe.polled(provider, status, polls, time.monotonic() - started)
        if answer is not None:
            return answer
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise on_timeout(f"{what} did not finish within {seconds:g}s (last status {status!r} after "
                             f"{polls} polls)")
        cancel.sleep(min(next(delays), remaining))  # wakes up and gives up if the request was cancelled
