"""One rate limiter shared by every worker of a batch.

Two rules, both shared: a token bucket caps how many calls start per period
(``max_calls`` per ``per`` seconds, at most ``burst`` at once), and a cool-down set by
:meth:`RateLimiter.cool_down` — typically from a 429's ``Retry-After`` — makes *every*
worker wait, not only the one that was refused. Thread-safe (:meth:`RateLimiter.acquire`)
and asyncio-friendly (:meth:`RateLimiter.aacquire` sleeps without blocking the loop).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

from tryon.errors import InvalidOptionError, Problem

__all__ = ["RateLimiter"]


class RateLimiter:
    """A shared token bucket plus a shared cool-down.

    ``RateLimiter()`` only enforces cool-downs; ``RateLimiter(30)`` also starts at most 30
    calls a minute, evenly spaced (``burst=1``); a larger ``burst`` lets that many start at
    once after an idle period.
    """

    def __init__(self, max_calls: float | None = None, per: float = 60.0, *, burst: int = 1,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_calls is not None and not max_calls > 0:
            raise InvalidOptionError([Problem("max_per_minute", max_calls,
                                              f"the rate must be a positive number, not {max_calls!r}")])
        if not per > 0 or burst < 1:
            raise InvalidOptionError([Problem("per", per, "per must be positive and burst at least 1")])
        self.max_calls = max_calls
        self.per = per
        self.burst = burst
        self._rate = None if max_calls is None else max_calls / per  # tokens per second
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = float(burst)
        self._updated = clock()
        self._cool_until = 0.0

    def __repr__(self) -> str:
        limit = "no limit" if self.max_calls is None else f"{self.max_calls:g} per {self.per:g}s"
        return f"RateLimiter({limit}, cooling {self.cooling_for():.1f}s)"

    def cool_down(self, seconds: float) -> None:
        """Make every caller wait at least *seconds* from now (an earlier, longer wait stands)."""
        with self._lock:
            self._cool_until = max(self._cool_until, self._clock() + max(0.0, seconds))

    def cooling_for(self) -> float:
        """Seconds left of the current cool-down (0 when none)."""
        with self._lock:
            return max(0.0, self._cool_until - self._clock())

    def try_acquire(self, cost: float = 1.0) -> float:
        """Take *cost* tokens now and return 0, or return how many seconds to wait before retrying.

        A call costing more than ``burst`` (a request fanned out into several calls) is let
        through once ``burst`` tokens are there, and the debt delays the calls after it.
        """
        with self._lock:
            now = self._clock()
            if now < self._cool_until:
                return self._cool_until - now
            if self._rate is None:
                return 0.0
            self._tokens = min(float(self.burst), self._tokens + (now - self._updated) * self._rate)
            self._updated = now
            needed = min(cost, float(self.burst))
            if self._tokens >= needed - 1e-9:
                self._tokens -= cost
                return 0.0
            return (needed - self._tokens) / self._rate

    def acquire(self, cost: float = 1.0, *, cancel: threading.Event | None = None) -> bool:
        """Block until a call may start; ``False`` if *cancel* was set while waiting."""
        while True:
            if cancel is not None and cancel.is_set():
                return False
            wait = self.try_acquire(cost)
            if wait <= 0:
                return True
            if cancel is not None:
                if cancel.wait(wait):
                    return False
            else:
                time.sleep(wait)

    async def aacquire(self, cost: float = 1.0) -> None:
        """Wait (without blocking the event loop) until a call may start; cancellable."""
        while True:
            wait = self.try_acquire(cost)
            if wait <= 0:
                return
            await asyncio.sleep(wait)
