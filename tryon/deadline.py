"""Overall deadlines: a bound on a whole call, headers, body, retries and redirects included.

Socket timeouts bound one read; a server that sends one byte every half second never trips
them. A :class:`Deadline` bounds the whole operation instead::

    with Deadline(30, "the image download"):
        ...  # every HTTP call made here, by tryon's session or the OpenAI SDK, ends by then

The transports enforce it: tryon's ``requests`` adapter (:mod:`tryon.transport`) registers
each connection in use with the innermost deadline, and a watchdog thread shuts those sockets
down when it passes (which wakes up a blocked read); retries and their waits stop once it has
passed; the OpenAI SDK's transport caps every socket read and write at the time left. Nested
deadlines never extend an outer one.
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import itertools
import socket
import threading
import time
from types import TracebackType
from typing import Any

__all__ = ["Deadline", "DeadlineExceeded", "current_deadline"]

_current: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("tryon_deadline", default=None)


class DeadlineExceeded(Exception):
    """Raised inside the transport when no time is left (never escapes tryon's own calls)."""


def current_deadline() -> Deadline | None:
    """The innermost active deadline of this context, if any."""
    return _current.get()


class Deadline:
    """At most *seconds* (``None`` = no own limit, an outer deadline still applies) for *what*."""

    def __init__(self, seconds: float | None, what: str = "the call") -> None:
        self.seconds = seconds
        self.what = what
        self.at = float("inf") if seconds is None else time.monotonic() + max(0.0, float(seconds))
        self._lock = threading.Lock()
        self._conns: set[Any] = set()
        self._fired = False
        self._token: contextvars.Token[Deadline | None] | None = None

    def __repr__(self) -> str:
        return f"Deadline({self.what!r}, {self.remaining():.3f}s left)"

    # ----------------------------------------------------------------- scope

    def __enter__(self) -> Deadline:
        outer = _current.get()
        if outer is not None and outer.at < self.at:
            self.at, self.seconds, self.what = outer.at, outer.seconds, outer.what
        self._token = _current.set(self)
        if self.at != float("inf"):
            _watchdog.add(self)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        with self._lock:
            self._conns.clear()
        _watchdog.remove(self)
        if self._token is not None:
            _current.reset(self._token)
            self._token = None

    # ----------------------------------------------------------------- state

    def remaining(self) -> float:
        """Seconds left (may be ``inf``; never negative)."""
        return max(0.0, self.at - time.monotonic())

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.at

    @property
    def fired(self) -> bool:
        """Whether the watchdog cut connections (a body read until EOF may then look complete)."""
        return self._fired

    def clamp(self, timeout: float | None) -> float:
        """*timeout* shortened to the time left; raises :class:`DeadlineExceeded` when none is."""
        left = self.remaining()
        if left <= 0:
            raise DeadlineExceeded(self.message())
        return left if timeout is None else min(float(timeout), left)

    def message(self) -> str:
        limit = "" if self.seconds is None else f" ({self.seconds:g}s)"
        return f"{self.what} did not finish within its overall deadline{limit}"

    # ----------------------------------------------------------------- connections

    def track(self, conn: Any) -> None:
        """Shut *conn*'s socket down when the deadline passes (at once if it already has)."""
        with self._lock:
            self._conns.add(conn)
        if self.expired:
            self._fire()

    def untrack(self, conn: Any) -> None:
        with self._lock:
            self._conns.discard(conn)

    def _fire(self) -> None:
        with self._lock:
            self._fired = True
            conns = list(self._conns)
        for conn in conns:
            for sock in (getattr(conn, "sock", None), getattr(conn, "_tryon_raw_sock", None)):
                if sock is None:
                    continue
                # the plain socket call also works on an SSL socket (it acts on the descriptor)
                with contextlib.suppress(OSError, TypeError, ValueError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread that fires deadlines when they pass."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._live: set[int] = set()
        self._cond = threading.Condition()
        self._ids = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, deadline: Deadline) -> None:
        with self._cond:
            ident = next(self._ids)
            deadline._watch_id = ident  # type: ignore[attr-defined]
            self._live.add(ident)
            heapq.heappush(self._heap, (deadline.at, ident, deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="tryon-deadline", daemon=True)
                self._thread.start()
            self._cond.notify()

    def remove(self, deadline: Deadline) -> None:
        with self._cond:
            self._live.discard(getattr(deadline, "_watch_id", -1))

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._heap and self._heap[0][1] not in self._live:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait(30.0)
                    if not self._heap:
                        self._thread = None
                        return
                    continue
                at, ident, deadline = self._heap[0]
                wait = at - time.monotonic()
                if wait > 0:
                    self._cond.wait(min(wait, 30.0))
                    continue
                heapq.heappop(self._heap)
                self._live.discard(ident)
            deadline._fire()


_watchdog = _Watchdog()
