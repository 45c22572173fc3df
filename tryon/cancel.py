"""Cooperative cancellation for provider calls that run in worker threads.

When an awaiting task is cancelled, the core cannot stop a thread, but it can tell it to stop:
plugins that wait (polling, backoff) call :func:`sleep` instead of ``time.sleep``, which returns
early and raises :class:`CallCancelled` once the request they serve has been cancelled.
"""

from __future__ import annotations

import contextvars
import threading
import time

from tryon.errors import TryOnError

__all__ = ["CallCancelled", "cancelled", "scope", "sleep"]

_event: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar("tryon_cancel", default=None)


class CallCancelled(TryOnError):
    """The request this call served was cancelled; its result would be thrown away."""


def scope() -> tuple[threading.Event, contextvars.Context]:
    """A fresh cancel event and a context carrying it, for running calls in worker threads."""
    event = threading.Event()
    context = contextvars.copy_context()
    context.run(_event.set, event)
    return event, context


def cancelled() -> bool:
    """Whether the request the current call serves has been cancelled."""
    event = _event.get()
    return event is not None and event.is_set()


def sleep(seconds: float) -> None:
    """``time.sleep`` that wakes up and raises :class:`CallCancelled` when the request is cancelled."""
    event = _event.get()
    if event is None:
        time.sleep(seconds)
        return
    if event.wait(seconds):
        raise CallCancelled("the request was cancelled")
